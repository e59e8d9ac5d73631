import { randomBytes } from 'node:crypto';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbRateCounterStore } from '../../adapters/dynamodb/dynamodb-rate-counter-store';
import { ensureIdempotencyTable } from '../../adapters/dynamodb/idempotency-table';
import { InMemoryRateCounterStore } from '../../adapters/local/in-memory-rate-counter-store';
import type { CounterIncrement, RateCounterStore } from '../../ports/rate-counter-store';
import { createLocalClient, startTestDynamo, type TestDynamo } from '../support/dynalite';
import { FakeAwsEndpoint } from '../support/fake-aws-endpoint';
import '../support/fast-check-seed';

const TABLE = 'idempotency';
const EXPIRES = 1_900_000_000_000;
const key = () => `phone##3600#1764410400#${randomBytes(8).toString('hex')}`;
const inc = (k: string, amount = 1): CounterIncrement => ({ key: k, amount, expiresAt: EXPIRES });

describe('DynamoDbRateCounterStore against dynalite', () => {
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

  it('adds with one UpdateItem per counter, in parallel, and returns the totals in order', async () => {
    const [a, b] = [key(), key()];
    expect(await store.increment([inc(a), inc(b, 8_800)])).toEqual([1, 8_800]);
    expect(await store.increment([inc(a), inc(b, 8_800)])).toEqual([2, 17_600]);
    expect(dynamo.calls).toEqual(['UpdateItem', 'UpdateItem', 'UpdateItem', 'UpdateItem']);
    const { Item } = await dynamo.client.send(
      new GetItemCommand({ TableName: TABLE, Key: { pk: { S: `rate#${a}` } } }),
    );
    expect(Item).toEqual({
      pk: { S: `rate#${a}` },
      total: { N: '2' },
      // The shared table's TTL attribute, in epoch seconds.
      expiresAt: { N: String(EXPIRES / 1000) },
    });
  });

  it('adds to several fields of one item in one write, and takes them back together', async () => {
    const k = key();
    const fields = (amounts: number[]): CounterIncrement[] =>
      amounts.map((amount, i) => ({ key: k, field: `all.${30 * (i + 1)}.0`, amount, expiresAt: EXPIRES }));
    expect(await store.increment(fields([1, 1]))).toEqual([1, 1]);
    expect(await store.increment(fields([1, 2]))).toEqual([2, 3]);
    expect(dynamo.calls).toEqual(['UpdateItem', 'UpdateItem']);
    await store.decrement(fields([1, 1]));
    expect(await store.increment(fields([0, 0]))).toEqual([1, 2]);
    // A take-back larger than one field's total changes neither.
    await store.decrement(fields([1, 5]));
    expect(await store.increment(fields([0, 0]))).toEqual([1, 2]);
  });

  it('never loses a count under concurrency', async () => {
    const k = key();
    await Promise.all(Array.from({ length: 60 }, () => store.increment([inc(k)])));
    expect(await store.increment([inc(k, 0)])).toEqual([60]);
  });

  it('takes back without going below zero, and never re-creates a counter that is gone', async () => {
    const k = key();
    await store.increment([inc(k, 3)]);
    await store.decrement([inc(k, 2)]);
    await store.decrement([inc(k, 2)]); // would go below zero: nothing changes
    expect(await store.increment([inc(k, 0)])).toEqual([1]);
    const gone = key();
    await store.decrement([inc(gone, 1)]);
    const { Item } = await dynamo.client.send(
      new GetItemCommand({ TableName: TABLE, Key: { pk: { S: `rate#${gone}` } } }),
    );
    expect(Item).toBeUndefined();
  });

  it('concurrent take-backs of one counter never take it below zero', async () => {
    const k = key();
    await store.increment([inc(k, 5)]);
    await Promise.all(Array.from({ length: 12 }, () => store.decrement([inc(k, 1)])));
    expect(await store.increment([inc(k, 0)])).toEqual([0]);
  });

  it('refuses negative or fractional amounts before calling DynamoDB', async () => {
    await expect(store.increment([inc(key(), -1)])).rejects.toThrow(RangeError);
    await expect(store.increment([inc(key(), 0.5)])).rejects.toThrow(RangeError);
    expect(dynamo.calls).toEqual([]);
  });

  it('agrees with the in-memory store on any sequence of additions and take-backs, never below zero', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            op: fc.constantFrom('increment' as const, 'decrement' as const),
            counter: fc.integer({ min: 0, max: 2 }),
            amount: fc.integer({ min: 0, max: 5 }),
          }),
          { maxLength: 15 },
        ),
        async (ops) => {
          const keys = [key(), key(), key()];
          const model = new InMemoryRateCounterStore(() => 0);
          for (const { op, counter, amount } of ops) {
            const increments = [inc(keys[counter] as string, amount)];
            for (const target of [store, model] as RateCounterStore[]) {
              if (op === 'increment') await target.increment(increments);
              else await target.decrement(increments);
            }
          }
          const real = await store.increment(keys.map((k) => inc(k, 0)));
          const expected = await model.increment(keys.map((k) => inc(k, 0)));
          expect(real).toEqual(expected);
          for (const total of real) expect(total).toBeGreaterThanOrEqual(0);
        },
      ),
      { numRuns: 12 },
    );
  });
});

describe('DynamoDbRateCounterStore when DynamoDB misbehaves (a real misbehaving endpoint)', () => {
  let fake: FakeAwsEndpoint;
  let client: ReturnType<typeof createLocalClient>;
  beforeAll(async () => {
    fake = await FakeAwsEndpoint.start();
    client = createLocalClient(fake.url);
  });
  afterAll(async () => {
    client.destroy();
    await fake.close();
  });

  it('rejects on a 500, so the caller can fail open or closed', async () => {
    fake.failNext({ type: 'server-error' });
    const store = new DynamoDbRateCounterStore(client, { tableName: TABLE });
    await expect(store.increment([inc(key())])).rejects.toMatchObject({ name: 'InternalServerException' });
  });

  it('gives up as soon as the caller aborts a hanging call', async () => {
    fake.failNext({ type: 'hang' });
    const store = new DynamoDbRateCounterStore(client, { tableName: TABLE });
    const started = Date.now();
    await expect(store.increment([inc(key())], { signal: AbortSignal.timeout(100) })).rejects.toBeDefined();
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
