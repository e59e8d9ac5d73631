import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { SourceMap } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
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

/**
 * Chunk file names (`chunk-4HXWCBZK.mjs`, esbuild's Splitting) end in a hash of the output, which a map
 * changes; the hash is always 8 characters, so code that differs only by these names has the same
 * positions, and the map of one reads a stack trace of the other.
 */
const CHUNK_HASH = /-[A-Z2-7]{8}\.mjs\b/g;
export function withoutChunkHashes(code: string): string {
  return code.replace(CHUNK_HASH, '-HASH0000.mjs');
}

/** A file esbuild wrote with `--sourcemap`, without the comment that points at its map. */
function withoutMapComment(code: string, file: string): string {
  const comment = `//# sourceMappingURL=${file}.map\n`;
  return code.endsWith(comment) ? code.slice(0, -comment.length) : code;
}

/**
 * Rebuilds every function exactly as sam build does, and again with `--sourcemap`, and loads the maps,
 * keyed by the name of the file sam build ships: the handler module and, for a function built with
 * Splitting, each chunk (whose name differs in the build with maps: matched by its code instead).
 */
export async function rebuildMaps(options: { templatePath?: string; outRoot: string }): Promise<BundleMaps> {
  const shipped = await buildLambdas({ ...options, outRoot: join(options.outRoot, 'shipped') });
  const mapped = await buildLambdas({
    ...options,
    outRoot: join(options.outRoot, 'mapped'),
    extraArgs: ['--sourcemap'],
  });
  const maps = new Map<string, SourceMap>();
  for (const b of shipped) {
    const withMaps = mapped.find((m) => m.functionName === b.functionName);
    if (!withMaps) continue;
    const byCode = new Map<string, string>();
    for (const file of (await readdir(withMaps.outdir)).filter((f) => f.endsWith('.mjs'))) {
      const code = withoutMapComment(await readFile(join(withMaps.outdir, file), 'utf8'), file);
      byCode.set(withoutChunkHashes(code), file);
    }
    for (const file of (await readdir(b.outdir)).filter((f) => f.endsWith('.mjs'))) {
      const twin = byCode.get(withoutChunkHashes(await readFile(join(b.outdir, file), 'utf8')));
      if (twin === undefined)
        throw new Error(`${b.functionName}/${file}: no file of the build with maps has its code`);
      const payload = JSON.parse(await readFile(join(withMaps.outdir, `${twin}.map`), 'utf8'));
      // Sources are relative to the map's folder; make them relative to the repository.
      payload.sources = (payload.sources as string[]).map((source) =>
        relative(ROOT, resolve(withMaps.outdir, source)),
      );
      maps.set(file, new SourceMap(payload));
    }
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
