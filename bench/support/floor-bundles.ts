import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type LambdaBundle, samEsbuildArgs, samNodeOptions } from '../../scripts/build-lambdas';
import { loadTemplate } from '../../scripts/cloudformation-yaml';

/**
 * Bundles that hold nothing of otp-courier, built with the esbuild settings (and NODE_OPTIONS) of the
 * function each stands under, so the cold-start section starts them beside the real bundles, in the same
 * rounds: what a cold start costs on this machine before any code of ours runs. A budget below its floor
 * cannot be met here by any change of ours.
 */
export const FLOORS = [
  {
    functionName: 'floor: empty handler',
    entry: 'bench/floor/empty-handler.ts',
    like: 'TelephonyHookFunction',
  },
  {
    functionName: 'floor: jose verifier',
    entry: 'bench/floor/jose-floor-authorizer.ts',
    like: 'AuthorizerFunction',
  },
  {
    functionName: 'floor: 2 SDK clients, put + send',
    entry: 'bench/floor/sdk-floor-handler.ts',
    like: 'TelephonyHookFunction',
  },
] as const;

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export function isFloor(functionName: string): boolean {
  return FLOORS.some((floor) => floor.functionName === functionName);
}

export async function buildFloorBundles(templatePath: string, outRoot: string): Promise<LambdaBundle[]> {
  const template = loadTemplate(templatePath);
  const codeRoot = resolve(dirname(templatePath));
  const bundles: LambdaBundle[] = [];
  for (const floor of FLOORS) {
    const resource = template.Resources[floor.like];
    if (!resource) throw new Error(`${templatePath} has no ${floor.like} to take a floor's settings from`);
    const module = basename(floor.entry, '.ts');
    const outdir = join(outRoot, `floor-${module}`);
    const { entryPoints, args } = samEsbuildArgs(floor.like, resource, codeRoot, outdir);
    // The function's own flags, its entry point swapped for the floor's (which lives in this repository,
    // whatever template the bench builds).
    const flags = args.filter((arg) => !entryPoints.includes(arg));
    await promisify(execFile)(join(ROOT, 'node_modules', '.bin', 'esbuild'), [floor.entry, ...flags], {
      cwd: ROOT,
    });
    const handlerFile = join(outdir, `${module}.mjs`);
    bundles.push({
      functionName: floor.functionName,
      outdir,
      handlerFile,
      handlerExport: 'handler',
      bytes: statSync(handlerFile).size,
      nodeOptions: samNodeOptions(resource),
      esbuildArgs: [floor.entry, ...flags],
    });
  }
  return bundles;
}
