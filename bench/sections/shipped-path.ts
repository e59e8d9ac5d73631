import { fork } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DynamoDbTemplateStore } from '../../adapters/dynamodb/dynamodb-template-store';
import { ensureIdempotencyTable } from '../../adapters/dynamodb/idempotency-table';
import { ensureTemplateTable } from '../../adapters/dynamodb/template-table';
import { bundledTemplates } from '../../adapters/i18n/i18next-template-store';
import { proxyEvent } from '../../app/local/api-gateway-events';
import { startEmbeddedDynamo } from '../../app/local/embedded-dynamodb';
import { buildLambdas } from '../../scripts/build-lambdas';
import { createLocalClient } from '../../test/support/dynalite';
import { FakeAwsEndpoint } from '../../test/support/fake-aws-endpoint';
import { localHookEnvironment } from '../../test/support/local-lambda-environment';
import { createTraffic } from '../support/hook-traffic';
import { LAMBDA_ENV } from '../support/lambda-runtime';
import { type Distribution, distribution, median, round, roundDistribution } from '../support/stats';

export interface ShippedLevel {
  readonly concurrency: number;
  /** Medians over the rounds. */
  readonly requestsPerSecond: number;
  readonly cpuMsPerRequest: number;
  readonly systemCpuMsPerRequest: number;
  readonly preemptionsPerRequest: number;
  readonly latencyMs: Distribution;
  /** Every round's figures, to see the spread. */
  readonly rounds: readonly {
    readonly requestsPerSecond: number;
    readonly cpuMsPerRequest: number;
    /** Of which in the kernel: mostly sockets (on loopback the sender also pays the receiver's TCP work). */
    readonly systemCpuMsPerRequest: number;
    /** Involuntary context switches per request: how often other processes took the CPU. */
    readonly preemptionsPerRequest: number;
    readonly p50: number;
    readonly p99: number;
  }[];
  readonly statuses: Readonly<Record<string, number>>;
}

export interface ShippedPathResult {
  readonly bundleBytes: number;
  readonly nodeOptions: string;
  readonly rounds: number;
  readonly requestsPerRound: number;
  readonly levels: readonly ShippedLevel[];
  /** Per request, median over the structure pass (one request at a time). */
  readonly sdkCallsPerRequest: number;
  readonly roundTripsPerRequest: number;
  /** The calls of a typical request, in order, by X-Amz-Target ("‖" joins calls made in parallel). */
  readonly callSequence: string;
  readonly structureStatuses: Readonly<Record<string, number>>;
}

interface DriverPass {
  readonly concurrency: number;
  readonly requests: number;
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly systemCpuMs: number;
  readonly preemptions: number;
  readonly latencies: readonly number[];
  readonly statuses: Readonly<Record<string, number>>;
}

interface DriverReport {
  readonly importMs: number;
  readonly warmupStatuses: Readonly<Record<string, number>>;
  readonly structure: readonly {
    readonly status: string;
    readonly calls: number;
    readonly roundTrips: number;
    /** Operations in order: " → " between round trips, " ‖ " between calls in flight together. */
    readonly sequence: string;
  }[];
  readonly passes: readonly DriverPass[];
}

const WARMUP = Number(process.env.SHIPPED_WARMUP ?? 2_000);
const STRUCTURE_REQUESTS = 100;
const ROUNDS = Number(process.env.SHIPPED_ROUNDS ?? 3);
const REQUESTS_PER_ROUND = Number(process.env.SHIPPED_REQUESTS ?? 1_000);
const CONCURRENCIES = [1, 8];
const DRIVER = fileURLToPath(new URL('../shipped-driver.mjs', import.meta.url));

/**
 * The headline: the hook as it ships. The Lambda bundle exactly as `sam build` makes it, imported by a
 * plain `node` process with the function's NODE_OPTIONS and the environment template.yaml gives it
 * (LOG_LEVEL=INFO, template cache on), real SDK v3 clients, idempotency and templates on dynalite, End
 * User Messaging, KMS and SQS on the fake AWS endpoint. dynalite and the fake run here, in another
 * process, so the driver's CPU time is the function's own.
 */
export async function runShippedPath(
  options: {
    /** Another template.yaml to build from (e.g. another checkout, to compare); default: the repository's. */
    readonly templatePath?: string;
  } = {},
): Promise<ShippedPathResult> {
  const work = await mkdtemp(join(tmpdir(), 'otp-courier-bench-shipped-'));
  const dynamo = await startEmbeddedDynamo({});
  const fake = await FakeAwsEndpoint.start();
  const admin = createLocalClient(dynamo.endpoint);
  // The fake keeps every request for inspection; a bench run would keep hundreds of MB of them.
  if (process.env.SHIPPED_KEEP) console.error('bench work dir', work);
  const trim = setInterval(() => fake.reset(), 2_000);
  try {
    await ensureTemplateTable(admin, 'templates');
    await ensureIdempotencyTable(admin, 'idempotency');
    await new DynamoDbTemplateStore(admin, { tableName: 'templates' }, silent).putTemplates(
      bundledTemplates(),
    );
    const [bundle] = await buildLambdas({
      outRoot: join(work, 'build'),
      only: ['TelephonyHookFunction'],
      ...(options.templatePath ? { templatePath: options.templatePath } : {}),
    });
    if (!bundle) throw new Error('no TelephonyHookFunction bundle');

    // Built ahead of a run that takes minutes on a busy machine: the codes must not expire meanwhile.
    const traffic = createTraffic({ expiresInSeconds: 3_600 });
    const total = WARMUP + STRUCTURE_REQUESTS + ROUNDS * REQUESTS_PER_ROUND * CONCURRENCIES.length;
    const template = proxyEvent({
      path: '/okta/telephony-hook',
      headers: { 'content-type': 'application/json' },
      body: '',
      sourceIp: '198.51.100.7',
      receivedAt: Date.now(),
      authorizer: { principalId: 'bench', policyDocument: { Version: '2012-10-17', Statement: [] } },
    });
    const planFile = join(work, 'plan.json');
    await writeFile(
      planFile,
      JSON.stringify({
        template,
        bodies: Array.from({ length: total }, (_, i) => traffic.body(i)),
        warmup: WARMUP,
        structureRequests: STRUCTURE_REQUESTS,
        rounds: ROUNDS,
        requestsPerRound: REQUESTS_PER_ROUND,
        concurrencies: CONCURRENCIES,
      }),
    );

    // As the deployed function gets it: sam build's rewrite (source maps) included.
    const nodeOptions = bundle.nodeOptions;
    const child = fork(DRIVER, [pathToFileURL(bundle.handlerFile).href, bundle.handlerExport, planFile], {
      cwd: bundle.outdir,
      execArgv: process.env.SHIPPED_PROFILE_DIR
        ? ['--cpu-prof', '--cpu-prof-dir', process.env.SHIPPED_PROFILE_DIR]
        : [],
      env: {
        PATH: process.env.PATH ?? '',
        ...LAMBDA_ENV,
        AWS_LAMBDA_FUNCTION_NAME: bundle.functionName,
        NODE_OPTIONS: process.env.SHIPPED_NODE_OPTIONS ?? nodeOptions,
        ...localHookEnvironment({ fakeAws: fake.url, dynamo: dynamo.endpoint }),
      },
      // The function logs every request at INFO, as in Lambda; into the bench log, not the report.
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const report = await new Promise<DriverReport>((resolve, reject) => {
      let message: DriverReport | undefined;
      child.on('message', (m) => {
        message = m as DriverReport;
      });
      child.on('error', reject);
      child.on('exit', (code) =>
        message ? resolve(message) : reject(new Error(`shipped driver exited with code ${code}`)),
      );
    });

    const levels = CONCURRENCIES.map((concurrency): ShippedLevel => {
      const passes = report.passes.filter((p) => p.concurrency === concurrency);
      const rounds = passes.map((p) => {
        const d = distribution(p.latencies);
        return {
          requestsPerSecond: round((p.requests / p.wallMs) * 1000, 0),
          cpuMsPerRequest: round(p.cpuMs / p.requests, 3),
          systemCpuMsPerRequest: round(p.systemCpuMs / p.requests, 3),
          preemptionsPerRequest: round(p.preemptions / p.requests, 2),
          p50: round(d.p50, 3),
          p99: round(d.p99, 3),
        };
      });
      const statuses: Record<string, number> = {};
      for (const p of passes)
        for (const [s, n] of Object.entries(p.statuses)) statuses[s] = (statuses[s] ?? 0) + n;
      // The round with the median p50 gives the distribution; the other figures are medians of rounds.
      const byP50 = [...passes].sort((a, b) => distribution(a.latencies).p50 - distribution(b.latencies).p50);
      const middle = byP50[Math.floor(byP50.length / 2)];
      return {
        concurrency,
        requestsPerSecond: median(rounds.map((r) => r.requestsPerSecond)),
        cpuMsPerRequest: median(rounds.map((r) => r.cpuMsPerRequest)),
        systemCpuMsPerRequest: median(rounds.map((r) => r.systemCpuMsPerRequest)),
        preemptionsPerRequest: median(rounds.map((r) => r.preemptionsPerRequest)),
        latencyMs: roundDistribution(distribution(middle?.latencies ?? [])),
        rounds,
        statuses,
      };
    });

    const structureStatuses: Record<string, number> = {};
    for (const r of report.structure) structureStatuses[r.status] = (structureStatuses[r.status] ?? 0) + 1;
    return {
      bundleBytes: bundle.bytes,
      nodeOptions,
      rounds: ROUNDS,
      requestsPerRound: REQUESTS_PER_ROUND,
      levels,
      sdkCallsPerRequest: median(report.structure.map((r) => r.calls)),
      roundTripsPerRequest: median(report.structure.map((r) => r.roundTrips)),
      callSequence: typicalSequence(report.structure),
      structureStatuses,
    };
  } finally {
    clearInterval(trim);
    admin.destroy();
    await fake.close();
    await dynamo.close();
    if (!process.env.SHIPPED_KEEP) await rm(work, { recursive: true, force: true });
  }
}

/** The most common call sequence of the structure pass. */
function typicalSequence(structure: DriverReport['structure']): string {
  const counts = new Map<string, number>();
  for (const r of structure) counts.set(r.sequence, (counts.get(r.sequence) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? '';
}

const silent = { debug() {}, info() {}, warn() {}, error() {} };
