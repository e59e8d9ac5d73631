import { fork } from 'node:child_process';
import { copyFile, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DynamoDbTemplateStore } from '../../adapters/dynamodb/dynamodb-template-store';
import { ensureIdempotencyTable } from '../../adapters/dynamodb/idempotency-table';
import { ensureMessageTable } from '../../adapters/dynamodb/message-table';
import { ensureTemplateTable } from '../../adapters/dynamodb/template-table';
import { bundledTemplates } from '../../adapters/i18n/i18next-template-store';
import { proxyEvent } from '../../app/local/api-gateway-events';
import { startEmbeddedDynamo } from '../../app/local/embedded-dynamodb';
import { buildLambdas, type LambdaBundle } from '../../scripts/build-lambdas';
import { createLocalClient } from '../../test/support/dynalite';
import { FakeAwsEndpoint } from '../../test/support/fake-aws-endpoint';
import {
  DEPLOYED_MESSAGES_TABLE,
  deployedHookEnvironment,
} from '../../test/support/local-lambda-environment';
import { type ProfileSummary, summariseProfile, WRITEV } from '../support/cpu-profile-summary';
import { createTraffic } from '../support/hook-traffic';
import { lambdaProcessEnv } from '../support/lambda-runtime';
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
  /**
   * With --profile: where one more run's measured pass (one at a time, after the same warm-up) spent its
   * CPU, by source, ranked by samples (CPU), each source's share of the busy samples times that pass's
   * CPU per request.
   */
  readonly profile?: ProfileSummary & {
    readonly file: string;
    readonly requests: number;
    /** The profiled pass's CPU per request (the profiler's own cost included). */
    readonly cpuMsPerRequest: number;
    /** µs of CPU per request by source: share of busy samples × cpuMsPerRequest. */
    readonly usPerRequest: readonly { readonly name: string; readonly us: number }[];
    readonly framesUsPerRequest: readonly { readonly name: string; readonly us: number }[];
  };
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
  /** When the measured passes began and ended, on a CPU profile's clock (monotonic µs). */
  readonly measuredFromUs: number;
  readonly measuredToUs: number;
}

/** Requests before measuring (JIT, sockets, caches), then rounds of each level; --quick for a look. */
const SIZES = {
  full: { warmup: 2_000, rounds: 3, requestsPerRound: 1_000 },
  quick: { warmup: 800, rounds: 1, requestsPerRound: 400 },
} as const;
const STRUCTURE_REQUESTS = 100;
/** The profiled run (--profile): one level, one round, after the same warm-up. */
const PROFILED_REQUESTS = 1_000;
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
    /** One extra run under `node --cpu-prof` (bundle rebuilt with its source map), summarised by source. */
    readonly profile?: boolean;
    /** A smaller run, for a look while working; its figures are not the headline's. */
    readonly quick?: boolean;
  } = {},
): Promise<ShippedPathResult> {
  const size = options.quick ? SIZES.quick : SIZES.full;
  const work = await mkdtemp(join(tmpdir(), 'otp-courier-bench-shipped-'));
  const dynamo = await startEmbeddedDynamo({});
  const fake = await FakeAwsEndpoint.start();
  const admin = createLocalClient(dynamo.endpoint);
  // The fake keeps every request for inspection; a bench run would keep hundreds of MB of them.
  const trim = setInterval(() => fake.reset(), 2_000);
  try {
    await ensureTemplateTable(admin, 'templates');
    await ensureIdempotencyTable(admin, 'idempotency');
    await ensureMessageTable(admin, DEPLOYED_MESSAGES_TABLE);
    await new DynamoDbTemplateStore(admin, { tableName: 'templates' }, silent).putTemplates(
      bundledTemplates(),
    );
    const build = async (folder: string, extraArgs: string[] = [], root = work) => {
      const [built] = await buildLambdas({
        outRoot: join(root, folder),
        only: ['TelephonyHookFunction'],
        extraArgs,
        ...(options.templatePath ? { templatePath: options.templatePath } : {}),
      });
      if (!built) throw new Error('no TelephonyHookFunction bundle');
      return built;
    };
    const bundle = await build('build');

    // Built ahead of a run that takes minutes on a busy machine: the codes must not expire meanwhile.
    const traffic = createTraffic({ expiresInSeconds: 3_600 });
    const total =
      size.warmup + STRUCTURE_REQUESTS + size.rounds * size.requestsPerRound * CONCURRENCIES.length;
    const template = proxyEvent({
      path: '/okta/telephony-hook',
      headers: { 'content-type': 'application/json' },
      body: '',
      sourceIp: '198.51.100.7',
      receivedAt: Date.now(),
      authorizer: { principalId: 'bench', policyDocument: { Version: '2012-10-17', Statement: [] } },
    });
    const bodies = Array.from({ length: total }, (_, i) => traffic.body(i));
    const drive = async (
      driven: LambdaBundle,
      plan: { warmup: number; rounds: number; requestsPerRound: number; concurrencies: readonly number[] },
      execArgv: string[] = [],
      requestBodies: readonly string[] = bodies,
    ): Promise<DriverReport> => {
      const planFile = join(work, `plan-${driven.outdir.split('/').at(-2)}.json`);
      await writeFile(
        planFile,
        JSON.stringify({ template, bodies: requestBodies, structureRequests: STRUCTURE_REQUESTS, ...plan }),
      );
      const child = fork(DRIVER, [pathToFileURL(driven.handlerFile).href, driven.handlerExport, planFile], {
        cwd: driven.outdir,
        execArgv,
        env: {
          ...lambdaProcessEnv(driven),
          ...deployedHookEnvironment({ fakeAws: fake.url, dynamo: dynamo.endpoint }),
        },
        // The function logs every request at INFO, as in Lambda; into the bench log, not the report.
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      return new Promise<DriverReport>((resolve, reject) => {
        let message: DriverReport | undefined;
        child.on('message', (m) => {
          message = m as DriverReport;
        });
        child.on('error', reject);
        child.on('exit', (code) =>
          message ? resolve(message) : reject(new Error(`shipped driver exited with code ${code}`)),
        );
      });
    };
    const nodeOptions = bundle.nodeOptions;
    const report = await drive(bundle, { ...size, concurrencies: CONCURRENCIES });

    let profile: ShippedPathResult['profile'];
    if (options.profile) {
      // The same code with its map beside it, so the profile reads in source files, not minified names.
      // Kept (outside the work folder, which is removed) beside the profile, to summarise it again.
      const kept = await mkdtemp(join(tmpdir(), 'otp-courier-shipped-profile-'));
      const mapped = await build('bundle', ['--sourcemap'], kept);
      const dir = join(work, 'profile');
      // Bodies of its own: the run above claimed every event and code of `bodies` in the same tables, so
      // replaying them would profile the duplicate path (conditional checks failing, counts taken back).
      const profiledBodies = Array.from(
        { length: size.warmup + STRUCTURE_REQUESTS + PROFILED_REQUESTS },
        (_, i) => traffic.body(total + i),
      );
      const profiled = await drive(
        mapped,
        { warmup: size.warmup, rounds: 1, requestsPerRound: PROFILED_REQUESTS, concurrencies: [1] },
        // Every 250 µs (the default is 1 ms): finer shares of a ~10 ms request.
        ['--cpu-prof', '--cpu-prof-interval', '250', '--cpu-prof-dir', dir],
        profiledBodies,
      );
      const [file] = (await readdir(dir)).filter((f) => f.endsWith('.cpuprofile'));
      const [measured] = profiled.passes;
      if (file && measured) {
        const profileFile = join(kept, 'shipped.cpuprofile');
        await copyFile(join(dir, file), profileFile);
        await writeFile(
          join(kept, 'measured-pass.json'),
          JSON.stringify({
            bundle: mapped.handlerFile,
            fromUs: profiled.measuredFromUs,
            toUs: profiled.measuredToUs,
            requests: measured.requests,
            cpuMs: measured.cpuMs,
            systemCpuMs: measured.systemCpuMs,
          }),
        );
        // The measured pass only: import, warm-up and the structure pass are not a request's cost.
        const summary = summariseProfile(
          profileFile,
          mapped.handlerFile,
          24,
          { fromUs: profiled.measuredFromUs, toUs: profiled.measuredToUs },
          'samples',
        );
        const cpuMsPerRequest = measured.cpuMs / measured.requests;
        const systemUs = (measured.systemCpuMs / measured.requests) * 1000;
        // The write syscall's samples are mostly the wait for the CPU after waking dynalite (WRITEV): its
        // real cost is kernel time, which process.cpuUsage() measures, so the measured system CPU stands
        // in for it and the user CPU is shared out by every other busy sample.
        const syscall = summary.bySource.find((c) => c.name === WRITEV)?.samples ?? 0;
        const userUs = cpuMsPerRequest * 1000 - systemUs;
        const share = (samples: number) =>
          round((samples / Math.max(1, summary.busySamples - syscall)) * userUs, 0);
        const busy = (c: { name: string }) => c.name !== '(idle)' && c.name !== WRITEV && c.name !== 'writev';
        profile = {
          file: profileFile,
          ...summary,
          requests: measured.requests,
          cpuMsPerRequest: round(cpuMsPerRequest, 3),
          usPerRequest: [
            { name: 'kernel (system CPU, measured: socket writes and reads)', us: round(systemUs, 0) },
            ...summary.bySource.filter(busy).map((c) => ({ name: c.name, us: share(c.samples) })),
          ],
          framesUsPerRequest: summary.topFrames
            .filter(busy)
            .map((c) => ({ name: c.name, us: share(c.samples) })),
        };
      }
    }

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
      rounds: size.rounds,
      requestsPerRound: size.requestsPerRound,
      levels,
      sdkCallsPerRequest: median(report.structure.map((r) => r.calls)),
      roundTripsPerRequest: median(report.structure.map((r) => r.roundTrips)),
      callSequence: typicalSequence(report.structure),
      structureStatuses,
      ...(profile ? { profile } : {}),
    };
  } finally {
    clearInterval(trim);
    admin.destroy();
    await fake.close();
    await dynamo.close();
    await rm(work, { recursive: true, force: true });
  }
}

/** The most common call sequence of the structure pass. */
function typicalSequence(structure: DriverReport['structure']): string {
  const counts = new Map<string, number>();
  for (const r of structure) counts.set(r.sequence, (counts.get(r.sequence) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? '';
}

const silent = { debug() {}, info() {}, warn() {}, error() {} };
