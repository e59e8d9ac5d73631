import { randomUUID } from 'node:crypto';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbMessageLedger } from '../../adapters/dynamodb/dynamodb-message-ledger';
import { ensureMessageTable } from '../../adapters/dynamodb/message-table';
import type { DeliveryReceipt } from '../../domain/delivery-receipt';
import type { SentMessage } from '../../ports/message-ledger';
import { startTestDynamo, type TestDynamo } from '../support/dynalite';

const TABLE = 'messages';
const T0 = Date.UTC(2026, 10, 25, 9, 0, 0);
const USER = 'user-key-1';

let dynamo: TestDynamo;
let now: number;
let ledger: DynamoDbMessageLedger;

beforeAll(async () => {
  dynamo = await startTestDynamo();
  await ensureMessageTable(dynamo.client, TABLE);
});
afterAll(() => dynamo.close());
beforeEach(() => {
  now = T0;
  ledger = new DynamoDbMessageLedger(dynamo.client, { tableName: TABLE }, { now: () => now });
});

function sent(overrides: Partial<SentMessage> = {}): SentMessage {
  return {
    messageId: randomUUID(),
    provider: 'aws-end-user-messaging',
    eventId: `evt-${randomUUID().slice(0, 8)}`,
    idp: 'okta',
    purpose: 'verification',
    channel: 'sms',
    country: 'ES',
    maskedTo: '+34*******78',
    locale: 'es',
    templateSource: 'dynamodb',
    encoding: 'GSM-7',
    segments: 1,
    receivedAt: now - 200,
    sentAt: now,
    codeExpiresAt: now + 300_000,
    userKey: USER,
    ...overrides,
  };
}

function receipt(messageId: string, overrides: Partial<DeliveryReceipt> = {}): DeliveryReceipt {
  return {
    provider: 'aws-end-user-messaging',
    messageId,
    channel: 'sms',
    status: 'delivered',
    providerStatus: 'TEXT_DELIVERED',
    final: true,
    at: now + 1_500,
    country: 'ES',
    priceUsd: 0.06087,
    parts: 1,
    ...overrides,
  };
}

describe('DynamoDbMessageLedger against dynalite: receipts', () => {
  it('records a sent message and completes it with receipts; a receipt delivered twice changes nothing', async () => {
    const message = sent();
    await ledger.recordSent(message);
    const accepted = receipt(message.messageId, {
      status: 'accepted',
      providerStatus: 'TEXT_SUCCESSFUL',
      final: false,
      at: now + 300,
      priceUsd: undefined,
    });
    expect(await ledger.applyReceipt(accepted)).toMatchObject({ applied: true, settledNow: false });

    const delivered = receipt(message.messageId);
    const first = await ledger.applyReceipt(delivered);
    expect(first).toMatchObject({ applied: true, settledNow: true });
    expect(first.record).toMatchObject({
      eventId: message.eventId,
      country: 'ES',
      channel: 'sms',
      status: 'delivered',
      settled: true,
      priceUsd: 0.06087,
    });
    const before = await dynamo.client.send(
      new GetItemCommand({ TableName: TABLE, Key: { pk: { S: `m#${message.messageId}` } } }),
    );

    // SNS redelivers, Lambda retries: same receipt again, and an older one arriving late.
    expect(await ledger.applyReceipt(delivered)).toEqual({ applied: false, settledNow: false });
    expect(await ledger.applyReceipt(accepted)).toEqual({ applied: false, settledNow: false });
    const after = await dynamo.client.send(
      new GetItemCommand({ TableName: TABLE, Key: { pk: { S: `m#${message.messageId}` } } }),
    );
    expect(after.Item).toEqual(before.Item);

    const record = await ledger.get(message.messageId);
    expect(record).toMatchObject({
      messageId: message.messageId,
      provider: 'aws-end-user-messaging',
      idp: 'okta',
      purpose: 'verification',
      maskedTo: '+34*******78',
      locale: 'es',
      templateSource: 'dynamodb',
      segments: 1,
      sentAt: T0,
      status: 'delivered',
      providerStatus: 'TEXT_DELIVERED',
      conversion: 'awaiting',
      parts: 1,
    });
  });

  it('the same receipt delivered five times at once is applied exactly once', async () => {
    const message = sent();
    await ledger.recordSent(message);
    const results = await Promise.all(
      Array.from({ length: 5 }, () => ledger.applyReceipt(receipt(message.messageId))),
    );
    expect(results.filter((r) => r.applied)).toHaveLength(1);
    expect(results.filter((r) => r.settledNow)).toHaveLength(1);
  });

  it('a receipt that beats the send record makes a record the send record completes (provider country kept)', async () => {
    const message = sent({ country: 'US' });
    await ledger.applyReceipt(receipt(message.messageId, { country: 'ES', eventId: message.eventId }));
    await ledger.recordSent(message);
    expect(await ledger.get(message.messageId)).toMatchObject({
      status: 'delivered',
      country: 'ES',
      sentAt: T0,
      eventId: message.eventId,
      settled: true,
    });
  });

  it('a failure after a delivery, or a delivery after a final carrier acceptance, settles nothing twice', async () => {
    const message = sent();
    await ledger.recordSent(message);
    const acceptedFinal = receipt(message.messageId, {
      status: 'accepted',
      providerStatus: 'TEXT_SUCCESSFUL',
      final: true,
      at: now + 100,
    });
    expect(await ledger.applyReceipt(acceptedFinal)).toMatchObject({ applied: true, settledNow: true });
    expect(await ledger.applyReceipt(receipt(message.messageId, { at: now + 200 }))).toMatchObject({
      applied: true,
      settledNow: false,
    });
    const failedLater = receipt(message.messageId, {
      status: 'failed',
      failure: 'blocked',
      providerStatus: 'TEXT_BLOCKED',
      at: now + 300,
    });
    expect(await ledger.applyReceipt(failedLater)).toMatchObject({ applied: true, settledNow: false });
    expect(await ledger.get(message.messageId)).toMatchObject({ status: 'failed', failure: 'blocked' });
  });

  it('a late receipt still fills a price the newer one lacked', async () => {
    const message = sent();
    await ledger.recordSent(message);
    await ledger.applyReceipt(receipt(message.messageId, { priceUsd: undefined }));
    await ledger.applyReceipt(
      receipt(message.messageId, { status: 'accepted', providerStatus: 'TEXT_SUCCESSFUL', at: now + 10 }),
    );
    expect((await ledger.get(message.messageId))?.priceUsd).toBe(0.06087);
  });

  it('property: whatever the order and the duplicates, the newest stage wins and the message settles once', async () => {
    const stages: DeliveryReceipt['status'][] = ['pending', 'accepted', 'delivered', 'failed'];
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ stage: fc.constantFrom(...stages), at: fc.integer({ min: 1, max: 50 }) }), {
          minLength: 1,
          maxLength: 8,
        }),
        fc.array(fc.nat(7), { maxLength: 6 }),
        async (events, repeats) => {
          const message = sent();
          await ledger.recordSent(message);
          const receipts = events.map((e) =>
            receipt(message.messageId, {
              status: e.stage,
              final: e.stage !== 'pending',
              providerStatus: e.stage,
              at: T0 + e.at,
              ...(e.stage === 'failed' ? { failure: 'unreachable' as const } : {}),
            }),
          );
          const delivered = [
            ...receipts,
            ...repeats.map((i) => receipts[i % receipts.length] as DeliveryReceipt),
          ];
          let settledCount = 0;
          for (const r of delivered) if ((await ledger.applyReceipt(r)).settledNow) settledCount += 1;
          const rank = (s: string) => (s === 'pending' ? 1 : s === 'accepted' ? 2 : 3);
          // Two reports of the same stage and time (delivered and failed at the same ms): the first applied stands.
          const key = (r: DeliveryReceipt) => rank(r.status) * 1_000 + (r.at - T0);
          const newest = receipts.reduce((best, r) => (key(r) > key(best) ? r : best));
          const record = await ledger.get(message.messageId);
          expect(record?.status).toBe(newest?.status);
          expect(record?.receiptAt).toBe(newest?.at);
          expect(settledCount).toBe(receipts.some((r) => r.status !== 'pending') ? 1 : 0);
        },
      ),
      { numRuns: 15 },
    );
  });
});

describe('DynamoDbMessageLedger against dynalite: confirmation and conversion', () => {
  it('finds the latest message to the user on the channel whose code was alive, confirms it once, counts it', async () => {
    const user = `user-${randomUUID()}`;
    const older = sent({ userKey: user, sentAt: T0 - 60_000, codeExpiresAt: T0 + 240_000 });
    const voice = sent({ userKey: user, channel: 'voice', sentAt: T0 + 10_000, codeExpiresAt: T0 + 310_000 });
    const latest = sent({ userKey: user, sentAt: T0, codeExpiresAt: T0 + 300_000, country: 'FR' });
    for (const m of [older, voice, latest]) await ledger.recordSent(m);

    const at = T0 + 20_000;
    const match = await ledger.findForVerification(user, 'sms', at);
    expect(match?.messageId).toBe(latest.messageId);
    expect((await ledger.findForVerification(user, undefined, at))?.messageId).toBe(voice.messageId);
    // Long after the code expired: nothing to confirm.
    expect(await ledger.findForVerification(user, 'sms', T0 + 600_000)).toBeUndefined();

    const before = await ledger.forCountry('FR', 1, at);
    expect(await ledger.confirm(latest.messageId, at)).toBe('confirmed');
    expect(await ledger.confirm(latest.messageId, at)).toBe('already');
    expect(await ledger.get(latest.messageId)).toMatchObject({ conversion: 'received', verifiedAt: at });
    const after = await ledger.forCountry('FR', 1, at);
    expect({
      settled: after.settled - before.settled,
      converted: after.converted - before.converted,
    }).toEqual({ settled: 1, converted: 1 });
  });

  it('settles expired unconfirmed messages once, counts them unused, and a late verification converts them', async () => {
    const messages = Array.from({ length: 6 }, (_, i) =>
      sent({ userKey: `late-${randomUUID()}`, country: 'GB', codeExpiresAt: T0 + 1_000 + i }),
    );
    for (const m of messages) await ledger.recordSent(m);
    const alive = sent({ userKey: `alive-${randomUUID()}`, country: 'GB', codeExpiresAt: T0 + 900_000 });
    await ledger.recordSent(alive);
    now = T0 + 60_000;
    const before = await ledger.forCountry('GB', 1, now);

    const [first, second] = await Promise.all([
      ledger.settleExpired(T0 + 10_000, 100),
      ledger.settleExpired(T0 + 10_000, 100),
    ]);
    const settledIds = [...(first ?? []), ...(second ?? [])].map((r) => r.messageId).sort();
    // Two sweeps at once: each message settled by exactly one of them, the live one by neither.
    expect(settledIds).toEqual(messages.map((m) => m.messageId).sort());
    expect(await ledger.settleExpired(T0 + 10_000, 100)).toEqual([]);
    expect(await ledger.get(alive.messageId)).toMatchObject({ conversion: 'awaiting' });

    const late = messages[0] as SentMessage;
    expect(await ledger.confirm(late.messageId, T0 + 500)).toBe('late');
    const after = await ledger.forCountry('GB', 1, now);
    expect({
      settled: after.settled - before.settled,
      converted: after.converted - before.converted,
    }).toEqual({ settled: 6, converted: 1 });
  });

  it('a message of an IdP that reports no verifications never awaits confirmation', async () => {
    const message = sent({ userKey: undefined });
    await ledger.recordSent(message);
    expect((await ledger.get(message.messageId))?.conversion).toBeUndefined();
    expect(await ledger.confirm(message.messageId, now)).toBe('already');
    expect((await ledger.settleExpired(now + 10_000_000, 1_000)).map((r) => r.messageId)).not.toContain(
      message.messageId,
    );
  });

  it('finds messages by event id and by masked phone, newest first, and marks feedback', async () => {
    const masked = `+44*******${String(Math.floor(Math.random() * 90) + 10)}`;
    const a = sent({ maskedTo: masked, sentAt: T0 + 1 });
    const b = sent({ maskedTo: masked, sentAt: T0 + 2 });
    await ledger.recordSent(a);
    await ledger.recordSent(b);
    expect((await ledger.findByEventId(a.eventId)).map((r) => r.messageId)).toEqual([a.messageId]);
    expect((await ledger.findByMaskedPhone(masked, 5)).map((r) => r.messageId)).toEqual([
      b.messageId,
      a.messageId,
    ]);
    await ledger.markFeedbackSent(a.messageId, T0 + 9);
    expect((await ledger.get(a.messageId))?.feedbackAt).toBe(T0 + 9);
  });
});
