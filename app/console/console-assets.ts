import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export interface ConsoleAssets {
  readonly script: string;
  readonly stylesheet: string;
}

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/**
 * The page's script and styles, served by the console itself (no CDN). The script is TypeScript bundled
 * once at start with esbuild, already a dependency of the project's build, in a few milliseconds.
 */
export async function loadConsoleAssets(): Promise<ConsoleAssets> {
  const [bundle, stylesheet] = await Promise.all([
    build({
      entryPoints: [here('./client/console-client.ts')],
      bundle: true,
      write: false,
      format: 'iife',
      target: 'es2022',
      minify: true,
      legalComments: 'none',
      logLevel: 'silent',
    }),
    readFile(here('./assets/console.css'), 'utf8'),
  ]);
  return { script: bundle.outputFiles[0]?.text ?? '', stylesheet };
}
