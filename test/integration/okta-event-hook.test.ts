import { randomBytes, randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PinpointSMSVoiceV2Client } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbMessageLedger } from '../../adapters/dynamodb/dynamodb-message-ledger';
import { ensureMessageTable } from '../../adapters/dynamodb/message-table';
import { createEndUserMessagingClient } from '../../adapters/end-user-messaging/end-user-messaging-client';
import { EndUserMessagingFeedback } from '../../adapters/end-user-messaging/end-user-messaging-feedback';
import { HmacFingerprinter } from '../../adapters/local/hmac-fingerprinter';
import { ConfirmVerifications } from '../../app/confirm-verifications';
import { createLocalServer } from '../../app/local/local-server';
import { oktaEventHookPayload } from '../../app/local/okta-event-hook-payload';
import { OktaEventHookHandler } from '../../app/okta-event-hook-handler';
import type { SentMessage } from '../../ports/message-ledger';
import { BlackHoleServer } from '../support/black-hole-server';
import { createLocalClient, startTestDynamo, type TestDynamo } from '../support/dynalite';
import { FakeAwsEndpoint, fakeAwsClientConfig } from '../support/fake-aws-endpoint';
import { RecordingLogger } from '../support/recording-logger';
import { RecordingMetrics } from '../support/recording-metrics';

/**
 * Okta's event hook over real HTTP: the one-time verification GET, the header-secret authentication
 * on every request, and POSTed verifications confirming messages in a dynalite ledger and telling End
 * User Messaging (the real SDK against the fake endpoint) that they were received.
 */
const TABLE = 'messages';
const PATH = '/okta/event-hook';
const SECRET = randomBytes(24).toString('base64url');
const USER = '00u1hookUser0000000';

let dynamo: TestDynamo;
let fake: FakeAwsEndpoint;
let eum: PinpointSMSVoiceV2Client;
let fingerprinter: HmacFingerprinter;
let ledger: DynamoDbMessageLedger;
let metrics: RecordingMetrics;
let logger: RecordingLogger;
let server: Server;
let url: string;
let handler: { current: OktaEventHookHandler };

beforeAll(async () => {
  dynamo = await startTestDynamo();
  await ensureMessageTable(dynamo.client, TABLE);
  fake = await FakeAwsEndpoint.start();
  eum = createEndUserMessagingClient(fakeAwsClientConfig(fake));
  fingerprinter = new HmacFingerprinter(randomBytes(32));
  ledger = new DynamoDbMessageLedger(dynamo.client, { tableName: TABLE }, { now: () => Date.now() });
  handler = { current: undefined as unknown as OktaEventHookHandler };
  server = createLocalServer({
    authorizer: { handle: async () => Promise.reject(new Error('Unauthorized')) },
    hook: { handle: async () => ({ statusCode: 500, body: '' }) },
    logger: new RecordingLogger(),
    openRoutes: { [PATH]: (event) => handler.current.handle(event) },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${PATH}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  eum.destroy();
  await fake.close();
  await dynamo.close();
});
beforeEach(() => {
  fake.reset();
  metrics = new RecordingMetrics();
  logger = new RecordingLogger();
  handler.current = build(ledger);
});

function build(withLedger: DynamoDbMessageLedger, budgetMs = 2_500): OktaEventHookHandler {
  const confirmations = new ConfirmVerifications(
    withLedger,
    fingerprinter,
    new Map([['aws-end-user-messaging', new EndUserMessagingFeedback(eum)]]),
    metrics,
    { now: () => Date.now() },
    logger,
  );
  return new OktaEventHookHandler(confirmations, logger, { secret: SECRET, budgetMs });
}

async function sentTo(user: string, overrides: Partial<SentMessage> = {}): Promise<SentMessage> {
  const now = Date.now();
  const message: SentMessage = {
    messageId: randomUUID(),
    provider: 'aws-end-user-messaging',
    eventId: `evt-${randomUUID().slice(0, 8)}`,
    idp: 'okta',
    purpose: 'verification',
    channel: 'sms',
    country: 'DE',
    maskedTo: '+49*********12',
    receivedAt: now - 1_000,
    sentAt: now - 1_000,
    codeExpiresAt: now + 299_000,
    userKey: await fingerprinter.fingerprint(['user', 'okta', user]),
    ...overrides,
  };
  await ledger.recordSent(message);
  return message;
}

const post = (body: unknown, headers: Record<string, string> = { authorization: SECRET }) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

describe('Okta event hook: one-time verification and authentication', () => {
  it('answers the verification GET with the challenge, as JSON', async () => {
    const response = await fetch(url, {
      headers: { authorization: SECRET, 'x-okta-verification-challenge': 'ZJmE4d2Jl2qGiXrtnSPq_8PtJTyq1Nlm' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({ verification: 'ZJmE4d2Jl2qGiXrtnSPq_8PtJTyq1Nlm' });
  });

  it('the secret is checked on every request, the verification included; the header name is case-insensitive', async () => {
    const challenge = { 'x-okta-verification-challenge': 'abc' };
    expect((await fetch(url, { headers: challenge })).status).toBe(401);
    expect((await fetch(url, { headers: { ...challenge, authorization: `${SECRET}x` } })).status).toBe(401);
    expect((await fetch(url, { headers: { ...challenge, authorization: `Bearer ${SECRET}` } })).status).toBe(
      401,
    );
    expect((await fetch(url, { headers: { ...challenge, 'x-other': SECRET } })).status).toBe(401);
    expect((await fetch(url, { headers: { ...challenge, AUTHORIZATION: SECRET } })).status).toBe(200);
    const payload = oktaEventHookPayload({ userId: USER, channel: 'sms' });
    expect((await post(payload, {})).status).toBe(401);
    expect((await post(payload, { authorization: 'wrong' })).status).toBe(401);
    // Nothing of a refused call reaches the ledger or the provider.
    expect(fake.requestsFor('PutMessageFeedback')).toEqual([]);
    expect(logger.text()).not.toContain(SECRET);
  });

  it('refuses a verification without a sane challenge, other methods, and bodies that are not event hook calls', async () => {
    expect((await fetch(url, { headers: { authorization: SECRET } })).status).toBe(400);
    const long = { authorization: SECRET, 'x-okta-verification-challenge': 'a'.repeat(600) };
    expect((await fetch(url, { headers: long })).status).toBe(400);
    expect((await fetch(url, { method: 'PUT', headers: { authorization: SECRET }, body: '{}' })).status).toBe(
      405,
    );
    expect((await post('not json')).status).toBe(400);
    expect((await post({ eventType: 'com.okta.telephony.provider', data: {} })).status).toBe(400);
  });

  it('a secret shorter than 24 characters is refused at start', () => {
    expect(() => new OktaEventHookHandler({} as ConfirmVerifications, logger, { secret: 'short' })).toThrow(
      /24/,
    );
  });
});

describe('Okta event hook: verifications confirm messages', () => {
  it('confirms the user’s latest SMS once, tells End User Messaging RECEIVED, measures the conversion', async () => {
    const user = `00u${randomUUID().slice(0, 17)}`;
    const message = await sentTo(user);
    const payload = oktaEventHookPayload({ userId: user, channel: 'sms' });

    const response = await post(payload);
    expect(response.status).toBe(204);
    expect(await response.text()).toBe('');
    expect(await ledger.get(message.messageId)).toMatchObject({ conversion: 'received' });
    expect(fake.requestsFor('PutMessageFeedback').map((r) => r.body)).toEqual([
      { MessageId: message.messageId, MessageFeedbackStatus: 'RECEIVED' },
    ]);
    expect((await ledger.get(message.messageId))?.feedbackAt).toBeGreaterThan(0);
    expect(metrics.values('Converted')).toEqual([
      { value: 1, dimensions: { channel: 'sms', country: 'DE' } },
    ]);
    expect(metrics.values('Verifications')).toEqual([{ value: 1, dimensions: { result: 'confirmed' } }]);

    // Okta delivers at least once: the same call again changes nothing and tells the provider nothing.
    expect((await post(payload)).status).toBe(204);
    expect(fake.requestsFor('PutMessageFeedback')).toHaveLength(1);
    expect(metrics.values('Converted')).toHaveLength(1);
    expect(metrics.values('Verifications').at(-1)).toEqual({ value: 1, dimensions: { result: 'duplicate' } });
  });

  it('a verification for nobody we sent to, another factor, or a failure confirms nothing', async () => {
    const user = `00u${randomUUID().slice(0, 17)}`;
    const message = await sentTo(user);
    const unmatched = oktaEventHookPayload({ userId: `00u${randomUUID().slice(0, 17)}`, channel: 'sms' });
    const failed = oktaEventHookPayload({ userId: user, channel: 'sms', outcome: 'FAILURE' });
    const voice = oktaEventHookPayload({ userId: user, channel: 'voice' });
    for (const payload of [unmatched, failed, voice]) expect((await post(payload)).status).toBe(204);
    expect(await ledger.get(message.messageId)).toMatchObject({ conversion: 'awaiting' });
    expect(fake.requestsFor('PutMessageFeedback')).toEqual([]);
    expect(
      metrics
        .values('Verifications')
        .map((v) => v.dimensions.result)
        .sort(),
    ).toEqual(['ignored', 'unmatched', 'unmatched']);
  });

  it('a provider that fails the feedback is measured; the verification stands and a redelivery retries it', async () => {
    const user = `00u${randomUUID().slice(0, 17)}`;
    const message = await sentTo(user);
    fake.failNext({ type: 'server-error' }, { target: 'PutMessageFeedback' });
    const payload = oktaEventHookPayload({ userId: user, channel: 'sms' });
    expect((await post(payload)).status).toBe(204);
    expect(await ledger.get(message.messageId)).toMatchObject({ conversion: 'received' });
    expect((await ledger.get(message.messageId))?.feedbackAt).toBeUndefined();
    expect(metrics.values('FeedbackErrors')).toEqual([
      { value: 1, dimensions: { provider: 'aws-end-user-messaging' } },
    ]);

    expect((await post(payload)).status).toBe(204);
    expect(fake.requestsFor('PutMessageFeedback').map((r) => r.outcome)).toEqual(['server-error', 'ok']);
    expect((await ledger.get(message.messageId))?.feedbackAt).toBeGreaterThan(0);
  });

  it('a ledger that does not answer ends in a 500 within the budget, so Okta retries once', async () => {
    const hole = await BlackHoleServer.start();
    const client = createLocalClient(hole.url);
    try {
      handler.current = build(
        new DynamoDbMessageLedger(client, { tableName: TABLE }, { now: Date.now }),
        300,
      );
      const started = performance.now();
      const response = await post(oktaEventHookPayload({ userId: USER, channel: 'sms' }));
      expect(response.status).toBe(500);
      expect(performance.now() - started).toBeLessThan(1_500);
    } finally {
      client.destroy();
      await hole.close();
    }
  });
});
