/**
 * Issue 9 §1: every AWS call is bounded, for real. Each SDK client is built by the production factory
 * with the production bounds and pointed at a TCP endpoint that accepts and never answers; each call must
 * fail within its bound. Then the production composition root (awsHookAdapters) with one service hung at
 * a time: every request must end parked, or logged with its sealed code, and the reply must leave in time.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbIdempotencyStore } from '../../adapters/dynamodb/dynamodb-idempotency-store';
import { ensureIdempotencyTable } from '../../adapters/dynamodb/idempotency-table';
import { ensureTemplateTable } from '../../adapters/dynamodb/template-table';
import { createEndUserMessagingClient } from '../../adapters/end-user-messaging/end-user-messaging-client';
import { EndUserMessagingSender } from '../../adapters/end-user-messaging/end-user-messaging-sender';
import { KmsSecretSealer } from '../../adapters/kms/kms-secret-sealer';
import { SystemClock } from '../../adapters/local/system-clock';
import { SqsDeadLetterQueue } from '../../adapters/sqs/sqs-dead-letter-queue';
import {
  type AwsCallBounds,
  boundedClientConfig,
  boundedHandlerOptions,
  worstCaseMs,
} from '../../app/composition/aws-call-bounds';
import { awsHookAdapters } from '../../app/composition/aws-hook-adapters';
import { buildHookContainer } from '../../app/composition/hook-container';
import { loadHookCallBounds } from '../../app/config/aws-call-bounds-config';
import { loadAwsConfig } from '../../app/config/aws-config';
import { loadDeliveryConfig } from '../../app/config/delivery-config';
import { DeliverOtp } from '../../app/deliver-otp';
import type { DeadLetter } from '../../domain/dead-letter';
import { Deadline } from '../../domain/deadline';
import type { DeliveryOutcome } from '../../domain/delivery-outcome';
import type { Channel, DeliveryRequest } from '../../domain/delivery-request';
import { BlackHoleServer } from '../support/black-hole-server';
import { DelayAnswerProxy } from '../support/delay-answer-proxy';
import { startTestDynamo, type TestDynamo } from '../support/dynalite';
import { FakeAwsEndpoint, fakeAwsClientConfig } from '../support/fake-aws-endpoint';
import { RecordingLogger } from '../support/recording-logger';
import { sampleDeadLetter } from '../support/sample-dead-letter';
import { guardSecret } from '../support/secret-leak-guard';

const BOUNDS = loadHookCallBounds({});
const { delivery, hook } = loadDeliveryConfig({ BRAND_NAME: 'Acme' });
// The SQS client sends each call to its queue URL's host (it overrides the endpoint with it), so the
// queue URL is what points SQS at the fake or the black hole.
const queueUrl = (base: string) => `${base}/000000000000/otp-courier-dead-letters`;
const CREDENTIALS = { accessKeyId: 'AKIDFAKE', secretAccessKey: 'fake-secret' };
// Timers on two busy cores fire late, never early; the upper slack is for that, not for the code.
const TIMER_SLACK_MS = 600;
/** Every reply time measured here, by case, for the report. */
const figures: Record<string, number> = {};

let hole: BlackHoleServer;
let fake: FakeAwsEndpoint;
let dynamo: TestDynamo;
let serial = 0;

function request(channel: Channel = 'sms'): DeliveryRequest {
  serial += 1;
  return {
    eventId: `okta-bounded-${serial}`,
    idp: 'okta',
    purpose: 'verification',
    channel,
    phone: `+1415555${String(1000 + serial)}`,
    code: guardSecret(String(40_000_000 + serial * 7919)),
    expiresAt: new Date(Date.now() + 300_000),
    requestedLocale: 'en-US',
  };
}

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; result: PromiseSettledResult<T> }> {
  const started = Date.now();
  const [result] = await Promise.allSettled([work()]);
  return { ms: Date.now() - started, result: result as PromiseSettledResult<T> };
}

/** A bound is met when the call took every attempt's timeout, and not much more than all of them. */
function expectWithinBound(ms: number, bounds: AwsCallBounds): void {
  expect(ms).toBeGreaterThanOrEqual(bounds.maxAttempts * bounds.requestTimeoutMs - 20);
  expect(ms).toBeLessThanOrEqual(worstCaseMs(bounds) + TIMER_SLACK_MS);
}

beforeAll(async () => {
  [hole, fake, dynamo] = await Promise.all([
    BlackHoleServer.start(),
    FakeAwsEndpoint.start(),
    startTestDynamo(),
  ]);
  await ensureIdempotencyTable(dynamo.client, 'idempotency');
  await ensureTemplateTable(dynamo.client, 'templates');
});
afterAll(async () => {
  console.log('hung AWS endpoints, measured ms:', JSON.stringify(figures));
  await Promise.all([hole?.close(), fake?.close(), dynamo?.close()]);
});

describe('each SDK client, built by the production factory with the production bounds, against a black hole', () => {
  it('DynamoDB, KMS, SQS and End User Messaging calls each fail within their bound', async () => {
    const at = { endpoint: hole.url, region: 'us-east-1', credentials: CREDENTIALS };
    const dynamoClient = new DynamoDBClient({ ...at, ...boundedClientConfig(BOUNDS.dynamodb) });
    const kms = new KMSClient({ ...at, ...boundedClientConfig(BOUNDS.kms) });
    const sqs = new SQSClient({ ...at, ...boundedClientConfig(BOUNDS.sqs) });
    const smsVoice = createEndUserMessagingClient({
      ...at,
      requestHandler: boundedHandlerOptions(BOUNDS.smsVoice),
    });
    const logger = new RecordingLogger();
    try {
      const [claim, seal, park, send] = await Promise.all([
        timed(() =>
          new DynamoDbIdempotencyStore(
            dynamoClient,
            { tableName: 'idempotency' },
            logger,
            new SystemClock(),
          ).claim({ eventKey: 'e'.repeat(43), codeKey: 'c'.repeat(43) }, Date.now() + 300_000),
        ),
        timed(() => new KmsSecretSealer(kms, { keyId: 'alias/sealing' }).seal('12345678', 'evt-hole')),
        timed(() =>
          new SqsDeadLetterQueue(sqs, { queueUrl: queueUrl(hole.url) }).park(
            sampleDeadLetter('evt-hole', { scheme: 'kms', keyId: 'alias/sealing', ciphertext: 'AA==' }),
          ),
        ),
        timed(() =>
          new EndUserMessagingSender(smsVoice, {
            originationIdentities: {},
            defaultOriginationIdentity: 'pool',
          }).send(
            {
              eventId: 'evt-hole',
              idp: 'okta',
              purpose: 'verification',
              channel: 'sms',
              to: '+14155550100',
              body: 'Acme: your code is in the black hole',
              locale: 'en',
              templateSource: 'catalogue',
              expiresAt: new Date(Date.now() + 300_000),
            } as never,
            // A far deadline: only the client's own bound can end this call.
            { signal: new AbortController().signal, deadline: Deadline.after(Date.now(), 30_000) },
          ),
        ),
      ]);
      Object.assign(figures, {
        dynamodbPutItem: claim.ms,
        kmsEncrypt: seal.ms,
        sqsSendMessage: park.ms,
        smsVoiceSendTextMessage: send.ms,
      });

      for (const { result } of [claim, seal, park]) {
        expect(result.status).toBe('rejected');
        expect((result as PromiseRejectedResult).reason).toMatchObject({ name: 'TimeoutError' });
      }
      expectWithinBound(claim.ms, BOUNDS.dynamodb);
      expectWithinBound(seal.ms, BOUNDS.kms);
      expectWithinBound(park.ms, BOUNDS.sqs);
      // One attempt: a send that timed out may have been accepted, so it is never retried.
      expect(send.result.status).toBe('rejected');
      expect((send.result as PromiseRejectedResult).reason).toMatchObject({
        name: 'DeliveryError',
        kind: 'timeout',
      });
      expectWithinBound(send.ms, BOUNDS.smsVoice);

      // Every attempt reached the hole (so the bound is per attempt, retries included), and each gave up.
      // The claim's two writes (event and code) leave together, each making every attempt.
      expect(hole.count('PutItem')).toBe(2 * BOUNDS.dynamodb.maxAttempts);
      expect(hole.count('Encrypt')).toBe(BOUNDS.kms.maxAttempts);
      expect(hole.count('SendMessage')).toBe(BOUNDS.sqs.maxAttempts);
      expect(hole.count('SendTextMessage')).toBe(1);
      await expect.poll(() => hole.openConnections).toBe(0);
    } finally {
      for (const client of [dynamoClient, kms, sqs, smsVoice]) client.destroy();
    }
  }, 15_000);
});

type Service = 'DYNAMODB' | 'KMS' | 'SQS' | 'PINPOINT_SMS_VOICE_V2';

/**
 * The production composition root, its clients sent by AWS_ENDPOINT_URL_<SERVICE> (the SDK's own
 * service-specific endpoint variables) to dynalite and the fake AWS endpoint, except `hung`: the black hole.
 */
async function productionHook(
  hung: Service | undefined,
  options: { dynamoEndpoint?: string; env?: Record<string, string> } = {},
) {
  const endpoints: Record<Service, string> = {
    DYNAMODB: options.dynamoEndpoint ?? dynamo.endpoint,
    KMS: fake.url,
    SQS: fake.url,
    PINPOINT_SMS_VOICE_V2: fake.url,
  };
  if (hung) endpoints[hung] = hole.url;
  const saved = { ...process.env };
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    ...Object.fromEntries(
      Object.entries(endpoints).map(([service, url]) => [`AWS_ENDPOINT_URL_${service}`, url]),
    ),
  });
  const logger = new RecordingLogger();
  const adapters = awsHookAdapters(
    loadAwsConfig({
      TEMPLATE_TABLE: 'templates',
      IDEMPOTENCY_TABLE: 'idempotency',
      DEAD_LETTER_QUEUE_URL: queueUrl(endpoints.SQS),
      SEALING_KMS_KEY_ID: 'alias/otp-courier-sealing',
      FINGERPRINT_KMS_KEY_ID: 'alias/otp-courier-fingerprint',
      DEFAULT_ORIGINATION_IDENTITY: 'pool-acme-otp',
      ...options.env,
    }),
    { delivery, hook, logLevel: 'SILENT' },
  );
  const deliverOtp = buildHookContainer({ ...adapters, logger }).get(DeliverOtp);
  return {
    logger,
    async deliver(req: DeliveryRequest): Promise<{ outcome: DeliveryOutcome; replyMs: number }> {
      const receivedAt = Date.now();
      const outcome = await deliverOtp.execute(req, Deadline.after(receivedAt, hook.deadlineMs));
      return { outcome, replyMs: Date.now() - receivedAt };
    },
    /** Restores the environment; the clients keep the endpoints they resolved. */
    restoreEnv() {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    },
  };
}

function parkedLetter(eventId: string): DeadLetter | undefined {
  return fake
    .sqsMessages()
    .map((m) => JSON.parse(m.body) as DeadLetter)
    .find((l) => l.eventId === eventId);
}

describe('the production hook with one AWS service hung: each request ends parked or logged with its sealed code', () => {
  it('DynamoDB hung: the claim fails within its bound, nothing is sent, the letter is parked', async () => {
    fake.reset();
    const hookUnder = await productionHook('DYNAMODB');
    try {
      const req = request();
      const { outcome, replyMs } = await hookUnder.deliver(req);
      figures.replyDynamoDbHung = replyMs;
      expect(outcome).toMatchObject({ status: 'FAILED', failureReason: 'idempotency-unavailable' });
      expect(fake.requestsFor('SendTextMessage')).toHaveLength(0);
      expect(parkedLetter(req.eventId)?.sealedCode.scheme).toBe('kms');
      expect(replyMs).toBeLessThanOrEqual(worstCaseMs(BOUNDS.dynamodb) + TIMER_SLACK_MS);
    } finally {
      hookUnder.restoreEnv();
    }
  });

  it('SQS hung: the send is refused, parking fails within its bound, the log line carries the sealed code', async () => {
    fake.reset();
    fake.failNext(
      { type: 'error', code: 'ConflictException', reason: 'DESTINATION_PHONE_NUMBER_OPTED_OUT' },
      { target: 'SendTextMessage' },
    );
    const hookUnder = await productionHook('SQS');
    try {
      const req = request();
      const { outcome, replyMs } = await hookUnder.deliver(req);
      figures.replySqsHung = replyMs;
      expect(outcome).toMatchObject({ status: 'FAILED', failureReason: 'opted-out' });
      const line = await expect
        .poll(() => hookUnder.logger.lines.find((l) => l.message === 'dead letter could not be parked'), {
          timeout: worstCaseMs(BOUNDS.sqs) + 2_000,
        })
        .toBeDefined()
        .then(() => hookUnder.logger.lines.find((l) => l.message === 'dead letter could not be parked'));
      expect(line?.fields).toMatchObject({
        eventId: req.eventId,
        parkError: 'TimeoutError',
        sealedScheme: 'kms',
      });
      // The logged ciphertext is the code, sealed for this event: an operator can still redrive it by hand.
      const sealer = new KmsSecretSealer(new KMSClient({ ...fakeAwsClientConfig(fake), maxAttempts: 1 }), {
        keyId: 'alias/otp-courier-sealing',
      });
      const opened = await sealer.unseal(
        {
          scheme: 'kms',
          keyId: String(line?.fields.sealedKeyId),
          ciphertext: String(line?.fields.sealedCode),
        },
        req.eventId,
      );
      expect(opened === req.code).toBe(true);
      expect(hole.count('SendMessage')).toBeGreaterThanOrEqual(BOUNDS.sqs.maxAttempts);
    } finally {
      hookUnder.restoreEnv();
    }
  });

  it('End User Messaging hung: the send is cut within its bound and the letter is parked', async () => {
    fake.reset();
    const hookUnder = await productionHook('PINPOINT_SMS_VOICE_V2');
    try {
      const req = request('voice');
      const { outcome, replyMs } = await hookUnder.deliver(req);
      figures.replySmsVoiceHung = replyMs;
      expect(outcome.status).toBe('FAILED');
      expect(['timeout', 'deadline-exceeded']).toContain(outcome.failureReason);
      expect(parkedLetter(req.eventId)?.error.kind).toBe(outcome.failureReason);
      expect(replyMs).toBeLessThanOrEqual(hook.deadlineMs + 100);
    } finally {
      hookUnder.restoreEnv();
    }
  });

  it('KMS hung: fingerprinting fails within its bound; sealing cannot, so the log line carries every other field', async () => {
    fake.reset();
    const hookUnder = await productionHook('KMS');
    try {
      const req = request();
      const { outcome, replyMs } = await hookUnder.deliver(req);
      figures.replyKmsHung = replyMs;
      expect(outcome).toMatchObject({ status: 'FAILED', failureReason: 'idempotency-unavailable' });
      expect(fake.requestsFor('SendTextMessage')).toHaveLength(0);
      // Nothing was sent, the reply said so (Okta sends its own code), and nothing vanished silently.
      await expect
        .poll(
          () => hookUnder.logger.lines.find((l) => l.message === 'dead letter could not be parked')?.fields,
          {
            timeout: worstCaseMs(BOUNDS.kms) + 2_000,
          },
        )
        .toMatchObject({ eventId: req.eventId, kind: 'idempotency-unavailable', parkError: 'TimeoutError' });
      expect(replyMs).toBeLessThanOrEqual(hook.deadlineMs + 100);
    } finally {
      hookUnder.restoreEnv();
    }
  });

  it('KMS GenerateMac hung at cold start: those requests fail and are parked; the warm instance recovers', async () => {
    fake.reset();
    // Both attempts of the first derivation hang; KMS answers again afterwards.
    fake.failNext({ type: 'hang' }, { target: 'GenerateMac', times: BOUNDS.kms.maxAttempts });
    const hookUnder = await productionHook(undefined);
    try {
      const first = request();
      const second = request();
      const [a, b] = await Promise.all([
        hookUnder.deliver(first),
        // Arrives while the derivation hangs: shares it, and its failure.
        new Promise((r) => setTimeout(r, 100)).then(() => hookUnder.deliver(second)),
      ]);
      figures.replyGenerateMacHung = a.replyMs;
      expect(a.outcome).toMatchObject({ status: 'FAILED', failureReason: 'idempotency-unavailable' });
      expect(b.outcome).toMatchObject({ status: 'FAILED', failureReason: 'idempotency-unavailable' });
      expect(parkedLetter(first.eventId)).toBeDefined();
      expect(parkedLetter(second.eventId)).toBeDefined();

      const later = await hookUnder.deliver(request());
      figures.replyAfterKmsRecovered = later.replyMs;
      expect(later.outcome.status).toBe('SUCCESSFUL');
      expect(fake.requestsFor('GenerateMac').map((r) => r.outcome)).toEqual([
        ...Array(BOUNDS.kms.maxAttempts).fill('hang'),
        'ok',
      ]);
    } finally {
      hookUnder.restoreEnv();
    }
  });
});

describe('the production hook when DynamoDB applies a claim but its answer is lost', () => {
  it('the SDK retries the PutItem, the store knows its own claim: sent once, SUCCESSFUL, nothing parked', async () => {
    fake.reset();
    const proxy = await DelayAnswerProxy.start(dynamo.endpoint);
    // The first claim write is applied at once but answered after the client's 250 ms timeout.
    proxy.holdAnswers('PutItem', 1_000);
    const hookUnder = await productionHook(undefined, {
      dynamoEndpoint: proxy.url,
      env: { DYNAMODB_TIMEOUT_MS: '250', AWS_CONNECT_TIMEOUT_MS: '200' },
    });
    try {
      const req = request();
      const { outcome, replyMs } = await hookUnder.deliver(req);
      figures.replyClaimAnswerLost = replyMs;
      expect(outcome.status).toBe('SUCCESSFUL');
      expect(outcome.duplicate).toBeUndefined();
      expect(fake.requestsFor('SendTextMessage')).toHaveLength(1);
      expect(parkedLetter(req.eventId)).toBeUndefined();
      expect(proxy.requests.filter((r) => r.target.endsWith('.PutItem')).map((r) => r.heldMs)).toEqual([
        1_000, 0, 0,
      ]);
    } finally {
      hookUnder.restoreEnv();
      await proxy.close();
    }
  });
});
