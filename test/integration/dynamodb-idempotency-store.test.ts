import { randomBytes } from 'node:crypto';
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbIdempotencyStore } from '../../adapters/dynamodb/dynamodb-idempotency-store';
import { ensureIdempotencyTable } from '../../adapters/dynamodb/idempotency-table';
import { boundedClientConfig } from '../../app/composition/aws-call-bounds';
import type { DeliveryOutcome } from '../../domain/delivery-outcome';
import type { IdempotencyKeys } from '../../ports/idempotency-store';
import { DelayAnswerProxy } from '../support/delay-answer-proxy';
import { countCommands, createLocalClient, startTestDynamo, type TestDynamo } from '../support/dynalite';
import '../support/fast-check-seed';
import { RecordingLogger } from '../support/recording-logger';

const TABLE = 'idempotency';
const T0 = 1_750_000_000_000;
const OTP_LIFE_MS = 300_000;

const hex = () => randomBytes(32).toString('hex');
const newKeys = (): IdempotencyKeys => ({ eventKey: hex(), codeKey: hex() });

const outcome: DeliveryOutcome = {
  status: 'SUCCESSFUL',
  eventId: 'evt-1',
  channel: 'sms',
  provider: 'local-outbox',
  transactionId: 'msg-123',
  locale: 'en',
  templateSource: 'dynamodb',
  durationMs: 42,
};

describe('DynamoDbIdempotencyStore against dynalite', () => {
  let dynamo: TestDynamo;
  let now: number;
  let logger: RecordingLogger;
  let store: DynamoDbIdempotencyStore;

  beforeAll(async () => {
    dynamo = await startTestDynamo();
    // dynalite has no UpdateTimeToLive; the store does not depend on TTL deletion.
    expect(await ensureIdempotencyTable(dynamo.client, TABLE)).toEqual({ created: true, ttl: 'unsupported' });
  });
  afterAll(() => dynamo.close());
  beforeEach(() => {
    now = T0;
    logger = new RecordingLogger();
    store = new DynamoDbIdempotencyStore(dynamo.client, { tableName: TABLE }, logger, { now: () => now });
    dynamo.calls.length = 0;
  });

  it('first claim wins with two conditional puts in one round trip; records carry state and a TTL in epoch seconds', async () => {
    const keys = newKeys();
    expect(await store.claim(keys, T0 + OTP_LIFE_MS)).toEqual({ claimed: true });
    expect(dynamo.calls).toEqual(['PutItem', 'PutItem']);
    for (const pk of [`event#${keys.eventKey}`, `code#${keys.codeKey}`]) {
      const { Item } = await dynamo.client.send(
        new GetItemCommand({ TableName: TABLE, Key: { pk: { S: pk } } }),
      );
      expect(Item?.state).toEqual({ S: 'in-progress' });
      expect(Item?.expiresAt).toEqual({ N: String((T0 + OTP_LIFE_MS) / 1000) });
    }
  });

  it('a duplicate by eventKey or by codeKey gets in-progress, then the completed outcome', async () => {
    const keys = newKeys();
    await store.claim(keys, T0 + OTP_LIFE_MS);
    const sameEvent = { eventKey: keys.eventKey, codeKey: hex() };
    const sameCode = { eventKey: hex(), codeKey: keys.codeKey };

    expect(await store.claim(sameEvent, T0 + OTP_LIFE_MS)).toEqual({ claimed: false, state: 'in-progress' });
    expect(await store.claim(sameCode, T0 + OTP_LIFE_MS)).toEqual({ claimed: false, state: 'in-progress' });

    await store.complete(keys, 'sent', outcome);
    expect(await store.claim(sameEvent, T0 + OTP_LIFE_MS)).toEqual({
      claimed: false,
      state: 'sent',
      outcome,
    });
    expect(await store.claim(sameCode, T0 + OTP_LIFE_MS)).toEqual({ claimed: false, state: 'sent', outcome });
    expect(await store.claim(keys, T0 + OTP_LIFE_MS)).toEqual({ claimed: false, state: 'sent', outcome });
  });

  it('a losing code claim releases its own event half-claim', async () => {
    const keys = newKeys();
    await store.claim(keys, T0 + OTP_LIFE_MS);
    const otherEvent = hex();
    await store.claim({ eventKey: otherEvent, codeKey: keys.codeKey }, T0 + OTP_LIFE_MS);
    const { Item } = await dynamo.client.send(
      new GetItemCommand({ TableName: TABLE, Key: { pk: { S: `event#${otherEvent}` } } }),
    );
    expect(Item).toBeUndefined();
  });

  it('records a failed delivery and replays it', async () => {
    const keys = newKeys();
    await store.claim(keys, T0 + OTP_LIFE_MS);
    const failed: DeliveryOutcome = {
      ...outcome,
      status: 'FAILED',
      transactionId: '',
      failureReason: 'opted-out',
    };
    await store.complete(keys, 'failed', failed);
    expect(await store.claim(keys, T0 + OTP_LIFE_MS)).toEqual({
      claimed: false,
      state: 'failed',
      outcome: failed,
    });
  });

  it('of 20 concurrent identical claims exactly one wins', async () => {
    const keys = newKeys();
    const results = await Promise.all(Array.from({ length: 20 }, () => store.claim(keys, T0 + OTP_LIFE_MS)));
    expect(results.filter((r) => r.claimed)).toHaveLength(1);
    expect(results.filter((r) => !r.claimed && r.state === 'in-progress')).toHaveLength(19);
  });

  it('of 20 concurrent claims sharing only the code (different events) exactly one wins', async () => {
    const codeKey = hex();
    const results = await Promise.all(
      Array.from({ length: 20 }, () => store.claim({ eventKey: hex(), codeKey }, T0 + OTP_LIFE_MS)),
    );
    expect(results.filter((r) => r.claimed)).toHaveLength(1);
  });

  it('copies of one event and other events with the same code, all at once: exactly one wins', async () => {
    const keys = newKeys();
    // Every third is another event repeating the code; the rest are copies of one event.
    const claimants = Array.from({ length: 24 }, (_, i) =>
      i % 3 === 0 ? { eventKey: hex(), codeKey: keys.codeKey } : keys,
    );
    const results = await Promise.all(claimants.map((k) => store.claim(k, T0 + OTP_LIFE_MS)));
    expect(results.filter((r) => r.claimed)).toHaveLength(1);

    const read = async (pk: string) =>
      (
        await dynamo.client.send(
          new GetItemCommand({ TableName: TABLE, Key: { pk: { S: pk } }, ConsistentRead: true }),
        )
      ).Item;
    // Whoever won holds both of its items under one claim id.
    const winner = claimants[results.findIndex((r) => r.claimed)] as IdempotencyKeys;
    const code = await read(`code#${keys.codeKey}`);
    expect(code?.eventKey?.S).toBe(winner.eventKey);
    expect((await read(`event#${winner.eventKey}`))?.claimId).toEqual(code?.claimId);
    // The other events let go of their event items: none is left blocking a later request of theirs.
    for (const other of new Set(claimants.map((k) => k.eventKey))) {
      if (other !== winner.eventKey) expect(await read(`event#${other}`)).toBeUndefined();
    }
  });

  it('property: any mix of copies of events sharing codes, all at once: at most one claim per event and per code, and every code is claimed by someone', async () => {
    await fc.assert(
      fc.asyncProperty(
        // Each event carries one code (as an IdP sends it); several events may repeat a code.
        fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 5 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 14 }),
        async (codeOfEvent, picks) => {
          const codes = Array.from({ length: 3 }, hex);
          const events = codeOfEvent.map((code) => ({ eventKey: hex(), codeKey: codes[code] as string }));
          const claimants = picks.map((i) => events[i % events.length] as IdempotencyKeys);
          const results = await Promise.all(claimants.map((k) => store.claim(k, T0 + OTP_LIFE_MS)));
          const winners = claimants.filter((_, i) => results[i]?.claimed);
          expect(new Set(winners.map((w) => w.eventKey)).size).toBe(winners.length);
          expect(new Set(winners.map((w) => w.codeKey)).size).toBe(winners.length);
          // Nobody is left out for good: each code that was asked for has its one sender.
          expect(new Set(winners.map((w) => w.codeKey))).toEqual(new Set(claimants.map((c) => c.codeKey)));
        },
      ),
      { numRuns: 40 },
    );
  }, 60_000);

  it('holding the event item, a claim takes over a code item another copy of its event left', async () => {
    const keys = newKeys();
    // Another copy of this event got the code item first, then lost the event item (or gave up).
    await dynamo.client.send(
      new PutItemCommand({
        TableName: TABLE,
        Item: {
          pk: { S: `code#${keys.codeKey}` },
          state: { S: 'in-progress' },
          claimId: { S: 'the-other-copy' },
          claimedAt: { N: String(T0) },
          expiresAt: { N: String((T0 + OTP_LIFE_MS) / 1000) },
          eventKey: { S: keys.eventKey },
        },
      }),
    );
    expect(await store.claim(keys, T0 + OTP_LIFE_MS)).toEqual({ claimed: true });
    const read = async (pk: string) =>
      (await dynamo.client.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: pk } } }))).Item;
    const [event, code] = [await read(`event#${keys.eventKey}`), await read(`code#${keys.codeKey}`)];
    expect(code?.claimId).toEqual(event?.claimId);
    expect(code?.claimId?.S).not.toBe('the-other-copy');
  });

  it('a code item of another event is never taken over: a duplicate by code, and its event half is let go', async () => {
    const keys = newKeys();
    await dynamo.client.send(
      new PutItemCommand({
        TableName: TABLE,
        Item: {
          pk: { S: `code#${keys.codeKey}` },
          state: { S: 'in-progress' },
          claimId: { S: 'another-event' },
          claimedAt: { N: String(T0) },
          expiresAt: { N: String((T0 + OTP_LIFE_MS) / 1000) },
          eventKey: { S: hex() },
        },
      }),
    );
    expect(await store.claim(keys, T0 + OTP_LIFE_MS)).toEqual({ claimed: false, state: 'in-progress' });
    const { Item } = await dynamo.client.send(
      new GetItemCommand({ TableName: TABLE, Key: { pk: { S: `event#${keys.eventKey}` } } }),
    );
    expect(Item).toBeUndefined();
  });

  it('reads records written before code items named their event (their own state and outcome)', async () => {
    const keys = newKeys();
    await dynamo.client.send(
      new PutItemCommand({
        TableName: TABLE,
        Item: {
          pk: { S: `code#${keys.codeKey}` },
          state: { S: 'sent' },
          claimId: { S: 'written-by-the-previous-version' },
          claimedAt: { N: String(T0) },
          completedAt: { N: String(T0 + 50) },
          expiresAt: { N: String((T0 + OTP_LIFE_MS) / 1000) },
          outcome: { S: JSON.stringify(outcome) },
        },
      }),
    );
    expect(await store.claim(keys, T0 + OTP_LIFE_MS)).toEqual({ claimed: false, state: 'sent', outcome });
  });

  it('an in-progress claim past its lease is never resent: PENDING-style answer and a warning', async () => {
    const keys = newKeys();
    await store.claim(keys, T0 + OTP_LIFE_MS);
    now = T0 + 60_000; // the claimant died mid-send
    expect(await store.claim(keys, T0 + OTP_LIFE_MS)).toEqual({ claimed: false, state: 'in-progress' });
    expect(logger.warnings).toEqual([
      { message: 'idempotency claim past its lease; not resending', fields: { key: 'event', ageMs: 60_000 } },
    ]);
  });

  it('a record past its expiry no longer blocks a new code with the same digits', async () => {
    const keys = newKeys();
    await store.claim(keys, T0 + OTP_LIFE_MS);
    await store.complete(keys, 'sent', outcome);
    now = T0 + OTP_LIFE_MS + 1_000; // TTL deletion may lag by days; the store must not wait for it
    expect(await store.claim({ eventKey: hex(), codeKey: keys.codeKey }, now + OTP_LIFE_MS)).toEqual({
      claimed: true,
    });
  });

  it('complete never resurrects a record that does not exist', async () => {
    const keys = newKeys();
    await store.complete(keys, 'sent', outcome);
    // The record lives on the event item alone (one write); the code item points to it.
    expect(logger.warnings.map((w) => w.fields?.key)).toEqual(['event']);
    const { Items } = await dynamo.client.send(new ScanCommand({ TableName: TABLE }));
    expect(Items?.some((i) => i.pk?.S?.endsWith(keys.eventKey))).toBe(false);
  });

  it('rejects an expiry given in seconds instead of milliseconds', async () => {
    await expect(store.claim(newKeys(), (T0 + OTP_LIFE_MS) / 1000)).rejects.toThrow(RangeError);
  });

  it('stores only opaque keys, states, timestamps and the outcome', async () => {
    const keys = newKeys();
    await store.claim(keys, T0 + OTP_LIFE_MS);
    await store.complete(keys, 'sent', outcome);
    const read = async (pk: string) =>
      (await dynamo.client.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: pk } } }))).Item;
    const event = await read(`event#${keys.eventKey}`);
    expect(Object.keys(event ?? {}).sort()).toEqual([
      'claimId',
      'claimedAt',
      'completedAt',
      'expiresAt',
      'outcome',
      'pk',
      'state',
    ]);
    expect(JSON.parse(event?.outcome?.S ?? '')).toEqual(outcome);
    // The code item is never completed: it names its event (an opaque key too), where the record is.
    const code = await read(`code#${keys.codeKey}`);
    expect(Object.keys(code ?? {}).sort()).toEqual([
      'claimId',
      'claimedAt',
      'eventKey',
      'expiresAt',
      'pk',
      'state',
    ]);
    expect(code?.eventKey).toEqual({ S: keys.eventKey });
    expect(code?.claimId).toEqual(event?.claimId);
  });

  it('a duplicate costs two conditional puts in one round trip, plus one consistent read on dynalite', async () => {
    const keys = newKeys();
    await store.claim(keys, T0 + OTP_LIFE_MS);
    dynamo.calls.length = 0;
    await store.claim(keys, T0 + OTP_LIFE_MS);
    // Only the event item's holder is read (it decides); on DynamoDB the failed put returns it (ALL_OLD)
    // and the GetItem is skipped too.
    expect(dynamo.calls).toEqual(['PutItem', 'PutItem', 'GetItem']);
  });

  it('uses the holder DynamoDB returns with the failed put (ALL_OLD) instead of reading it', async () => {
    const keys = newKeys();
    await store.claim(keys, T0 + OTP_LIFE_MS);
    await store.complete(keys, 'sent', outcome);
    // dynalite ignores ReturnValuesOnConditionCheckFailure; emulate DynamoDB attaching the old item.
    const reader = createLocalClient(dynamo.endpoint);
    const emulating = createLocalClient(dynamo.endpoint);
    const calls = countCommands(emulating);
    emulating.middlewareStack.add(
      (next, context) => async (args) => {
        try {
          return await next(args);
        } catch (err) {
          const input = args.input as { Key?: never; Item: { pk: { S: string } }; TableName: string };
          if (context.commandName === 'PutItemCommand' && err instanceof ConditionalCheckFailedException) {
            const old = await reader.send(
              new GetItemCommand({ TableName: input.TableName, Key: { pk: input.Item.pk } }),
            );
            err.Item = old.Item;
          }
          throw err;
        }
      },
      { step: 'initialize', name: 'emulateAllOld' },
    );
    try {
      const viaAllOld = new DynamoDbIdempotencyStore(emulating, { tableName: TABLE }, logger, {
        now: () => now,
      });
      expect(await viaAllOld.claim(keys, T0 + OTP_LIFE_MS)).toEqual({
        claimed: false,
        state: 'sent',
        outcome,
      });
      expect(calls).toEqual(['PutItem', 'PutItem']);
    } finally {
      reader.destroy();
      emulating.destroy();
    }
  });
});

describe('DynamoDbIdempotencyStore when the SDK retries a write that was applied (answer held past the timeout)', () => {
  // The production client factory with a short timeout: the proxy holds an answer 4× longer.
  const TIMEOUT_MS = 250;
  const HOLD_MS = 1_000;
  let dynamo: TestDynamo;
  let proxy: DelayAnswerProxy;
  let client: DynamoDBClient;
  let logger: RecordingLogger;
  let store: DynamoDbIdempotencyStore;

  const stored = async (pk: string) =>
    (await dynamo.client.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: pk } } }))).Item;

  beforeAll(async () => {
    dynamo = await startTestDynamo();
    await ensureIdempotencyTable(dynamo.client, TABLE);
    proxy = await DelayAnswerProxy.start(dynamo.endpoint);
    client = new DynamoDBClient({
      endpoint: proxy.url,
      region: 'local',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      ...boundedClientConfig({ connectTimeoutMs: 200, requestTimeoutMs: TIMEOUT_MS, maxAttempts: 2 }),
    });
  });
  afterAll(async () => {
    client?.destroy();
    await proxy?.close();
    await dynamo?.close();
  });
  beforeEach(() => {
    logger = new RecordingLogger();
    store = new DynamoDbIdempotencyStore(client, { tableName: TABLE }, logger, { now: () => T0 });
    proxy.requests.length = 0;
  });

  it('the event claim applied, its answer lost, the SDK retry fails its condition: still our claim', async () => {
    const keys = newKeys();
    proxy.holdAnswers('PutItem', HOLD_MS);
    const started = Date.now();
    expect(await store.claim(keys, T0 + OTP_LIFE_MS)).toEqual({ claimed: true });
    const elapsed = Date.now() - started;

    // Both puts left together; the first to arrive reached dynalite and was applied, its answer was held,
    // the SDK timed out and sent the very same PutItem again, whose condition failed against our own item.
    expect(proxy.requests.map((r) => [r.target.split('.')[1], r.heldMs])).toEqual([
      ['PutItem', HOLD_MS],
      ['PutItem', 0],
      ['PutItem', 0],
      ['GetItem', 0], // dynalite ignores ALL_OLD; DynamoDB returns the holder with the failure
    ]);
    expect(elapsed).toBeGreaterThanOrEqual(TIMEOUT_MS);
    expect(elapsed).toBeLessThan(HOLD_MS);
    expect(logger.lines.map((l) => l.message)).toContain(
      'idempotency claim applied by an earlier attempt of the same write; it is ours',
    );
    const event = await stored(`event#${keys.eventKey}`);
    const code = await stored(`code#${keys.codeKey}`);
    expect(event?.state?.S).toBe('in-progress');
    // Both halves carry the one claim id this claim wrote.
    expect(event?.claimId?.S).toBeDefined();
    expect(code?.claimId?.S).toBe(event?.claimId?.S);

    // Somebody else's request for the same event still sees a claim in progress, not a free key.
    expect(await store.claim({ eventKey: keys.eventKey, codeKey: hex() }, T0 + OTP_LIFE_MS)).toEqual({
      claimed: false,
      state: 'in-progress',
    });
  });

  it('the same for the code half: the claim is ours, and the event half is not released', async () => {
    const keys = newKeys();
    proxy.holdAnswers('PutItem', 0).holdAnswers('PutItem', HOLD_MS);
    expect(await store.claim(keys, T0 + OTP_LIFE_MS)).toEqual({ claimed: true });
    expect(proxy.count('PutItem')).toBe(3);
    expect(proxy.count('DeleteItem')).toBe(0);
    expect((await stored(`event#${keys.eventKey}`))?.state?.S).toBe('in-progress');
  });

  it('a duplicate by event whose code write was applied but answered late still lets go of that code item', async () => {
    const keys = newKeys();
    expect(await store.claim(keys, T0 + OTP_LIFE_MS)).toEqual({ claimed: true });
    const freshCode = hex();
    // Both writes of the duplicate are answered after the timeout: each is retried, and refused.
    proxy.holdAnswers('PutItem', HOLD_MS, 2);
    expect(await store.claim({ eventKey: keys.eventKey, codeKey: freshCode }, T0 + OTP_LIFE_MS)).toEqual({
      claimed: false,
      state: 'in-progress',
    });
    // Its code item was applied by the first attempt: released, so that code is free for its own event.
    expect(await stored(`code#${freshCode}`)).toBeUndefined();
    expect((await stored(`code#${keys.codeKey}`))?.state?.S).toBe('in-progress');
  });

  it('a completion applied but answered late is not reported as a record in the wrong state', async () => {
    const keys = newKeys();
    await store.claim(keys, T0 + OTP_LIFE_MS);
    proxy.holdAnswers('UpdateItem', HOLD_MS);
    await store.complete(keys, 'sent', outcome);
    // The one update (the event item's) was held and retried; its retry matched its own applied write.
    expect(proxy.count('UpdateItem')).toBe(2);
    expect(logger.warnings).toEqual([]);
    expect(await store.claim(keys, T0 + OTP_LIFE_MS)).toEqual({ claimed: false, state: 'sent', outcome });
  });
});
