import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbTemplateStore } from '../../adapters/dynamodb/dynamodb-template-store';
import { ensureTemplateTable } from '../../adapters/dynamodb/template-table';
import { CachedTemplateStore } from '../../app/cached-template-store';
import type { MessageTemplate } from '../../domain/message-template';
import type { Logger } from '../../ports/logger';
import type { TemplateQuery, TemplateStore } from '../../ports/template-store';
import { startTestDynamo, type TestDynamo } from '../support/dynalite';

const TABLE = 'templates';
const QUERY: TemplateQuery = {
  channel: 'sms',
  locales: ['pt-BR', 'pt', 'en'],
  purposes: ['verification', 'generic'],
};
const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };

function manualClock(start = 1_750_000_000_000) {
  let now = start;
  return {
    now: () => now,
    advance(ms: number) {
      now += ms;
    },
  };
}

function errorLogger(): Logger & { errors: string[] } {
  const errors: string[] = [];
  return {
    ...silent,
    errors,
    error: (message, fields) => errors.push(`${message} ${JSON.stringify(fields)}`),
  };
}

describe('CachedTemplateStore over DynamoDB (dynalite)', () => {
  let dynamo: TestDynamo;

  beforeAll(async () => {
    dynamo = await startTestDynamo();
    await ensureTemplateTable(dynamo.client, TABLE);
    await new DynamoDbTemplateStore(dynamo.client, { tableName: TABLE }, silent).putTemplates([
      { locale: 'pt', channel: 'sms', purpose: 'generic', body: 'Código: {{code}}', source: 'dynamodb' },
    ]);
  });
  afterAll(() => dynamo.close());
  beforeEach(() => {
    dynamo.calls.length = 0;
  });

  it('cold: one BatchGetItem; warm: no DynamoDB call; after the TTL: one again', async () => {
    const clock = manualClock();
    const store = new CachedTemplateStore(
      new DynamoDbTemplateStore(dynamo.client, { tableName: TABLE }, silent),
      clock,
      silent,
    );
    const cold = await store.find(QUERY);
    expect(cold.map((t) => t.locale)).toEqual(['pt']);
    expect(dynamo.calls).toEqual(['BatchGetItem']);

    clock.advance(299_000);
    expect(await store.find(QUERY)).toBe(cold);
    expect(await store.find({ ...QUERY })).toBe(cold);
    expect(dynamo.calls).toEqual(['BatchGetItem']);

    clock.advance(2_000);
    await store.find(QUERY);
    expect(dynamo.calls).toEqual(['BatchGetItem', 'BatchGetItem']);
  });

  it('caches per exact query', async () => {
    const store = new CachedTemplateStore(
      new DynamoDbTemplateStore(dynamo.client, { tableName: TABLE }, silent),
      manualClock(),
      silent,
    );
    await store.find(QUERY);
    await store.find({ ...QUERY, purposes: ['password-reset', 'generic'] });
    await store.find({ ...QUERY, channel: 'voice' });
    expect(dynamo.calls).toHaveLength(3);
  });

  it('prime: one BatchGetItem for a superset answers each of its sub-queries with no further call', async () => {
    const clock = manualClock();
    const store = new CachedTemplateStore(
      new DynamoDbTemplateStore(dynamo.client, { tableName: TABLE }, silent),
      clock,
      silent,
    );
    const queries: TemplateQuery[] = [
      { channel: 'sms', locales: ['pt'], purposes: ['verification', 'generic'] },
      { channel: 'sms', locales: ['pt-BR', 'pt'], purposes: ['enrollment', 'generic'] },
      { channel: 'sms', locales: ['pt-BR'], purposes: ['enrollment', 'generic'] },
    ];
    const superset: TemplateQuery = {
      channel: 'sms',
      locales: ['pt-BR', 'pt'],
      purposes: ['verification', 'enrollment', 'generic'],
    };
    expect(await store.prime(superset, queries)).toBe(1);
    expect(dynamo.calls).toEqual(['BatchGetItem']);
    // Exactly what the table holds for each query, as a miss would have found.
    expect((await store.find(queries[0] as TemplateQuery)).map((t) => t.locale)).toEqual(['pt']);
    expect((await store.find(queries[1] as TemplateQuery)).map((t) => t.locale)).toEqual(['pt']);
    expect(await store.find(queries[2] as TemplateQuery)).toEqual([]);
    expect(dynamo.calls).toEqual(['BatchGetItem']);
    // Primed entries age like any other.
    clock.advance(301_000);
    await store.find(queries[0] as TemplateQuery);
    expect(dynamo.calls).toEqual(['BatchGetItem', 'BatchGetItem']);
  });

  it('prime refuses a query its superset does not cover, before any call', async () => {
    const store = new CachedTemplateStore(
      new DynamoDbTemplateStore(dynamo.client, { tableName: TABLE }, silent),
      manualClock(),
      silent,
    );
    await expect(
      store.prime({ channel: 'sms', locales: ['pt'], purposes: ['generic'] }, [
        { channel: 'sms', locales: ['pt-BR', 'pt'], purposes: ['generic'] },
      ]),
    ).rejects.toThrow(RangeError);
    expect(dynamo.calls).toEqual([]);
  });

  it('concurrent misses share one DynamoDB call', async () => {
    const store = new CachedTemplateStore(
      new DynamoDbTemplateStore(dynamo.client, { tableName: TABLE }, silent),
      manualClock(),
      silent,
    );
    const results = await Promise.all(Array.from({ length: 20 }, () => store.find(QUERY)));
    expect(new Set(results).size).toBe(1);
    expect(dynamo.calls).toEqual(['BatchGetItem']);
  });
});

describe('CachedTemplateStore when DynamoDB goes down', () => {
  it('serves stale templates within the max stale age, then errors', async () => {
    const dynamo = await startTestDynamo();
    await ensureTemplateTable(dynamo.client, TABLE);
    await new DynamoDbTemplateStore(dynamo.client, { tableName: TABLE }, silent).putTemplates([
      { locale: 'en', channel: 'sms', purpose: 'generic', body: 'Code {{code}}', source: 'dynamodb' },
    ]);
    const clock = manualClock();
    const logger = errorLogger();
    const store = new CachedTemplateStore(
      new DynamoDbTemplateStore(dynamo.client, { tableName: TABLE }, silent),
      clock,
      logger,
      { ttlMs: 300_000, maxStaleMs: 3_600_000, errorBackoffMs: 5_000 },
    );
    dynamo.calls.length = 0;
    const good = await store.find(QUERY);
    expect(good).toHaveLength(1);

    await dynamo.close(); // the real client now gets ECONNREFUSED
    clock.advance(301_000);
    expect(await store.find(QUERY)).toBe(good);
    expect(dynamo.calls).toEqual(['BatchGetItem', 'BatchGetItem']);
    expect(logger.errors).toHaveLength(1);
    expect(logger.errors[0]).toMatch(/"servingStale":true/);

    // Within the error backoff, stale is served without paying for another failing call.
    clock.advance(4_000);
    expect(await store.find(QUERY)).toBe(good);
    expect(dynamo.calls).toHaveLength(2);

    clock.advance(2_000);
    expect(await store.find(QUERY)).toBe(good);
    expect(dynamo.calls).toHaveLength(3);

    clock.advance(3_600_000);
    await expect(store.find(QUERY)).rejects.toThrow();
    expect(logger.errors.at(-1)).toMatch(/"servingStale":false/);
  });

  it('rethrows when there is nothing to serve, and backs off before asking again', async () => {
    const clock = manualClock();
    let calls = 0;
    const failing: TemplateStore = {
      find: async () => {
        calls++;
        throw new Error('down');
      },
    };
    const store = new CachedTemplateStore(failing, clock, errorLogger());
    await expect(store.find(QUERY)).rejects.toThrow('down');
    await expect(store.find(QUERY)).rejects.toThrow('down');
    expect(calls).toBe(1);
    clock.advance(5_000);
    await expect(store.find(QUERY)).rejects.toThrow('down');
    expect(calls).toBe(2);
  });

  it('recovers: a later success replaces the stale answer', async () => {
    const clock = manualClock();
    let answer: readonly MessageTemplate[] | Error = [];
    const inner: TemplateStore = {
      find: async () => {
        if (answer instanceof Error) throw answer;
        return answer;
      },
    };
    const store = new CachedTemplateStore(inner, clock, errorLogger(), { errorBackoffMs: 0 });
    const v1 = [
      { locale: 'en', channel: 'sms', purpose: 'generic', body: 'v1 {{code}}', source: 'dynamodb' },
    ] as const;
    const v2 = [{ ...v1[0], body: 'v2 {{code}}' }];
    answer = v1;
    expect(await store.find(QUERY)).toBe(v1);
    answer = new Error('down');
    clock.advance(400_000);
    expect(await store.find(QUERY)).toBe(v1);
    answer = v2;
    clock.advance(1);
    expect(await store.find(QUERY)).toBe(v2);
  });
});
