import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/**
 * The hexagon's dependency rule (DESIGN.md §4), as data so the suite can check the real tree and
 * prove the checker catches a violation:
 *   domain   → nothing of ours, and no I/O, AWS, DI or HTTP libraries;
 *   ports    → domain only;
 *   adapters → ports and domain, and their own folder; never app or another adapter (so one IdP
 *              adapter, okta/ or cognito/, never reaches into another);
 *   app      → anything, except the IdP-neutral edge below, which imports no adapter at all.
 */
export interface Violation {
  readonly file: string;
  readonly specifier: string;
  readonly rule: string;
}

const DOMAIN_FORBIDDEN_PACKAGES = [
  /^node:(fs|http|https|net|child_process|dgram|dns|tls|worker_threads)/,
  /^(fs|http|https|net|child_process)$/,
  /^@aws-sdk\//,
  /^@aws-lambda-powertools\//,
  /^inversify/,
  /^jose/,
  /^i18next/,
  /^dynalite/,
];

/**
 * The edge every IdP shares: it drives an IdP adapter only through the inbound port, so it may import no
 * adapter (an IdP's, or any other). A new IdP never edits these files.
 */
export const IDP_NEUTRAL_EDGE = [
  'app/http-hook-endpoint.ts',
  'app/event-trigger-endpoint.ts',
  'app/reply-safety-net.ts',
  'app/deliver-otp.ts',
];

const IMPORT_PATTERN =
  /(?:import|export)\s+(?:type\s+)?(?:[^'"]*?\s+from\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

export function importsOf(source: string): string[] {
  const found: string[] = [];
  for (const match of source.matchAll(IMPORT_PATTERN)) {
    const specifier = match[1] ?? match[2];
    if (specifier) found.push(specifier);
  }
  return found;
}

/** Which layer a project-relative path is in: "domain", "ports", "app", "adapters/<name>", or "other". */
export function layerOf(projectPath: string): string {
  const [top, second] = projectPath.split(/[\\/]/);
  if (top === 'adapters' && second) return `adapters/${second}`;
  if (top === 'domain' || top === 'ports' || top === 'app') return top;
  return 'other';
}

export function checkImport(
  fromLayer: string,
  specifier: string,
  targetLayer: string | undefined,
): string | undefined {
  if (targetLayer === undefined) {
    if (fromLayer === 'domain' && DOMAIN_FORBIDDEN_PACKAGES.some((pattern) => pattern.test(specifier))) {
      return 'domain must stay pure: no I/O, AWS, DI or HTTP libraries';
    }
    return undefined;
  }
  if (fromLayer === 'domain' && targetLayer !== 'domain') return 'domain imports nothing of ours';
  if (fromLayer === 'ports' && targetLayer !== 'domain' && targetLayer !== 'ports')
    return 'ports import only domain';
  if (fromLayer.startsWith('adapters/')) {
    if (targetLayer === 'app') return 'adapters never import app';
    if (targetLayer.startsWith('adapters/') && targetLayer !== fromLayer)
      return 'adapters never import another adapter';
    if (targetLayer === 'other') return 'adapters import only ports, domain and their own folder';
  }
  return undefined;
}

function sourceFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) files.push(...sourceFiles(path));
    else if (/\.(ts|mts)$/.test(entry) && !entry.endsWith('.d.ts')) files.push(path);
  }
  return files;
}

export function findViolations(root: string): Violation[] {
  const violations: Violation[] = [];
  for (const top of ['domain', 'ports', 'adapters', 'app']) {
    for (const file of sourceFiles(join(root, top))) {
      const projectPath = relative(root, file);
      const fromLayer = layerOf(projectPath);
      for (const specifier of importsOf(readFileSync(file, 'utf8'))) {
        const target = specifier.startsWith('.')
          ? layerOf(relative(root, resolve(dirname(file), specifier)))
          : undefined;
        const rule =
          checkImport(fromLayer, specifier, target) ??
          (IDP_NEUTRAL_EDGE.includes(projectPath.split(sep).join('/')) && target?.startsWith('adapters/')
            ? 'the IdP-neutral edge imports no adapter: it drives IdPs through ports/inbound-idp.ts'
            : undefined);
        if (rule) violations.push({ file: projectPath.split(sep).join('/'), specifier, rule });
      }
    }
  }
  return violations;
}
