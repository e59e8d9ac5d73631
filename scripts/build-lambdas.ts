import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import type { Metafile } from 'esbuild';
import { type CfnResource, loadTemplate } from './cloudformation-yaml';

// Builds every `BuildMethod: esbuild` function of template.yaml with the esbuild command line that
// `sam build` runs (aws-lambda-builders 1.63 NodejsNpmEsbuild, SAM CLI 1.164), flag for flag:
//   - BuildProperties keys go PascalCase -> snake_case -> --kebab-case; `true` becomes `--flag`, a
//     boolean `false` is DROPPED (so `SourcesContent: false` never reaches esbuild), a string becomes
//     `--flag=value`, a list `--flag:item` per item; EntryPoints and UseNpmCi are not flags;
//   - fixed `--bundle --platform=node --outdir=…`, plus `--target=es2020`, `--format=cjs`, `--minify`
//     whenever the template does not set Target / Format / Minify;
//   - a truthy `Sourcemap` makes SAM append `--enable-source-maps` to the function's NODE_OPTIONS in the
//     template it deploys, and NODE_OPTIONS with that flag and no `Sourcemap` turns source maps on.
// The only flag added is `--metafile` (written outside the output folder; it changes no output byte).
// CI runs the real `sam build` and checks both trees are byte-identical (test/integration/lambda-bundles.test.ts).

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const run = promisify(execFile);

export interface LambdaBundle {
  functionName: string;
  /** The folder SAM would zip for this function: the bundle and anything else esbuild wrote. */
  outdir: string;
  /** The handler module Lambda loads (Handler "<module>.<export>"). */
  handlerFile: string;
  handlerExport: string;
  bytes: number;
  /** NODE_OPTIONS as the deployed function gets it (after SAM's source-map rewrite); '' when unset. */
  nodeOptions: string;
  /** The esbuild arguments SAM passes (absent for a bundle read from a `sam build` output). */
  esbuildArgs?: string[];
  /** esbuild's metafile (absent for a bundle read from a `sam build` output). */
  metafile?: Metafile;
}

export interface BuildLambdasOptions {
  templatePath?: string;
  outRoot?: string;
  /** Only these logical ids (default: every esbuild function). */
  only?: string[];
  /**
   * Arguments appended after SAM's, e.g. ['--sourcemap'] to rebuild the maps of a shipped bundle for
   * reading a stack trace offline. Never used for what ships or for what the bench measures.
   */
  extraArgs?: string[];
}

/** SAM's ResourceMetadataNormalizer: "SourcesContent" -> "sources_content". */
export function samPropertyName(key: string): string {
  return key.replace(/(?<!^)(?=[A-Z])/g, '_').toLowerCase();
}

// Read by lambda-builders but never passed to esbuild (ESBUILD_IGNORE_VALUES / NON_CONFIGURABLE_VALUES).
const NOT_FLAGS = new Set(['use_npm_ci', 'entry_points', 'bundle', 'platform', 'outdir']);

// SAM parses YAML 1.1, where these are booleans; our loader (YAML 1.2 core) reads them as strings.
const YAML11_BOOLEAN = /^(y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$/;

function kebab(snake: string): string {
  return snake.replaceAll('_', '-');
}

function buildPropertiesOf(functionName: string, resource: CfnResource): Record<string, unknown> {
  const props = (resource.Metadata?.BuildProperties ?? {}) as Record<string, unknown>;
  for (const [key, value] of Object.entries(props)) {
    for (const item of [value].flat()) {
      if (typeof item === 'string' && YAML11_BOOLEAN.test(item)) {
        throw new Error(
          `${functionName}: BuildProperties.${key} "${item}" is a boolean to SAM (YAML 1.1); write true or false`,
        );
      }
    }
  }
  return props;
}

function nodeOptionsOf(resource: CfnResource): unknown {
  const environment = resource.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined;
  return environment?.Variables?.NODE_OPTIONS;
}

function hasSourceMapsFlag(nodeOptions: unknown): boolean {
  return typeof nodeOptions === 'string' && nodeOptions.split(/\s+/).includes('--enable-source-maps');
}

/** Python truthiness, which is what SAM's `if source_map` tests. */
function truthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  return Boolean(value);
}

/**
 * NODE_OPTIONS as `sam build` writes it into the template it deploys (EsbuildBundlerManager): a truthy
 * `Sourcemap` without `--enable-source-maps` appends the flag, joined with a space (so an unset value
 * becomes " --enable-source-maps"). A non-string NODE_OPTIONS (e.g. a !Ref) is left as it is.
 */
export function samNodeOptions(resource: CfnResource): string {
  const props = (resource.Metadata?.BuildProperties ?? {}) as Record<string, unknown>;
  const current = nodeOptionsOf(resource);
  if (truthy(props.Sourcemap) && !hasSourceMapsFlag(current)) {
    if (current === undefined) return ' --enable-source-maps';
    if (typeof current === 'string') return `${current} --enable-source-maps`;
  }
  return typeof current === 'string' ? current : '';
}

/** The esbuild arguments SAM builds for one function (EsbuildCommandBuilder), entry points first. */
export function samEsbuildArgs(
  functionName: string,
  resource: CfnResource,
  codeRoot: string,
  outdir: string,
): { entryPoints: string[]; args: string[] } {
  if (resource.Metadata?.BuildMethod !== 'esbuild')
    throw new Error(`${functionName}: Metadata.BuildMethod is not esbuild`);
  const raw = buildPropertiesOf(functionName, resource);
  const config: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) config[samPropertyName(key)] = value;
  // SAM turns Sourcemap on when NODE_OPTIONS asks for source maps and Sourcemap is not set.
  if (raw.Sourcemap === undefined && hasSourceMapsFlag(nodeOptionsOf(resource))) config.sourcemap = true;
  if (config.entry_points === undefined) {
    // SAM's default: the Handler's module path.
    config.entry_points = [String(resource.Properties?.Handler ?? '').split('.')[0]];
  }

  const entries = config.entry_points;
  if (!Array.isArray(entries) || entries.length === 0 || !entries.every((e) => typeof e === 'string')) {
    throw new Error(`${functionName}: EntryPoints must be a non-empty list of paths`);
  }
  const entryPoints = entries.map((entry) => explicitEntry(functionName, codeRoot, entry));

  const args = [...entryPoints, '--bundle', '--platform=node', `--outdir=${outdir}`];
  if (!('target' in config)) args.push('--target=es2020');
  if (!('format' in config)) args.push('--format=cjs');
  if (!('minify' in config)) args.push('--minify');
  for (const [key, value] of Object.entries(config)) {
    if (NOT_FLAGS.has(key)) continue;
    const flag = `--${kebab(key)}`;
    if (typeof value === 'boolean') {
      if (value) args.push(flag);
    } else if (typeof value === 'string') {
      args.push(`${flag}=${value}`);
    } else if (Array.isArray(value) && value.every((item) => typeof item === 'string')) {
      for (const item of value) args.push(`${flag}:${item}`);
    } else {
      // SAM fails on numbers and maps, and formats non-string list items the Python way: refuse both.
      throw new Error(
        `${functionName}: BuildProperties value for ${key} is not a boolean, string or list of strings`,
      );
    }
  }
  return { entryPoints, args };
}

/** SAM's _get_explicit_file_type: a path with an extension must exist; otherwise try .ts, then .js. */
function explicitEntry(functionName: string, codeRoot: string, entry: string): string {
  if (extname(entry) !== '') {
    if (existsSync(join(codeRoot, entry))) return entry;
  } else {
    for (const ext of ['.ts', '.js']) if (existsSync(join(codeRoot, entry + ext))) return entry + ext;
  }
  throw new Error(`${functionName}: entry point ${join(codeRoot, entry)} does not exist`);
}

function esbuildBinary(): string {
  const bin = join(ROOT, 'node_modules', '.bin', 'esbuild');
  if (!existsSync(bin)) throw new Error(`esbuild is not installed in ${ROOT}/node_modules (run npm ci)`);
  return bin;
}

/** Lockfile paths of packages `npm install --omit=dev` leaves out, which SAM's build cannot bundle. */
function devOnlyPackages(codeRoot: string): Set<string> {
  const lockPath = join(codeRoot, 'package-lock.json');
  if (!existsSync(lockPath)) return new Set();
  const lock = JSON.parse(readFileSync(lockPath, 'utf8')) as {
    packages?: Record<string, { dev?: boolean }>;
  };
  return new Set(
    Object.entries(lock.packages ?? {})
      .filter(([, p]) => p.dev === true)
      .map(([path]) => path),
  );
}

function handlerOf(functionName: string, resource: CfnResource): { module: string; exportName: string } {
  const handler = String(resource.Properties?.Handler ?? '');
  const dot = handler.lastIndexOf('.');
  if (dot <= 0) throw new Error(`${functionName}: Handler "${handler}" is not <module>.<export>`);
  return { module: handler.slice(0, dot), exportName: handler.slice(dot + 1) };
}

/** The file Lambda loads for a handler module: Node's own lookup order for the runtime's ESM loader. */
function handlerFileIn(outdir: string, module: string): string | undefined {
  return ['.mjs', '.js', '.cjs'].map((ext) => join(outdir, module + ext)).find((file) => existsSync(file));
}

export async function buildLambdas(opts: BuildLambdasOptions = {}): Promise<LambdaBundle[]> {
  const templatePath = resolve(opts.templatePath ?? join(ROOT, 'template.yaml'));
  const outRoot = resolve(opts.outRoot ?? join(ROOT, 'dist', 'lambda'));
  const template = loadTemplate(templatePath);
  const functions = Object.entries(template.Resources).filter(
    ([name, r]) =>
      r.Type === 'AWS::Serverless::Function' &&
      r.Metadata?.BuildMethod === 'esbuild' &&
      (opts.only === undefined || opts.only.includes(name)),
  );
  if (functions.length === 0) throw new Error(`no esbuild functions in ${templatePath}`);

  const bundles: LambdaBundle[] = [];
  for (const [functionName, resource] of functions) {
    const codeUri = typeof resource.Properties?.CodeUri === 'string' ? resource.Properties.CodeUri : '.';
    const codeRoot = resolve(dirname(templatePath), codeUri);
    const outdir = join(outRoot, functionName);
    const metafilePath = join(outRoot, `${functionName}.metafile.json`);
    const { args } = samEsbuildArgs(functionName, resource, codeRoot, outdir);
    await rm(outdir, { recursive: true, force: true });
    await mkdir(outRoot, { recursive: true });
    try {
      // SAM runs esbuild in its copy of the CodeUri folder; relative paths resolve the same way here.
      const { stderr } = await run(
        esbuildBinary(),
        [...args, ...(opts.extraArgs ?? []), `--metafile=${metafilePath}`],
        { cwd: codeRoot, maxBuffer: 16 * 1024 * 1024 },
      );
      if (/\[WARNING\]/.test(stderr)) process.stderr.write(stderr);
    } catch (error) {
      const stderr = (error as { stderr?: string }).stderr ?? '';
      throw new Error(`${functionName}: esbuild failed\n${stderr || String(error)}`);
    }
    const metafile = JSON.parse(await readFile(metafilePath, 'utf8')) as Metafile;

    // What SAM's `npm install --omit=dev` does not install, its esbuild cannot bundle.
    const devOnly = devOnlyPackages(codeRoot);
    const fromDevDependencies = Object.keys(metafile.inputs)
      .map((input) => /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input)?.[1])
      .filter((pkg): pkg is string => pkg !== undefined && devOnly.has(pkg));
    if (fromDevDependencies.length > 0) {
      throw new Error(
        `${functionName}: bundles dev-only packages that sam build does not install: ${[...new Set(fromDevDependencies)].join(', ')}`,
      );
    }

    const { module, exportName } = handlerOf(functionName, resource);
    const handlerFile = handlerFileIn(outdir, module);
    if (!handlerFile) {
      throw new Error(`${functionName}: Handler module "${module}" is not among the bundles in ${outdir}`);
    }
    bundles.push({
      functionName,
      outdir,
      handlerFile,
      handlerExport: exportName,
      bytes: statSync(handlerFile).size,
      nodeOptions: samNodeOptions(resource),
      esbuildArgs: args,
      metafile,
    });
  }
  return bundles;
}

/**
 * The bundles of a finished `sam build` (its built template and artifact folders), to test or measure
 * exactly what `sam deploy` would upload.
 */
export function loadSamBuild(buildDir: string): LambdaBundle[] {
  const template = loadTemplate(join(buildDir, 'template.yaml'));
  return Object.entries(template.Resources)
    .filter(([, r]) => r.Type === 'AWS::Serverless::Function')
    .map(([functionName, resource]) => {
      const outdir = resolve(buildDir, String(resource.Properties?.CodeUri ?? functionName));
      const { module, exportName } = handlerOf(functionName, resource);
      const handlerFile = handlerFileIn(outdir, module);
      if (!handlerFile) throw new Error(`${functionName}: no handler module "${module}" in ${outdir}`);
      const nodeOptions = nodeOptionsOf(resource);
      return {
        functionName,
        outdir,
        handlerFile,
        handlerExport: exportName,
        bytes: statSync(handlerFile).size,
        nodeOptions: typeof nodeOptions === 'string' ? nodeOptions : '',
      };
    });
}

/**
 * The files Node loads before the handler can run: the handler module and, with Splitting, every chunk
 * it imports statically (directly or through another chunk). Chunks reached only by import() load later.
 */
export function filesLoadedAtInit(handlerFile: string): string[] {
  const dir = dirname(handlerFile);
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const code = readFileSync(join(dir, file), 'utf8');
    // esbuild's static imports of a chunk: `import{a as b}from"./chunk-X.mjs"` or `import"./chunk-X.mjs"`.
    for (const m of code.matchAll(/(?:\bfrom|\bimport)\s*["']\.\/([^"']+\.mjs)["']/g)) visit(m[1] as string);
  };
  visit(basename(handlerFile));
  return [...seen];
}

export function bytesLoadedAtInit(handlerFile: string): number {
  const dir = dirname(handlerFile);
  return filesLoadedAtInit(handlerFile).reduce((sum, file) => sum + statSync(join(dir, file)).size, 0);
}

/** Everything in the function's folder: what sam deploy uploads. */
export function bytesShipped(outdir: string): number {
  return readdirSync(outdir).reduce((sum, file) => sum + statSync(join(outdir, file)).size, 0);
}

export function formatSizes(bundles: LambdaBundle[]): string {
  return bundles
    .map((b) => {
      const map = `${b.handlerFile}.map`;
      const mapNote = existsSync(map) ? ` (+ ${(statSync(map).size / 1024).toFixed(0)} KB map)` : '';
      return `${b.functionName.padEnd(24)} ${(b.bytes / 1024).toFixed(1).padStart(8)} KB${mapNote}  ${basename(b.handlerFile)}`;
    })
    .join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: {
      template: { type: 'string' },
      only: { type: 'string' },
      out: { type: 'string' },
      'print-args': { type: 'boolean', default: false },
    },
  });
  const bundles = await buildLambdas({
    ...(values.template ? { templatePath: values.template } : {}),
    ...(values.only ? { only: values.only.split(',') } : {}),
    ...(values.out ? { outRoot: values.out } : {}),
  });
  console.log(formatSizes(bundles));
  if (values['print-args']) {
    for (const b of bundles) console.log(`${b.functionName}: esbuild ${b.esbuildArgs?.join(' ')}`);
  }
}
