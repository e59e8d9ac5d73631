/**
 * `npm run bench:reserve`: how long the failure path takes, to size FAILURE_PATH_RESERVE_MS from a
 * measurement instead of a guess. The failure path is what runs after a send is abandoned, before the
 * reply may leave: seal the code (KMS Encrypt), park the letter (SQS SendMessage) and, in parallel,
 * record the claim as failed (two DynamoDB UpdateItems). Measured with the production adapters and SDK
 * clients (the shipped per-client bounds) against the fake AWS endpoint and dynalite on 127.0.0.1,
 * and with the local stack's engines (AES-GCM, JSON-lines file, dynalite):
 *
 *   one at a time   the latency of the path itself, warm clients (a Lambda instance serves one request)
 *   burst of N      N failure paths at once in one process: the cost of CPU contention (event-loop
 *                   lag), which is what a loaded machine or a cold, throttled instance adds
 *
 * Loopback has no network: add the in-region round trips of the real services (see the README) before
 * choosing the reserve. About 20 s; prints a table, and JSON with --json.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDbIdempotencyStore } from '../adapters/dynamodb/dynamodb-idempotency-store';
import { ensureIdempotencyTable } from '../adapters/dynamodb/idempotency-table';
import { KmsSecretSealer } from '../adapters/kms/kms-secret-sealer';
import { AesGcmSecretSealer } from '../adapters/local/aes-gcm-secret-sealer';
import { JsonlDeadLetterQueue } from '../adapters/local/jsonl-dead-letter-queue';
import { SystemClock } from '../adapters/local/system-clock';
import { SqsDeadLetterQueue } from '../adapters/sqs/sqs-dead-letter-queue';
import { boundedClientConfig } from '../app/composition/aws-call-bounds';
import { loadHookCallBounds } from '../app/config/aws-call-bounds-config';
import { startEmbeddedDynamo } from '../app/local/embedded-dynamodb';
import { DEAD_LETTER_VERSION, type DeadLetter } from '../domain/dead-letter';
import type { DeliveryOutcome } from '../domain/delivery-outcome';
import type { DeadLetterQueue } from '../ports/dead-letter-queue';
import type { IdempotencyStore } from '../ports/idempotency-store';
import type { SecretSealer } from '../ports/secret-sealer';
import { FakeAwsEndpoint, fakeAwsClientConfig } from '../test/support/fake-aws-endpoint';
import { distribution, msSince, roundDistribution } from './support/stats';

const { values } = parseArgs({
  options: {
    samples: { type: 'string', default: '300' },
    burst: { type: 'string', default: '30' },
    json: { type: 'boolean', default: false },
  },
});
const SAMPLES = Number(values.samples);
const BURST = Number(values.burst);
const silent = { debug() {}, info() {}, warn() {}, error() {} };

interface Engines {
  readonly name: string;
  readonly sealer: SecretSealer;
  readonly queue: DeadLetterQueue;
  readonly store: IdempotencyStore;
}

/** One failure path as DeliverOtp runs it: (seal → park) ∥ record; the time of each part, in ms. */
async function failurePath(
  engines: Engines,
  claimFirst: () => Promise<{ eventKey: string; codeKey: string }>,
) {
  const keys = await claimFirst();
  const eventId = randomUUID();
  const now = Date.now();
  const start = process.hrtime.bigint();
  let sealMs = 0;
  let parkMs = 0;
  let recordMs = 0;
  const outcome: DeliveryOutcome = {
    status: 'FAILED',
    eventId,
    channel: 'sms',
    provider: 'otp-courier',
    transactionId: '',
    failureReason: 'deadline-exceeded',
    durationMs: 2_200,
  };
  let failed = 0;
  await Promise.all([
    (async () => {
      const t0 = process.hrtime.bigint();
      const sealedCode = await engines.sealer.seal('12345678', eventId);
      sealMs = msSince(t0);
      const letter: DeadLetter = {
        version: DEAD_LETTER_VERSION,
        eventId,
        idp: 'okta',
        purpose: 'verification',
        channel: 'sms',
        to: '+14155550123',
        locale: 'en',
        requestedLocale: 'en-US',
        expiresAt: now + 300_000,
        sealedCode,
        certainty: 'uncertain',
        error: { kind: 'deadline-exceeded', message: 'DeliveryError: sms send failed: AbortError' },
        attempts: 1,
        receivedAt: now - 2_200,
        failedAt: now,
      };
      const t1 = process.hrtime.bigint();
      await engines.queue.park(letter);
      parkMs = msSince(t1);
    })().catch(() => {
      // A call that hit its client's bound: the time until then still counts.
      failed += 1;
      sealMs ||= msSince(start);
      parkMs ||= msSince(start) - sealMs;
    }),
    (async () => {
      const t0 = process.hrtime.bigint();
      await engines.store.complete(keys, 'failed', outcome);
      recordMs = msSince(t0);
    })().catch(() => {
      failed += 1;
      recordMs = msSince(start);
    }),
  ]);
  return { sealMs, parkMs, sealAndParkMs: sealMs + parkMs, recordMs, totalMs: msSince(start), failed };
}

type Sample = Awaited<ReturnType<typeof failurePath>>;

function summarise(samples: readonly Sample[]) {
  const of = (key: Exclude<keyof Sample, 'failed'>) =>
    roundDistribution(distribution(samples.map((s) => s[key])), 1);
  return {
    callsThatFailed: samples.reduce((n, s) => n + s.failed, 0),
    seal: of('sealMs'),
    park: of('parkMs'),
    sealThenPark: of('sealAndParkMs'),
    record: of('recordMs'),
    total: of('totalMs'),
  };
}

async function measure(engines: Engines, dynamoClient: DynamoDBClient) {
  const clock = new SystemClock();
  const claimStore = new DynamoDbIdempotencyStore(dynamoClient, { tableName: 'idempotency' }, silent, clock);
  const claimFirst = async () => {
    const keys = { eventKey: randomUUID(), codeKey: randomUUID() };
    // A claim that hits its bound under load leaves nothing to complete: the record is then a miss, timed.
    await claimStore.claim(keys, Date.now() + 300_000).catch(() => undefined);
    return keys;
  };
  for (let i = 0; i < 20; i++) await failurePath(engines, claimFirst); // warm-up
  const sequential: Sample[] = [];
  for (let i = 0; i < SAMPLES; i++) sequential.push(await failurePath(engines, claimFirst));
  const burst: Sample[] = [];
  for (let wave = 0; wave < Math.max(1, Math.floor(SAMPLES / BURST)); wave++) {
    burst.push(...(await Promise.all(Array.from({ length: BURST }, () => failurePath(engines, claimFirst)))));
  }
  return { engines: engines.name, oneAtATime: summarise(sequential), [`burstOf${BURST}`]: summarise(burst) };
}

const loadBefore = loadavg();
const fake = await FakeAwsEndpoint.start();
const dynamo = await startEmbeddedDynamo({});
const dir = await mkdtemp(join(tmpdir(), 'otp-courier-reserve-'));
// The hook's shipped per-client bounds (loadHookCallBounds defaults), as awsHookAdapters builds them.
const bounds = loadHookCallBounds({});
const dynamoClient = new DynamoDBClient({
  endpoint: dynamo.endpoint,
  region: 'local',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  ...boundedClientConfig(bounds.dynamodb),
});
const aws = fakeAwsClientConfig(fake);
const kms = new KMSClient({ ...aws, ...boundedClientConfig(bounds.kms) });
const sqs = new SQSClient({ ...aws, ...boundedClientConfig(bounds.sqs) });
try {
  await ensureIdempotencyTable(dynamoClient, 'idempotency');
  const store = new DynamoDbIdempotencyStore(
    dynamoClient,
    { tableName: 'idempotency' },
    silent,
    new SystemClock(),
  );
  const results = [
    await measure(
      {
        name: 'AWS adapters (KMS, SQS, DynamoDB) via the SDK on loopback',
        sealer: new KmsSecretSealer(kms, { keyId: 'alias/otp-courier-sealing' }),
        queue: new SqsDeadLetterQueue(sqs, { queueUrl: `${fake.url}/000000000000/dlq` }),
        store,
      },
      dynamoClient,
    ),
    await measure(
      {
        name: 'local stack (AES-GCM, JSON-lines file, dynalite)',
        sealer: new AesGcmSecretSealer(randomBytes(32)),
        queue: new JsonlDeadLetterQueue(join(dir, 'dead-letters.jsonl')),
        store,
      },
      dynamoClient,
    ),
  ];
  const report = {
    samples: SAMPLES,
    burst: BURST,
    loadAverage: { before: loadBefore, after: loadavg() },
    results,
  };
  if (values.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    process.stdout.write(
      `failure path (seal → park ∥ record), ms; ${SAMPLES} samples; load average ${loadBefore.map((l) => l.toFixed(1)).join(' ')}\n`,
    );
    for (const r of results) {
      process.stdout.write(`\n${r.engines}\n`);
      for (const [mode, parts] of Object.entries(r).filter(([k]) => k !== 'engines')) {
        process.stdout.write(`  ${mode}\n`);
        const { callsThatFailed, ...distributions } = parts as Record<string, unknown>;
        process.stdout.write(`    calls that hit their bound: ${callsThatFailed}\n`);
        for (const [part, d] of Object.entries(
          distributions as Record<string, ReturnType<typeof distribution>>,
        )) {
          process.stdout.write(
            `    ${part.padEnd(13)} p50 ${String(d.p50).padStart(6)}   p99 ${String(d.p99).padStart(6)}   max ${String(d.max).padStart(6)}\n`,
          );
        }
      }
    }
  }
} finally {
  kms.destroy();
  sqs.destroy();
  dynamoClient.destroy();
  await fake.close();
  await dynamo.close();
  await rm(dir, { recursive: true, force: true });
}
