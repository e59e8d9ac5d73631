import { randomBytes } from 'node:crypto';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbRateCounterStore } from '../../adapters/dynamodb/dynamodb-rate-counter-store';
import { ensureIdempotencyTable } from '../../adapters/dynamodb/idempotency-table';
import { CoarseCounters } from '../../app/coarse-counters';
import { loadBrakesConfig } from '../../app/config/brakes-config';
import type { DeliveryRequest } from '../../domain/delivery-request';
import type { CounterIncrement } from '../../ports/rate-counter-store';
import { policyWith } from '../support/brake-policy';
import { brakedDelivery } from '../support/braked-delivery';
import { startTestDynamo, type TestDynamo } from '../support/dynalite';

const TABLE = 'idempotency';
const START = Date.UTC(2026, 10, 30, 9, 0, 0);

describe('coarse guards against dynalite', () => {
  let dynamo: TestDynamo;
  let store: DynamoDbRateCounterStore;

  beforeAll(async () => {
    dynamo = await startTestDynamo();
    await ensureIdempotencyTable(dynamo.client, TABLE);
  });
  afterAll(() => dynamo.close());
  beforeEach(() => {
    store = new DynamoDbRateCounterStore(dynamo.client, { tableName: TABLE });
    dynamo.calls.length = 0;
  });

  async function stored(key: string, field = 'total'): Promise<number> {
    const { Item } = await dynamo.client.send(
      new GetItemCommand({ TableName: TABLE, Key: { pk: { S: `rate#${key}` } }, ConsistentRead: true }),
    );
    return Number(Item?.[field]?.N ?? 0);
  }

  it('two instances: one UpdateItem per instance per interval, every field of an item in it, nothing lost', async () => {
    const time = { now: START };
    const clock = { now: () => time.now };
    const key = `spend#86400#1795996800#${randomBytes(4).toString('hex')}`;
    const spend = (amount: number, country: string): CounterIncrement[] => [
      { key, amount, expiresAt: START + 86_400_000 },
      { key, field: `country.${country}`, amount, expiresAt: START + 86_400_000 },
    ];
    const [a, b] = [new CoarseCounters(store, clock, 1000), new CoarseCounters(store, clock, 1000)];
    let truth = 0;
    for (let i = 0; i < 40; i++) {
      time.now += 20;
      const [estimate] = await (i % 2 ? b : a).increment(spend(8_800, 'US'));
      truth += 8_800;
      expect(estimate).toBeLessThanOrEqual(truth);
    }
    // 800 ms of traffic: each instance read the item once, on its first request.
    expect(dynamo.calls).toEqual(['UpdateItem', 'UpdateItem']);
    time.now += 1000;
    const [total, us] = (await a.increment(spend(0, 'US'))) as [number, number];
    await b.increment(spend(0, 'US'));
    expect(dynamo.calls).toHaveLength(4);
    expect(await stored(key)).toBe(truth);
    expect(await stored(key, 'country.US')).toBe(truth);
    // a wrote before b: it misses b's pending counts, at most one interval of b's requests.
    expect(truth - total).toBeLessThanOrEqual(20 * 8_800);
    expect(us).toBe(total);
  });

  it('a take-back already written offsets later counts; the stored total never goes below what was sent', async () => {
    const time = { now: START };
    const counters = new CoarseCounters(store, { now: () => time.now }, 1000);
    const key = `country#3600#1796029200#${randomBytes(4).toString('hex')}`;
    const one = (amount: number): CounterIncrement => ({ key, amount, expiresAt: START + 3_600_000 });
    await counters.increment([one(2)]);
    counters.decrement([one(2)]);
    time.now += 1000;
    expect(await counters.increment([one(1)])).toEqual([1]);
    expect(await stored(key)).toBe(2);
    time.now += 1000;
    expect(await counters.increment([one(4)])).toEqual([5]);
    expect(await stored(key)).toBe(5);
  });

  it('a sign-in through the brakes costs three counter writes (phone, user, client), not five', async () => {
    let n = 0;
    const request = (): DeliveryRequest => {
      n += 1;
      return {
        eventId: `evt-${n}-${randomBytes(4).toString('hex')}`,
        idp: 'okta',
        purpose: 'verification',
        channel: 'sms',
        phone: `+336123456${String(10 + n).padStart(2, '0')}`,
        code: String(200_000 + n),
        expiresAt: new Date(START + 300_000),
        requestedLocale: 'en',
        clientIp: '198.51.100.20',
        userId: `00u${n}`,
      };
    };
    // The shipped limits, with a client limit a test can reach.
    const { limits } = loadBrakesConfig({
      BRAKES_LIMITS:
        'phone=2/30s, phone=10/1h, user=10/1h, prefix[enrollment]=10/1h, ip=6/1h, country=10000/1h',
    }).policy;
    const run = (coarseFlushMs: number) =>
      brakedDelivery({ counters: store, coarseFlushMs, policy: policyWith({ limits }), start: START });
    const exact = run(0);
    await exact.deliver.execute(request());
    expect(dynamo.calls.filter((c) => c === 'UpdateItem')).toHaveLength(5);

    const coarse = run(1000);
    dynamo.calls.length = 0;
    await coarse.deliver.execute(request()); // reads the country and spend items once
    expect(dynamo.calls.filter((c) => c === 'UpdateItem')).toHaveLength(5);
    dynamo.calls.length = 0;
    for (let i = 0; i < 5; i++) {
      coarse.time.now += 100;
      expect((await coarse.deliver.execute(request())).status).toBe('SUCCESSFUL');
    }
    expect(dynamo.calls.filter((c) => c === 'UpdateItem')).toHaveLength(15);
    expect(coarse.sender.sent).toHaveLength(6);
    // The per-subject counters stay exact, request by request: the seventh from this client is refused.
    coarse.time.now += 100;
    expect(await coarse.deliver.execute(request())).toMatchObject({
      status: 'FAILED',
      failureReason: 'refused.ip.1h',
    });
  });
});
