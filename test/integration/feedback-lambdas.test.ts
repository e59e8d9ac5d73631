import { randomBytes, randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, SNSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DynamoDbMessageLedger } from '../../adapters/dynamodb/dynamodb-message-ledger';
import { ensureIdempotencyTable } from '../../adapters/dynamodb/idempotency-table';
import { ensureMessageTable } from '../../adapters/dynamodb/message-table';
import { ensureTemplateTable } from '../../adapters/dynamodb/template-table';
import { KmsDerivedFingerprinter } from '../../adapters/kms/kms-derived-fingerprinter';
import { proxyEvent } from '../../app/local/api-gateway-events';
import { oktaEventHookPayload } from '../../app/local/okta-event-hook-payload';
import { oktaSamplePayload } from '../../app/local/okta-sample-payload';
import { parseEmfLine } from '../../app/metrics-summary';
import { FAILURE_REASONS, LOCALE_SOURCES, PROVIDERS } from '../../domain/metric-labels';
import { startTestDynamo, type TestDynamo } from '../support/dynalite';
import { FakeAwsEndpoint } from '../support/fake-aws-endpoint';
import { localHookEnvironment } from '../support/local-lambda-environment';
import { guardSecret } from '../support/secret-leak-guard';

/**
 * The whole loop through the Lambda entry points as deployed (module-scope composition from the
 * environment template.yaml gives them; real SDK clients against dynalite and the fake AWS endpoint):
 * the hook sends with a TimeToLive and a feedback record and records the message; the receipts function
 * takes End User Messaging's events as SNS delivers them; Okta's event hook confirms; the sweep settles
 * what nobody confirmed. Every metric is read back from the EMF Powertools writes on standard output.
 */
const SECRET_ID = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:event-hook-abc123';
const SECRET = randomBytes(24).toString('base64url');
const USER = '00uLocalDevelopment0';

let dynamo: TestDynamo;
let fake: FakeAwsEndpoint;
let hook: (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;
let receipts: (event: SNSEvent) => Promise<void>;
let eventHook: (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;
let settle: () => Promise<{ settled: number }>;
let ledger: DynamoDbMessageLedger;
const stdout: string[] = [];
const saved = { ...process.env };

beforeAll(async () => {
  dynamo = await startTestDynamo();
  fake = await FakeAwsEndpoint.start();
  fake.putSecret(SECRET_ID, SECRET);
  await ensureTemplateTable(dynamo.client, 'templates');
  await ensureIdempotencyTable(dynamo.client, 'idempotency');
  await ensureMessageTable(dynamo.client, 'messages');
  Object.assign(process.env, {
    ...localHookEnvironment({ fakeAws: fake.url, dynamo: dynamo.endpoint }),
    CONFIGURATION_SET_NAME: 'otp-courier',
    MESSAGE_FEEDBACK: 'true',
    MESSAGES_TABLE: 'messages',
    POWERTOOLS_METRICS_NAMESPACE: 'otp-courier/test',
    EVENT_HOOK_SECRET_ID: SECRET_ID,
    SETTLE_GRACE_SECONDS: '0',
    LOG_LEVEL: 'WARN',
  });
  // Powertools writes EMF straight to standard output, as Lambda ships it to CloudWatch Logs.
  const write = process.stdout.write.bind(process.stdout);
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown, ...rest: unknown[]) => {
    const text = String(chunk);
    if (text.includes('"_aws"')) {
      stdout.push(...text.split('\n').filter((line) => line.includes('"_aws"')));
      return true;
    }
    return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
  });
  vi.resetModules();
  hook = (await import('../../app/lambda/telephony-hook')).handler;
  receipts = (await import('../../app/lambda/delivery-receipts')).handler;
  eventHook = (await import('../../app/lambda/okta-event-hook')).handler;
  settle = (await import('../../app/lambda/settle-unconfirmed')).handler;
  ledger = new DynamoDbMessageLedger(dynamo.client, { tableName: 'messages' }, { now: Date.now });
});

afterAll(async () => {
  vi.restoreAllMocks();
  process.env = saved;
  await fake?.close();
  await dynamo?.close();
});

function apiEvent(path: string, method: string, body: unknown, headers: Record<string, string> = {}) {
  return {
    ...proxyEvent({
      path,
      headers: { 'content-type': 'application/json', ...headers },
      body: body === undefined ? '' : JSON.stringify(body),
      sourceIp: '198.51.100.7',
      receivedAt: Date.now(),
      authorizer: { principalId: 'okta', policyDocument: { Version: '2012-10-17', Statement: [] } },
    }),
    httpMethod: method,
  };
}

function snsEvent(...events: Record<string, unknown>[]): SNSEvent {
  return {
    Records: events.map((event) => ({
      EventSource: 'aws:sns',
      EventVersion: '1.0',
      EventSubscriptionArn: 'arn:aws:sns:us-east-1:000000000000:events:sub',
      Sns: {
        Type: 'Notification',
        MessageId: randomUUID(),
        TopicArn: 'arn:aws:sns:us-east-1:000000000000:events',
        Subject: '',
        Message: JSON.stringify(event),
        Timestamp: new Date().toISOString(),
        SignatureVersion: '1',
        Signature: '',
        SigningCertUrl: '',
        UnsubscribeUrl: '',
        MessageAttributes: {},
      },
    })),
  };
}

const endUserMessagingEvent = (
  messageId: string,
  eventId: string,
  overrides: Record<string, unknown> = {},
) => ({
  eventType: 'TEXT_DELIVERED',
  eventVersion: '1.0',
  eventTimestamp: Date.now(),
  isFinal: true,
  originationPhoneNumber: 'AcmeOTP',
  destinationPhoneNumber: '+442079460958',
  isoCountryCode: 'GB',
  messageId,
  messageRequestTimestamp: Date.now() - 900,
  messageEncoding: 'GSM',
  messageType: 'TRANSACTIONAL',
  messageStatus: 'DELIVERED',
  messageStatusDescription: 'Message has been accepted by phone',
  context: { eventId, purpose: 'verification' },
  totalMessageParts: 1,
  totalMessagePrice: 0.0345,
  totalCarrierFee: 0,
  ...overrides,
});

describe('the loop through the Lambda entry points', () => {
  it('send with TTL and feedback → receipt (twice) → verification → feedback, measured once each', async () => {
    const code = guardSecret('58204719');
    const payload = oktaSamplePayload({ code, channel: 'sms', phone: '+442079460958', locale: 'en-GB' });
    const started = Date.now();
    const reply = await hook(apiEvent('/okta/telephony-hook', 'POST', payload));
    const messageId = JSON.parse(reply.body).commands[0].value[0].transactionId as string;
    expect(JSON.parse(reply.body).commands[0].value[0].status).toBe('SUCCESSFUL');

    // On the wire: a TimeToLive within the code's remaining life, a feedback record, our configuration set.
    const [send] = fake.requestsFor('SendTextMessage');
    const life = (Date.parse(payload.data.messageProfile.otpExpires) - started) / 1000;
    expect(send?.body.TimeToLive).toBeLessThanOrEqual(Math.floor(life));
    expect(send?.body.TimeToLive).toBeGreaterThan(life - 5);
    expect(send?.body).toMatchObject({ MessageFeedbackEnabled: true, ConfigurationSetName: 'otp-courier' });

    expect(await ledger.get(messageId)).toMatchObject({
      eventId: payload.eventId,
      country: 'GB',
      maskedTo: '+44********58',
      conversion: 'awaiting',
    });

    // SNS delivers at least once: the same event twice, and the carrier's earlier acceptance late.
    const delivered = endUserMessagingEvent(messageId, payload.eventId);
    await receipts(snsEvent(delivered, delivered));
    await receipts(
      snsEvent(
        endUserMessagingEvent(messageId, payload.eventId, {
          eventType: 'TEXT_SUCCESSFUL',
          eventTimestamp: Date.now() - 500,
        }),
      ),
    );
    expect(await ledger.get(messageId)).toMatchObject({
      status: 'delivered',
      priceUsd: 0.0345,
      settled: true,
    });

    const verification = await eventHook(
      apiEvent('/okta/event-hook', 'GET', undefined, {
        authorization: SECRET,
        'x-okta-verification-challenge': 'challenge-123',
      }),
    );
    expect(JSON.parse(verification.body)).toEqual({ verification: 'challenge-123' });
    const confirmed = await eventHook(
      apiEvent('/okta/event-hook', 'POST', oktaEventHookPayload({ userId: USER, channel: 'sms' }), {
        authorization: SECRET,
      }),
    );
    expect(confirmed.statusCode).toBe(204);
    expect(fake.requestsFor('PutMessageFeedback').map((r) => r.body)).toEqual([
      { MessageId: messageId, MessageFeedbackStatus: 'RECEIVED' },
    ]);
    expect(await ledger.get(messageId)).toMatchObject({ conversion: 'received' });

    const docs = stdout.map(parseEmfLine).filter((d) => d !== undefined);
    const delivery = docs.filter((d) => d?.values.Delivered);
    expect(delivery.map((d) => [d?.values.Delivered, d?.dimensions.country])).toEqual([[[1], 'GB']]);
    expect(docs.filter((d) => d?.values.Converted).map((d) => d?.values.Converted)).toEqual([[1]]);
    expect(docs.some((d) => d?.values.Requests && d.dimensions.outcome === 'sent')).toBe(true);
  });

  it('a call carries the TTL and a feedback record too', async () => {
    await hook(
      apiEvent(
        '/okta/telephony-hook',
        'POST',
        oktaSamplePayload({ channel: 'voice', phone: '+442079460958' }),
      ),
    );
    const [call] = fake.requestsFor('SendVoiceMessage');
    expect(call?.body.TimeToLive).toBeGreaterThan(290);
    expect(call?.body.TimeToLive).toBeLessThanOrEqual(300);
    expect(call?.body.MessageFeedbackEnabled).toBe(true);
  });

  it('the sweep settles a message whose code expired unconfirmed, once', async () => {
    const fingerprinter = new KmsDerivedFingerprinter(
      new (await import('@aws-sdk/client-kms')).KMSClient({ endpoint: fake.url, region: 'us-east-1' }),
      { keyId: process.env.FINGERPRINT_KMS_KEY_ID ?? '' },
    );
    const now = Date.now();
    const messageId = randomUUID();
    await ledger.recordSent({
      messageId,
      provider: 'aws-end-user-messaging',
      eventId: 'evt-expired',
      idp: 'okta',
      purpose: 'verification',
      channel: 'sms',
      country: 'NG',
      maskedTo: '+234********11',
      receivedAt: now - 400_000,
      sentAt: now - 400_000,
      codeExpiresAt: now - 100_000,
      userKey: await fingerprinter.fingerprint(['user', 'okta', 'someone-else']),
    });
    const first = await settle();
    expect(first.settled).toBeGreaterThanOrEqual(1);
    expect(await ledger.get(messageId)).toMatchObject({ conversion: 'unconfirmed' });
    expect((await settle()).settled).toBe(0);
    const docs = stdout.map(parseEmfLine).filter((d) => d?.values.Converted && d.dimensions.country === 'NG');
    expect(docs.map((d) => d?.values.Converted)).toEqual([[0]]);
  });

  it('every EMF document on standard output has bounded dimensions: no phone number, no event id', () => {
    expect(stdout.length).toBeGreaterThan(5);
    const text = stdout.join('\n');
    expect(text).not.toMatch(/2079460958|evt-expired|00uLocalDevelopment0/);
    for (const line of stdout) {
      const doc = parseEmfLine(line);
      expect(doc?.dimensions.service).toBe('otp-courier');
      const d = doc?.dimensions ?? {};
      if (d.provider) expect(PROVIDERS).toContain(d.provider);
      if (d.localeSource) expect(LOCALE_SOURCES).toContain(d.localeSource);
      if (d.reason && d.reason !== 'none') expect(FAILURE_REASONS).toContain(d.reason);
      if (d.country) expect(d.country).toMatch(/^[A-Z]{2}$/);
      expect(JSON.parse(line)._aws.CloudWatchMetrics[0].Namespace).toBe('otp-courier/test');
    }
  });
});
