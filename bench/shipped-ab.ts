/**
 * `npx tsx bench/shipped-ab.ts <before template.yaml> [after template.yaml] [--rounds 12] [--requests 150]
 * [--concurrency 1]`: the shipped path of two builds, interleaved pass by pass.
 *
 * `npm run bench -- --only shipped-path` runs one build for minutes; on a machine shared by several
 * engineers the load moves by 2x in that time, so two such runs differ by more than most changes. Here
 * both builds run at once, each in its own driver process exactly as the shipped-path section drives one
 * (bench/shipped-driver.mjs: the bundle as sam build makes it, the function's environment, dynalite and
 * the fake AWS endpoint in this process), and take turns: a pass of one, then a pass of the other (ABBA
 * order, so neither always goes first), so the load falls on both alike. Reported: each build's median
 * CPU per request over the rounds, and the median of the per-round differences.
 */
import { fork } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { DynamoDbTemplateStore } from '../adapters/dynamodb/dynamodb-template-store';
import { ensureIdempotencyTable } from '../adapters/dynamodb/idempotency-table';
import { ensureMessageTable } from '../adapters/dynamodb/message-table';
import { ensureTemplateTable } from '../adapters/dynamodb/template-table';
import { bundledTemplates } from '../adapters/i18n/i18next-template-store';
import { proxyEvent } from '../app/local/api-gateway-events';
import { startEmbeddedDynamo } from '../app/local/embedded-dynamodb';
import { buildLambdas, type LambdaBundle } from '../scripts/build-lambdas';
import { createLocalClient } from '../test/support/dynalite';
import { FakeAwsEndpoint } from '../test/support/fake-aws-endpoint';
import { DEPLOYED_MESSAGES_TABLE, deployedHookEnvironment } from '../test/support/local-lambda-environment';
import { createTraffic } from './support/hook-traffic';
import { lambdaProcessEnv } from './support/lambda-runtime';
import { machineSpeedMs } from './support/machine-speed';
import { median } from './support/stats';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    rounds: { type: 'string', default: '12' },
    requests: { type: 'string', default: '150' },
    warmup: { type: 'string', default: '800' },
    concurrency: { type: 'string', default: '1' },
  },
});
const [beforeTemplate, afterTemplate = 'template.yaml'] = positionals;
if (!beforeTemplate) throw new Error('usage: shipped-ab.ts <before template.yaml> [after template.yaml]');
const rounds = Number(values.rounds);
const requests = Number(values.requests);
const warmup = Number(values.warmup);
const concurrency = Number(values.concurrency);
const DRIVER = fileURLToPath(new URL('./shipped-driver.mjs', import.meta.url));

interface Pass {
  readonly requests: number;
  readonly cpuMs: number;
  readonly systemCpuMs: number;
  readonly wallMs: number;
  readonly p50: number;
  readonly statuses: Readonly<Record<string, number>>;
}

const speedBefore = machineSpeedMs();
const loadBefore = loadavg();
const work = await mkdtemp(join(tmpdir(), 'otp-courier-shipped-ab-'));
const dynamo = await startEmbeddedDynamo({});
const fake = await FakeAwsEndpoint.start();
const admin = createLocalClient(dynamo.endpoint);
const trim = setInterval(() => fake.reset(), 2_000);
const silent = { debug() {}, info() {}, warn() {}, error() {} };
try {
  await ensureTemplateTable(admin, 'templates');
  await ensureIdempotencyTable(admin, 'idempotency');
  await ensureMessageTable(admin, DEPLOYED_MESSAGES_TABLE);
  await new DynamoDbTemplateStore(admin, { tableName: 'templates' }, silent).putTemplates(bundledTemplates());
  const build = async (name: string, templatePath: string): Promise<LambdaBundle> => {
    const [built] = await buildLambdas({
      outRoot: join(work, name),
      only: ['TelephonyHookFunction'],
      templatePath: resolve(templatePath),
    });
    if (!built) throw new Error(`no TelephonyHookFunction bundle from ${templatePath}`);
    return built;
  };
  const bundles = {
    before: await build('before', beforeTemplate),
    after: await build('after', afterTemplate),
  };
  const traffic = createTraffic({ expiresInSeconds: 3_600 });
  const perDriver = warmup + rounds * requests + 10;
  const template = proxyEvent({
    path: '/okta/telephony-hook',
    headers: { 'content-type': 'application/json' },
    body: '',
    sourceIp: '198.51.100.7',
    receivedAt: Date.now(),
    authorizer: { principalId: 'bench', policyDocument: { Version: '2012-10-17', Statement: [] } },
  });
  const start = async (side: 'before' | 'after', offset: number) => {
    const bundle = bundles[side];
    const planFile = join(work, `plan-${side}.json`);
    // Bodies of its own for each build: they share the tables, and a replayed event is a duplicate.
    const bodies = Array.from({ length: perDriver }, (_, i) => traffic.body(offset + i));
    await writeFile(
      planFile,
      JSON.stringify({ template, bodies, warmup, interleaved: true, structureRequests: 0, rounds: 0 }),
    );
    const child = fork(DRIVER, [pathToFileURL(bundle.handlerFile).href, bundle.handlerExport, planFile], {
      cwd: bundle.outdir,
      env: {
        ...lambdaProcessEnv(bundle),
        ...deployedHookEnvironment({ fakeAws: fake.url, dynamo: dynamo.endpoint }),
      },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    const replies: ((message: unknown) => void)[] = [];
    child.on('message', (message) => replies.shift()?.(message));
    const next = () => new Promise<unknown>((resolveReply) => replies.push(resolveReply));
    await next(); // warmed up
    return {
      child,
      pass: async (): Promise<Pass> => {
        const reply = next();
        child.send({ requests, concurrency });
        return (await reply) as Pass;
      },
    };
  };
  // Warmed up one after the other, so neither's warm-up competes with the other's.
  const drivers = { before: await start('before', 0), after: await start('after', perDriver) };
  const results: Record<'before' | 'after', Pass[]> = { before: [], after: [] };
  for (let round = 0; round < rounds; round++) {
    const order: ('before' | 'after')[] = round % 2 === 0 ? ['before', 'after'] : ['after', 'before'];
    for (const side of order) results[side].push(await drivers[side].pass());
    const [b, a] = [results.before.at(-1), results.after.at(-1)] as [Pass, Pass];
    console.log(
      `round ${round + 1}: before ${(b.cpuMs / b.requests).toFixed(3)} ms CPU/req, after ${(a.cpuMs / a.requests).toFixed(3)} (load ${loadavg()[0]?.toFixed(2)})`,
    );
  }
  for (const d of Object.values(drivers)) d.child.send('exit');
  const perRequest = (p: Pass) => p.cpuMs / p.requests;
  const statuses = (passes: Pass[]) => {
    const all: Record<string, number> = {};
    for (const p of passes) for (const [s, n] of Object.entries(p.statuses)) all[s] = (all[s] ?? 0) + n;
    return JSON.stringify(all);
  };
  const diffs = results.before.map((b, i) => perRequest(results.after[i] as Pass) - perRequest(b));
  const med = (passes: Pass[], f: (p: Pass) => number) => median(passes.map(f)).toFixed(3);
  console.log(
    `\n${rounds} rounds × ${requests} requests, concurrency ${concurrency}; load ${loadBefore[0]?.toFixed(2)} → ${loadavg()[0]?.toFixed(2)}; speed index ${speedBefore.toFixed(1)} → ${machineSpeedMs().toFixed(1)} ms`,
  );
  for (const side of ['before', 'after'] as const) {
    console.log(
      `${side.padEnd(6)} (${side === 'before' ? beforeTemplate : afterTemplate}): CPU ${med(results[side], perRequest)} ms/req (system ${med(results[side], (p) => p.systemCpuMs / p.requests)}), p50 ${med(results[side], (p) => p.p50)} ms; ${statuses(results[side])}`,
    );
  }
  console.log(
    `after − before, median of the ${rounds} paired rounds: ${median(diffs).toFixed(3)} ms CPU/req (${diffs.map((d) => d.toFixed(2)).join(' ')}); after was lower in ${diffs.filter((d) => d < 0).length} of ${rounds}`,
  );
} finally {
  clearInterval(trim);
  admin.destroy();
  await fake.close();
  await dynamo.close();
  await rm(work, { recursive: true, force: true });
}
