import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { samEsbuildArgs, samNodeOptions, samPropertyName } from '../../scripts/build-lambdas';
import type { CfnResource } from '../../scripts/cloudformation-yaml';

// scripts/build-lambdas.ts reproduces what `sam build` (aws-lambda-builders' esbuild workflow and SAM's
// EsbuildBundlerManager) does with a function's Metadata. These cases are the rules read from their
// sources (esbuild.py: EsbuildCommandBuilder; bundler.py; resource_metadata_normalizer.py); CI also runs
// the real sam build and compares the output byte for byte (test/integration/lambda-bundles.test.ts).

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const OUT = '/tmp/out/Fn';

function fn(
  buildProperties: Record<string, unknown>,
  nodeOptions?: unknown,
  handler = 'authorizer.handler',
): CfnResource {
  return {
    Type: 'AWS::Serverless::Function',
    Metadata: { BuildMethod: 'esbuild', BuildProperties: buildProperties },
    Properties: {
      Handler: handler,
      ...(nodeOptions === undefined ? {} : { Environment: { Variables: { NODE_OPTIONS: nodeOptions } } }),
    },
  };
}
const argsOf = (resource: CfnResource) => samEsbuildArgs('Fn', resource, ROOT, OUT).args;
const ENTRY = ['app/lambda/authorizer.ts'];

describe('esbuild arguments exactly as sam build makes them', () => {
  it('PascalCase keys become snake_case, then --kebab-case flags', () => {
    expect(samPropertyName('SourcesContent')).toBe('sources_content');
    expect(samPropertyName('MainFields')).toBe('main_fields');
    expect(samPropertyName('UseNpmCi')).toBe('use_npm_ci');
    expect(argsOf(fn({ EntryPoints: ENTRY, MainFields: 'module,main', KeepNames: true }))).toEqual(
      expect.arrayContaining(['--main-fields=module,main', '--keep-names']),
    );
  });

  it('entry points first, then --bundle --platform=node --outdir, then target/format/minify defaults', () => {
    expect(argsOf(fn({ EntryPoints: ENTRY }))).toEqual([
      'app/lambda/authorizer.ts',
      '--bundle',
      '--platform=node',
      `--outdir=${OUT}`,
      '--target=es2020',
      '--format=cjs',
      '--minify',
    ]);
  });

  it('a boolean false is dropped: SourcesContent: false never reaches esbuild, Minify: false only removes the default', () => {
    const args = argsOf(fn({ EntryPoints: ENTRY, Minify: false, Sourcemap: true, SourcesContent: false }));
    expect(args).toContain('--sourcemap');
    expect(args.join(' ')).not.toMatch(/sources-content|minify/);
  });

  it('the string "false" is passed as a value (the way to turn sourcesContent off)', () => {
    expect(argsOf(fn({ EntryPoints: ENTRY, SourcesContent: 'false' }))).toContain('--sources-content=false');
  });

  it('lists become one --flag:item per item, in the template’s key order', () => {
    const args = argsOf(
      fn({
        EntryPoints: ENTRY,
        Format: 'esm',
        OutExtension: ['.js=.mjs'],
        Banner: ['js=// a', 'css=/* b */'],
      }),
    );
    expect(args.slice(4)).toEqual([
      '--target=es2020',
      '--minify',
      '--format=esm',
      '--out-extension:.js=.mjs',
      '--banner:js=// a',
      '--banner:css=/* b */',
    ]);
  });

  it('EntryPoints, UseNpmCi and the fixed Bundle/Platform/Outdir are never flags', () => {
    const args = argsOf(
      fn({ EntryPoints: ENTRY, UseNpmCi: true, Bundle: false, Platform: 'neutral', Outdir: '/x' }),
    );
    expect(args.join(' ')).not.toMatch(/npm|neutral|outdir=\/x|entry/);
  });

  it('an entry point without extension is looked up as .ts, then .js; a missing one fails', () => {
    expect(argsOf(fn({ EntryPoints: ['app/lambda/authorizer'] }))[0]).toBe('app/lambda/authorizer.ts');
    expect(() => argsOf(fn({ EntryPoints: ['app/lambda/nope.ts'] }))).toThrow(/does not exist/);
    // Without EntryPoints SAM uses the Handler's module path.
    expect(() => argsOf(fn({}, undefined, 'app/lambda/authorizer.handler'))).not.toThrow();
  });

  it('refuses what SAM would fail on or read differently: numbers, maps, YAML 1.1 booleans', () => {
    expect(() => argsOf(fn({ EntryPoints: ENTRY, LogLimit: 5 }))).toThrow(/not a boolean, string or list/);
    expect(() => argsOf(fn({ EntryPoints: ENTRY, Define: { a: 'b' } }))).toThrow(
      /not a boolean, string or list/,
    );
    expect(() => argsOf(fn({ EntryPoints: ENTRY, Minify: 'yes' }))).toThrow(/YAML 1\.1/);
  });

  it('NODE_OPTIONS with --enable-source-maps and no Sourcemap turns source maps on', () => {
    expect(argsOf(fn({ EntryPoints: ENTRY }, '--enable-source-maps'))).toContain('--sourcemap');
    expect(argsOf(fn({ EntryPoints: ENTRY, Sourcemap: false }, '--enable-source-maps'))).not.toContain(
      '--sourcemap',
    );
  });
});

describe('NODE_OPTIONS exactly as sam build writes it into the deployed template', () => {
  it('a truthy Sourcemap appends --enable-source-maps, joined with a space', () => {
    expect(samNodeOptions(fn({ Sourcemap: true }))).toBe(' --enable-source-maps');
    expect(samNodeOptions(fn({ Sourcemap: true }, '--max-old-space-size=256'))).toBe(
      '--max-old-space-size=256 --enable-source-maps',
    );
    expect(samNodeOptions(fn({ Sourcemap: 'external' }))).toBe(' --enable-source-maps');
  });

  it('no change without a truthy Sourcemap, or when the flag is already there', () => {
    expect(samNodeOptions(fn({}))).toBe('');
    expect(samNodeOptions(fn({ Sourcemap: false }))).toBe('');
    expect(samNodeOptions(fn({ Sourcemap: false }, '--no-warnings'))).toBe('--no-warnings');
    expect(samNodeOptions(fn({ Sourcemap: true }, '--enable-source-maps'))).toBe('--enable-source-maps');
  });
});
