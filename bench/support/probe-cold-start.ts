import { execFile } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { LambdaBundle } from '../../scripts/build-lambdas';
import { lambdaProcessEnv } from './lambda-runtime';

const run = promisify(execFile);
const PROBE = fileURLToPath(new URL('../cold-start-probe.mjs', import.meta.url));

/** What bench/cold-start-probe.mjs reports of one cold start. */
export interface ProbeReport {
  readonly bootMs: number;
  readonly initMs: number;
  readonly firstInvokeMs: number;
  readonly initCpuMs: number;
  readonly firstInvokeCpuMs: number;
  readonly maxRssKb: number;
  /** When init ended, on a CPU profile's clock. */
  readonly importEndUs: number;
  readonly outcome: string;
}

/**
 * One cold start of `bundle` in a fresh `node` process, as Lambda's runtime would start it: in the bundle's
 * own folder (no node_modules above it: the bundle must be self-contained), with what the runtime sets
 * (lambdaProcessEnv; an on-demand init unless BENCH_INITIALIZATION_TYPE says otherwise), the
 * function's NODE_OPTIONS (`nodeOptions` to change them) and `env`, handling `event` once.
 */
export async function probeColdStart(
  bundle: LambdaBundle,
  event: unknown,
  options: {
    readonly env: Readonly<Record<string, string>>;
    readonly execArgv?: readonly string[];
    readonly nodeOptions?: string;
  },
): Promise<ProbeReport> {
  const { stdout } = await run(
    process.execPath,
    [
      ...(options.execArgv ?? []),
      PROBE,
      pathToFileURL(bundle.handlerFile).href,
      bundle.handlerExport,
      JSON.stringify(event),
    ],
    {
      cwd: bundle.outdir,
      env: {
        ...lambdaProcessEnv(
          options.nodeOptions === undefined ? bundle : { ...bundle, nodeOptions: options.nodeOptions },
        ),
        // As Lambda sets it; BENCH_INITIALIZATION_TYPE=provisioned-concurrency measures that init.
        AWS_LAMBDA_INITIALIZATION_TYPE: process.env.BENCH_INITIALIZATION_TYPE ?? 'on-demand',
        ...options.env,
      },
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  const line = stdout.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
  if (!line) throw new Error(`${bundle.functionName}: the probe reported nothing:\n${stdout.slice(-2000)}`);
  return JSON.parse(line.slice('BENCH_RESULT '.length)) as ProbeReport;
}
