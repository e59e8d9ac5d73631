import { randomBytes } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbIdempotencyStore } from '../../adapters/dynamodb/dynamodb-idempotency-store';
import { DynamoDbRateCounterStore } from '../../adapters/dynamodb/dynamodb-rate-counter-store';
import { ensureIdempotencyTable } from '../../adapters/dynamodb/idempotency-table';
import { I18nextTemplateStore } from '../../adapters/i18n/i18next-template-store';
import { AesGcmSecretSealer } from '../../adapters/local/aes-gcm-secret-sealer';
import { HmacFingerprinter } from '../../adapters/local/hmac-fingerprinter';
import { InMemoryIdempotencyStore } from '../../adapters/local/in-memory-idempotency-store';
import { InMemoryRateCounterStore } from '../../adapters/local/in-memory-rate-counter-store';
import { SystemClock } from '../../adapters/local/system-clock';
import { buildHookContainer, type HookAdapters } from '../../app/composition/hook-container';
import { loadBrakesConfig } from '../../app/config/brakes-config';
import { loadDeliveryConfig } from '../../app/config/delivery-config';
import { DeliverOtp } from '../../app/deliver-otp';
import { startEmbeddedDynamo } from '../../app/local/embedded-dynamodb';
import { Deadline } from '../../domain/deadline';
import type { DeliveryOutcome } from '../../domain/delivery-outcome';
import type { DeliveryRequest } from '../../domain/delivery-request';
import type { IdempotencyStore } from '../../ports/idempotency-store';
import type { LogFields, Logger } from '../../ports/logger';
import type { RateCounterStore } from '../../ports/rate-counter-store';
import { countCommands, createLocalClient } from '../../test/support/dynalite';
import { MemoryDeadLetters } from '../../test/support/memory-dead-letters';
import { startDelayingProxy } from '../support/delaying-proxy';
import { startFixedLatencyDynamo } from '../support/fixed-latency-dynamodb';
import { trafficShape } from '../support/hook-traffic';
import { type Distribution, distribution, msSince, roundDistribution } from '../support/stats';
import { ZeroLatencySender } from '../support/zero-latency-sender';

export interface BrakesLatencyResult {
  /** In-process, in-memory stores: the brakes' CPU per request. */
  readonly cpu: {
    readonly requests: number;
    readonly withoutUs: number;
    readonly withUs: number;
    readonly addedUs: number;
  };
  /** Sequential requests against dynalite behind a proxy adding a network round trip to every call. */
  readonly dynamo: {
    readonly roundTripMs: number;
    readonly requests: number;
    readonly without: Distribution;
    readonly with: Distribution;
    readonly addedP50Ms: number;
    readonly callsPerRequestWithout: number;
    readonly callsPerRequestWith: number;
    readonly refused: number;
  };
  /** The same against a DynamoDB stand-in that answers after a fixed round trip and does no work. */
  readonly roundTrips: {
    readonly roundTripMs: number;
    readonly requests: number;
    readonly without: Distribution;
    readonly with: Distribution;
    readonly addedP50Ms: number;
  };
}

const CPU_WARMUP = 3_000;
const CPU_REQUESTS = 10_000;
const DYNAMO_REQUESTS = 200;
const ROUND_TRIP_MS = 8;

class SilentLogger implements Logger {
  refused = 0;
  debug(): void {}
  info(): void {}
  warn(message: string, _fields?: LogFields): void {
    if (message === 'otp refused by brakes') this.refused += 1;
  }
  error(): void {}
}

/** Requests that no limit refuses: phones, users and client IPs all vary, as a real org's do. */
function requests(count: number, tag: string): DeliveryRequest[] {
  return Array.from({ length: count }, (_, i) => ({
    eventId: `brakes-${tag}-${i}`,
    idp: 'okta',
    purpose: 'verification',
    channel: i % 5 === 4 ? 'voice' : 'sms',
    phone: trafficShape(i).phone,
    code: String(10_000_000 + i),
    expiresAt: new Date(Date.now() + 3_600_000),
    requestedLocale: 'en-US',
    clientIp: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
    userId: `00u${tag}${i}`,
  }));
}

function deliverOtp(
  idempotency: IdempotencyStore,
  counters: RateCounterStore | undefined,
  logger: Logger,
): { execute(request: DeliveryRequest): Promise<DeliveryOutcome> } {
  const { delivery, hook } = loadDeliveryConfig({ BRAND_NAME: 'Acme' });
  const adapters: HookAdapters = {
    templates: new I18nextTemplateStore(),
    sender: new ZeroLatencySender(),
    idempotency,
    deadLetters: new MemoryDeadLetters(),
    sealer: new AesGcmSecretSealer(randomBytes(32)),
    fingerprinter: new HmacFingerprinter(randomBytes(32)),
    clock: new SystemClock(),
    logger,
    delivery,
    hook,
    ...(counters ? { brakes: { counters, settings: loadBrakesConfig({}) } } : {}),
  };
  const useCase = buildHookContainer(adapters).get(DeliverOtp);
  return { execute: (request) => useCase.execute(request, Deadline.after(Date.now(), hook.deadlineMs)) };
}

async function cpuPerRequestUs(withBrakes: boolean): Promise<number> {
  const deliver = deliverOtp(
    new InMemoryIdempotencyStore(),
    withBrakes ? new InMemoryRateCounterStore() : undefined,
    new SilentLogger(),
  );
  for (const request of requests(CPU_WARMUP, `w${withBrakes}`)) await deliver.execute(request);
  const measured = requests(CPU_REQUESTS, `m${withBrakes}`);
  const started = process.hrtime.bigint();
  for (const request of measured) await deliver.execute(request);
  return (msSince(started) * 1000) / CPU_REQUESTS;
}

async function dynamoRun(client: DynamoDBClient, calls: string[], withBrakes: boolean) {
  const logger = new SilentLogger();
  const clock = new SystemClock();
  const deliver = deliverOtp(
    new DynamoDbIdempotencyStore(client, { tableName: 'idempotency' }, logger, clock),
    withBrakes ? new DynamoDbRateCounterStore(client, { tableName: 'idempotency' }) : undefined,
    logger,
  );
  // Warm the SDK, the connections and the template cache first.
  for (const request of requests(20, `dw${withBrakes}`)) await deliver.execute(request);
  calls.length = 0;
  const samples: number[] = [];
  for (const request of requests(DYNAMO_REQUESTS, `dm${withBrakes}`)) {
    const started = process.hrtime.bigint();
    await deliver.execute(request);
    samples.push(msSince(started));
  }
  return { samples, calls: calls.length / DYNAMO_REQUESTS, refused: logger.refused };
}

async function fixedLatencyRuns(): Promise<BrakesLatencyResult['roundTrips']> {
  const fake = await startFixedLatencyDynamo(ROUND_TRIP_MS);
  const client = createLocalClient(fake.url, { maxAttempts: 2 });
  const calls = countCommands(client);
  try {
    // Alternate to share drift in machine load.
    const without = await dynamoRun(client, calls, false);
    const withBrakes = await dynamoRun(client, calls, true);
    const without2 = await dynamoRun(client, calls, false);
    const withBrakes2 = await dynamoRun(client, calls, true);
    const a = distribution([...without.samples, ...without2.samples]);
    const b = distribution([...withBrakes.samples, ...withBrakes2.samples]);
    return {
      roundTripMs: ROUND_TRIP_MS,
      requests: a.count,
      without: roundDistribution(a),
      with: roundDistribution(b),
      addedP50Ms: Math.round((b.p50 - a.p50) * 100) / 100,
    };
  } finally {
    client.destroy();
    await fake.close();
  }
}

/**
 * What the brakes add to a request: CPU in-process, and latency against DynamoDB with a realistic round
 * trip. The counters go out beside the idempotency claim, so with the round trip they should cost about
 * nothing on the critical path; what they add is DynamoDB writes (one per counter).
 */
export async function runBrakesLatency(): Promise<BrakesLatencyResult> {
  // Alternate the two to share any drift in machine load between them.
  const without1 = await cpuPerRequestUs(false);
  const with1 = await cpuPerRequestUs(true);
  const without2 = await cpuPerRequestUs(false);
  const with2 = await cpuPerRequestUs(true);
  const withoutUs = Math.min(without1, without2);
  const withUs = Math.min(with1, with2);

  const dynamo = await startEmbeddedDynamo({});
  const proxy = await startDelayingProxy(dynamo.endpoint, ROUND_TRIP_MS);
  const client = createLocalClient(proxy.url, { maxAttempts: 2 });
  const calls = countCommands(client);
  try {
    const direct = createLocalClient(dynamo.endpoint);
    await ensureIdempotencyTable(direct, 'idempotency');
    direct.destroy();
    const without = await dynamoRun(client, calls, false);
    const withBrakes = await dynamoRun(client, calls, true);
    const a = distribution(without.samples);
    const b = distribution(withBrakes.samples);
    const fixed = await fixedLatencyRuns();
    return {
      roundTrips: fixed,
      cpu: {
        requests: CPU_REQUESTS,
        withoutUs: Math.round(withoutUs),
        withUs: Math.round(withUs),
        addedUs: Math.round(withUs - withoutUs),
      },
      dynamo: {
        roundTripMs: ROUND_TRIP_MS,
        requests: DYNAMO_REQUESTS,
        without: roundDistribution(a),
        with: roundDistribution(b),
        addedP50Ms: Math.round((b.p50 - a.p50) * 100) / 100,
        callsPerRequestWithout: without.calls,
        callsPerRequestWith: withBrakes.calls,
        refused: withBrakes.refused,
      },
    };
  } finally {
    client.destroy();
    await proxy.close();
    await dynamo.close();
  }
}
