import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbMessageLedger } from '../../adapters/dynamodb/dynamodb-message-ledger';
import { ensureMessageTable } from '../../adapters/dynamodb/message-table';
import { statusCallbackUrl } from '../../adapters/twilio/status-callback-url';
import { twilioSignature } from '../../adapters/twilio/twilio-signature';
import { createLocalServer } from '../../app/local/local-server';
import { RecordReceipts } from '../../app/record-receipts';
import { TwilioStatusHandler } from '../../app/twilio-status-handler';
import type { SentMessage } from '../../ports/message-ledger';
import { BlackHoleServer } from '../support/black-hole-server';
import { createLocalClient, startTestDynamo, type TestDynamo } from '../support/dynalite';
import { RecordingLogger } from '../support/recording-logger';
import { RecordingMetrics } from '../support/recording-metrics';
import { capturedOutput } from '../support/secret-leak-guard';

const TABLE = 'messages';
const PATH = '/twilio/status';
const TOKEN = 'twilio-auth-token-0123456789abcdef';
const PHONE = '+447400123456';

let dynamo: TestDynamo;
let ledger: DynamoDbMessageLedger;
let metrics: RecordingMetrics;
let logger: RecordingLogger;
let server: Server;
let base: string;
let handler: { current: TwilioStatusHandler };

beforeAll(async () => {
  dynamo = await startTestDynamo();
  await ensureMessageTable(dynamo.client, TABLE);
  ledger = new DynamoDbMessageLedger(dynamo.client, { tableName: TABLE }, { now: () => Date.now() });
  handler = { current: undefined as unknown as TwilioStatusHandler };
  server = createLocalServer({
    authorizer: { handle: async () => Promise.reject(new Error('Unauthorized')) },
    hook: { handle: async () => ({ statusCode: 500, body: '' }) },
    logger: new RecordingLogger(),
    openRoutes: { [PATH]: (event) => handler.current.handle(event) },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}${PATH}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await dynamo.close();
});
beforeEach(() => {
  metrics = new RecordingMetrics();
  logger = new RecordingLogger();
  handler.current = build(ledger);
});

function build(withLedger: DynamoDbMessageLedger, budgetMs = 5_000): TwilioStatusHandler {
  return new TwilioStatusHandler(new RecordReceipts(withLedger, metrics, logger), { now: Date.now }, logger, {
    authToken: TOKEN,
    // As the deployed stack knows it: the URL the sender gave Twilio.
    callbackUrl: base,
    budgetMs,
  });
}

const sid = (prefix: 'SM' | 'CA') => `${prefix}${randomUUID().replaceAll('-', '')}`;

async function sentThroughTwilio(overrides: Partial<SentMessage> = {}): Promise<SentMessage> {
  const now = Date.now();
  const message: SentMessage = {
    messageId: sid('SM'),
    provider: 'twilio',
    eventId: `evt-${randomUUID().slice(0, 8)}`,
    idp: 'okta',
    purpose: 'verification',
    channel: 'sms',
    country: 'GB',
    maskedTo: '+44********56',
    receivedAt: now - 500,
    sentAt: now - 400,
    codeExpiresAt: now + 299_000,
    ...overrides,
  };
  await ledger.recordSent(message);
  return message;
}

/** A status callback as Twilio posts it: form-encoded, to the StatusCallback URL, signed. */
function callback(
  message: Pick<SentMessage, 'eventId' | 'purpose'>,
  params: Record<string, string>,
  options: { token?: string; signature?: string | null; signedParams?: Record<string, string> } = {},
) {
  const url = statusCallbackUrl(base, message);
  const form = {
    AccountSid: `AC${'0'.repeat(32)}`,
    ApiVersion: '2010-04-01',
    To: PHONE,
    From: '+15005550006',
    ...params,
  };
  const signature =
    options.signature === undefined
      ? twilioSignature(options.token ?? TOKEN, url, options.signedParams ?? form)
      : options.signature;
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(signature === null ? {} : { 'x-twilio-signature': signature }),
    },
    body: new URLSearchParams(form).toString(),
  });
}

describe('Twilio status callbacks over real HTTP, into the ledger on dynalite', () => {
  it('completes the message Twilio sent: sent, then delivered, settled once; a callback delivered twice changes nothing', async () => {
    const message = await sentThroughTwilio();
    const sent = {
      MessageSid: message.messageId,
      SmsSid: message.messageId,
      MessageStatus: 'sent',
      SmsStatus: 'sent',
    };
    expect((await callback(message, sent)).status).toBe(204);
    expect(await ledger.get(message.messageId)).toMatchObject({ status: 'accepted', providerStatus: 'sent' });

    const delivered = { ...sent, MessageStatus: 'delivered', SmsStatus: 'delivered' };
    expect((await callback(message, delivered)).status).toBe(204);
    const after = await ledger.get(message.messageId);
    expect(after).toMatchObject({
      provider: 'twilio',
      eventId: message.eventId,
      country: 'GB',
      status: 'delivered',
      providerStatus: 'delivered',
      settled: true,
    });
    const measured = metrics.measurements.length;
    expect(metrics.values('Delivered')).toContainEqual({
      value: 1,
      dimensions: expect.objectContaining({ provider: 'twilio', channel: 'sms' }),
    });

    // Twilio (or a retry of ours) posts the same thing again, and a late "sent" arrives after it.
    expect((await callback(message, delivered)).status).toBe(204);
    expect((await callback(message, sent)).status).toBe(204);
    expect(await ledger.get(message.messageId)).toEqual(after);
    expect(metrics.measurements).toHaveLength(measured);
  });

  it('the same callback five times at once is applied exactly once', async () => {
    const message = await sentThroughTwilio();
    const undelivered = {
      MessageSid: message.messageId,
      MessageStatus: 'undelivered',
      ErrorCode: '30003',
    };
    const answers = await Promise.all(Array.from({ length: 5 }, () => callback(message, undelivered)));
    expect(answers.map((a) => a.status)).toEqual([204, 204, 204, 204, 204]);
    expect(await ledger.get(message.messageId)).toMatchObject({
      status: 'failed',
      failure: 'unreachable',
      settled: true,
    });
    // One receipt applied, and it settled the message: measured once, as undelivered.
    expect(metrics.values('Receipts')).toHaveLength(1);
    expect(metrics.values('Delivered')).toEqual([
      {
        value: 0,
        dimensions: expect.objectContaining({ provider: 'twilio', channel: 'sms', country: 'GB' }),
      },
    ]);
  });

  it('a call: completed maps onto the same record, delivered', async () => {
    const message = await sentThroughTwilio({ messageId: sid('CA'), channel: 'voice' });
    const answer = await callback(message, {
      CallSid: message.messageId,
      CallStatus: 'completed',
      CallDuration: '14',
      Direction: 'outbound-api',
      Timestamp: new Date().toUTCString().replace('GMT', '+0000'),
    });
    expect(answer.status).toBe(204);
    expect(await ledger.get(message.messageId)).toMatchObject({
      status: 'delivered',
      channel: 'voice',
      settled: true,
    });
  });

  it('refuses a missing or wrong signature, another token, and a tampered status, recording nothing', async () => {
    const message = await sentThroughTwilio();
    const delivered = { MessageSid: message.messageId, MessageStatus: 'delivered' };
    expect((await callback(message, delivered, { signature: null })).status).toBe(403);
    expect((await callback(message, delivered, { signature: 'GvWf1cFY/Q7PnoempGyD5oXAezc=' })).status).toBe(
      403,
    );
    expect((await callback(message, delivered, { token: 'another-accounts-token' })).status).toBe(403);
    // Signed as "undelivered", posted as "delivered".
    const signedAs = {
      AccountSid: `AC${'0'.repeat(32)}`,
      ApiVersion: '2010-04-01',
      To: PHONE,
      From: '+15005550006',
      MessageSid: message.messageId,
      MessageStatus: 'undelivered',
    };
    expect((await callback(message, delivered, { signedParams: signedAs })).status).toBe(403);
    // The event id in the URL is signed too.
    const elsewhere = await fetch(statusCallbackUrl(base, { ...message, eventId: 'evt-other' }), {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilioSignature(TOKEN, statusCallbackUrl(base, message), delivered),
      },
      body: new URLSearchParams(delivered).toString(),
    });
    expect(elsewhere.status).toBe(403);

    const record = await ledger.get(message.messageId);
    expect(record?.status).toBeUndefined();
    expect(metrics.measurements).toEqual([]);
    expect(logger.warnings.filter((e) => e.message === 'twilio callback refused')).toHaveLength(5);
    // Refusals never log the parameters (the phone number is one).
    expect(logger.text()).not.toContain(PHONE);
    expect(capturedOutput()).not.toContain(TOKEN);
  });

  it('a status we do not track is acknowledged and changes nothing; other methods are refused', async () => {
    const message = await sentThroughTwilio();
    expect(
      (await callback(message, { MessageSid: message.messageId, MessageStatus: 'receiving' })).status,
    ).toBe(204);
    expect((await ledger.get(message.messageId))?.status).toBeUndefined();
    expect((await fetch(base, { method: 'GET' })).status).toBe(405);
  });

  it('a ledger that does not answer ends in a 500 within the budget', async () => {
    const hole = await BlackHoleServer.start();
    const client = createLocalClient(hole.url);
    try {
      handler.current = build(
        new DynamoDbMessageLedger(client, { tableName: TABLE }, { now: Date.now }),
        300,
      );
      const message = { eventId: 'evt-x', purpose: 'verification' as const };
      const started = performance.now();
      const answer = await callback(message, { MessageSid: sid('SM'), MessageStatus: 'delivered' });
      expect(answer.status).toBe(500);
      expect(performance.now() - started).toBeLessThan(1_500);
    } finally {
      client.destroy();
      await hole.close();
    }
  });
});
