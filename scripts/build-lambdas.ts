import { statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type BuildOptions, build, type Format, type Loader, type Metafile } from 'esbuild';
import { type CfnResource, loadTemplate } from './cloudformation-yaml';

// Builds every AWS::Serverless::Function of template.yaml the way `sam build` does for
// `BuildMethod: esbuild` (aws-lambda-builders' NodejsNpmEsbuild workflow): the same fixed flags
// (--bundle --platform=node, and its defaults for target/format/minify) plus exactly the function's
// BuildProperties. Tests build through this, so what they import is what SAM would ship.

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export interface LambdaBundle {
  functionName: string;
  entryPoints: string[];
  outdir: string;
  /** The handler module Lambda loads (Handler "<module>.<export>"). */
  handlerFile: string;
  handlerExport: string;
  bytes: number;
  metafile: Metafile;
}

export interface BuildLambdasOptions {
  templatePath?: string;
  outRoot?: string;
  /** Only these logical ids (default: every esbuild function). */
  only?: string[];
}

/** BuildProperties keys SAM's esbuild workflow understands; anything else SAM would silently drop. */
const KNOWN_PROPERTIES = new Set([
  'EntryPoints',
  'External',
  'Format',
  'Loader',
  'MainFields',
  'Minify',
  'OutExtension',
  'Sourcemap',
  'SourcesContent',
  'Target',
  'Banner',
  'UseNpmCi',
]);

function stringList(value: unknown, what: string): string[] {
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw new Error(`${what} must be a list of strings`);
  }
  return value;
}

function pairs(value: unknown, what: string): Record<string, string> {
  // SAM passes "--out-extension:.js=.mjs", "--banner:js=…", "--loader:.txt=text" to the CLI.
  return Object.fromEntries(
    stringList(value, what).map((item) => {
      const eq = item.indexOf('=');
      if (eq <= 0) throw new Error(`${what} entry "${item}" must look like key=value`);
      return [item.slice(0, eq), item.slice(eq + 1)];
    }),
  );
}

export function esbuildOptionsFor(
  functionName: string,
  resource: CfnResource,
  codeRoot: string,
  outdir: string,
): BuildOptions {
  const metadata = resource.Metadata ?? {};
  if (metadata.BuildMethod !== 'esbuild')
    throw new Error(`${functionName}: Metadata.BuildMethod is not esbuild`);
  const props = (metadata.BuildProperties ?? {}) as Record<string, unknown>;
  for (const key of Object.keys(props)) {
    if (!KNOWN_PROPERTIES.has(key)) throw new Error(`${functionName}: unsupported BuildProperties.${key}`);
  }
  const entryPoints = stringList(props.EntryPoints, `${functionName}: BuildProperties.EntryPoints`);
  if (entryPoints.length === 0) throw new Error(`${functionName}: EntryPoints is empty`);

  const options: BuildOptions = {
    absWorkingDir: codeRoot,
    entryPoints: entryPoints.map((entry) => join(codeRoot, entry)),
    outdir,
    bundle: true,
    platform: 'node',
    target: typeof props.Target === 'string' ? props.Target : 'es2020',
    format: (typeof props.Format === 'string' ? props.Format : 'cjs') as Format,
    minify: props.Minify === undefined ? true : props.Minify === true,
    sourcemap: props.Sourcemap === true,
    metafile: true,
    logLevel: 'warning',
  };
  if (props.External !== undefined) options.external = stringList(props.External, 'External');
  if (props.MainFields !== undefined) options.mainFields = String(props.MainFields).split(',');
  if (props.SourcesContent !== undefined) options.sourcesContent = String(props.SourcesContent) === 'true';
  if (props.OutExtension !== undefined) options.outExtension = pairs(props.OutExtension, 'OutExtension');
  if (props.Banner !== undefined) options.banner = pairs(props.Banner, 'Banner');
  if (props.Loader !== undefined) options.loader = pairs(props.Loader, 'Loader') as Record<string, Loader>;
  return options;
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
    const options = esbuildOptionsFor(functionName, resource, codeRoot, outdir);
    await rm(outdir, { recursive: true, force: true });
    const result = await build(options);

    const handler = String(resource.Properties?.Handler ?? '');
    const dot = handler.lastIndexOf('.');
    if (dot <= 0) throw new Error(`${functionName}: Handler "${handler}" is not <module>.<export>`);
    const module = handler.slice(0, dot);
    const outExtension = options.outExtension?.['.js'] ?? '.js';
    const handlerFile = join(outdir, `${module}${outExtension}`);
    const entryPoints = (options.entryPoints as string[]).map((entry) => entry.slice(codeRoot.length + 1));
    // One entry point bundles to <outdir>/<its basename>; the Handler must name that module.
    const built = entryPoints.map((entry) => basename(entry, extname(entry)));
    if (!built.includes(module)) {
      throw new Error(
        `${functionName}: Handler module "${module}" is not one of the bundles ${built.join(', ')}`,
      );
    }
    bundles.push({
      functionName,
      entryPoints,
      outdir,
      handlerFile,
      handlerExport: handler.slice(dot + 1),
      bytes: statSync(handlerFile).size,
      metafile: result.metafile as Metafile,
    });
  }
  return bundles;
}

export function formatSizes(bundles: LambdaBundle[]): string {
  return bundles
    .map(
      (b) => `${b.functionName.padEnd(24)} ${(b.bytes / 1024).toFixed(1).padStart(8)} KB  ${b.handlerFile}`,
    )
    .join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const bundles = await buildLambdas();
  console.log(formatSizes(bundles));
}
