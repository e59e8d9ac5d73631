import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { SourceMap } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { buildLambdas } from './build-lambdas';

// The deployed bundles carry no source map (a map makes sam build turn on --enable-source-maps, which
// costs every cold start). The build is reproducible, and esbuild emits the same code with or without a
// map (test/integration/lambda-bundles.test.ts), so a map rebuilt from the deployed commit reads a stack
// trace from CloudWatch:  npm run symbolicate < trace.txt

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** bundle file name (e.g. "telephony-hook.mjs") -> its source map */
export type BundleMaps = ReadonlyMap<string, SourceMap>;

/** Rebuilds every function exactly as sam build does, plus `--sourcemap`, and loads the maps. */
export async function rebuildMaps(options: { templatePath?: string; outRoot: string }): Promise<BundleMaps> {
  const bundles = await buildLambdas({ ...options, extraArgs: ['--sourcemap'] });
  const maps = new Map<string, SourceMap>();
  for (const b of bundles) {
    const payload = JSON.parse(await readFile(`${b.handlerFile}.map`, 'utf8'));
    // Sources are relative to the map's folder; make them relative to the repository.
    payload.sources = (payload.sources as string[]).map((source) =>
      relative(ROOT, resolve(dirname(b.handlerFile), source)),
    );
    maps.set(basename(b.handlerFile), new SourceMap(payload));
  }
  return maps;
}

/** Appends the original position to every "<bundle>:<line>:<column>" it knows, e.g. in a stack trace. */
export function symbolicate(text: string, maps: BundleMaps): string {
  return text.replace(
    /([\w.-]+\.(?:mjs|cjs|js)):(\d+):(\d+)/g,
    (whole, file: string, line: string, column: string) => {
      const map = maps.get(file);
      if (!map) return whole;
      // Stack traces count from 1; findEntry from 0.
      const entry = map.findEntry(Number(line) - 1, Number(column) - 1) as {
        originalSource?: string;
        originalLine?: number;
        originalColumn?: number;
        name?: string;
      };
      if (entry.originalSource === undefined || entry.originalLine === undefined) return whole;
      const name = entry.name ? ` ${entry.name}` : '';
      return `${whole} [${entry.originalSource}:${entry.originalLine + 1}:${(entry.originalColumn ?? 0) + 1}${name}]`;
    },
  );
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values, positionals } = parseArgs({
    options: { template: { type: 'string' } },
    allowPositionals: true,
  });
  const chunks: Buffer[] = [];
  if (positionals[0]) chunks.push(await readFile(positionals[0]));
  else for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const outRoot = await mkdtemp(join(tmpdir(), 'otp-courier-maps-'));
  try {
    const maps = await rebuildMaps({
      outRoot,
      ...(values.template ? { templatePath: values.template } : {}),
    });
    process.stdout.write(symbolicate(Buffer.concat(chunks).toString('utf8'), maps));
  } finally {
    await rm(outRoot, { recursive: true, force: true });
  }
}
