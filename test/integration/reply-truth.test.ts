/**
 * Issue 9 §2–3 through the hook's Lambda entry point exactly as deployed (module-scope composition,
 * production adapters, real SDK clients), with a scripted network between it and AWS: TCP proxies in
 * front of End User Messaging (the fake endpoint) and DynamoDB (dynalite) that let a call through and
 * then cut or hold back its answer, and an SQS that answers late.
 *
 * What must hold under each fault: no second send, no FAILED reply for a message the provider was known
 * to accept, and every request not sent ends parked — or, when parking itself cannot finish in time, in
 * a log line carrying its sealed code — before the reply leaves, with no call still running after it.
 */
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ensureIdempotencyTable } from '../../adapters/dynamodb/idempotency-table';
import { ensureTemplateTable } from '../../adapters/dynamodb/template-table';
import { KmsSecretSealer } from '../../adapters/kms/kms-secret-sealer';
import { REPLY_MARGIN_MS } from '../../app/deliver-otp';
import { proxyEvent } from '../../app/local/api-gateway-events';
import { oktaSamplePayload } from '../../app/local/okta-sample-payload';
import type { DeadLetter } from '../../domain/dead-letter';
import { CuttingTcpProxy } from '../support/cutting-tcp-proxy';
import { startTestDynamo, type TestDynamo } from '../support/dynalite';
import { FakeAwsEndpoint, fakeAwsClientConfig } from '../support/fake-aws-endpoint';
import { localHookEnvironment } from '../support/local-lambda-environment';
import { capturedOutput, guardSecret } from '../support/secret-leak-guard';

const DEADLINE_MS = 2_500;
const RESERVE_MS = 300;
// Timers on a loaded 2-core machine; the replies must still beat Okta's 3 s by far.
const SLACK_MS = 150;
const SEALING_KEY = 'arn:aws:kms:us-east-1:000000000000:key/seal';

let dynamo: TestDynamo;
let fake: FakeAwsEndpoint;
let dynamoProxy: CuttingTcpProxy;
let smsProxy: CuttingTcpProxy;
let hook: (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;
const saved = { ...process.env };
const figures: Record<string, number> = {};

beforeAll(async () => {
  dynamo = await startTestDynamo();
  fake = await FakeAwsEndpoint.start();
  dynamoProxy = await CuttingTcpProxy.start(dynamo.endpoint);
  smsProxy = await CuttingTcpProxy.start(fake.url);
  await ensureTemplateTable(dynamo.client, 'templates');
  await ensureIdempotencyTable(dynamo.client, 'idempotency');
  Object.assign(process.env, {
    ...localHookEnvironment({ fakeAws: fake.url, dynamo: dynamoProxy.url }),
    AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2: smsProxy.url,
    DEADLINE_MS: String(DEADLINE_MS),
    FAILURE_PATH_RESERVE_MS: String(RESERVE_MS),
    LOG_LEVEL: 'WARN',
    // These cases send to one phone within seconds, which the velocity brakes rightly refuse; the brakes
    // have their own suites.
    BRAKES_LIMITS: 'none',
  });
  vi.resetModules();
  hook = (await import('../../app/lambda/telephony-hook')).handler;
  // Warm: KMS-derived fingerprint key, SDK clients connected, templates cached.
  await hook(hookEvent(oktaSamplePayload({ code: guardSecret('40917263') })));
});

afterAll(async () => {
  console.log('reply times under faults (ms):', JSON.stringify(figures));
  process.env = saved;
  await smsProxy?.close();
  await dynamoProxy?.close();
  await fake?.close();
  await dynamo?.close();
});

beforeEach(() => fake.reset());

function hookEvent(body: unknown, receivedAt = Date.now()): APIGatewayProxyEvent {
  return proxyEvent({
    path: '/okta/telephony-hook',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    sourceIp: '198.51.100.7',
    receivedAt,
    authorizer: {
      principalId: '0oa-otp-courier-dev',
      policyDocument: { Version: '2012-10-17', Statement: [] },
    },
  });
}

async function call(payload: unknown, receivedAt = Date.now()) {
  const result = await hook(hookEvent(payload, receivedAt));
  const ms = Date.now() - receivedAt;
  const body = JSON.parse(result.body);
  const status: string = body.commands?.[0]?.value?.[0]?.status ?? (body.error ? 'FAILED' : 'none');
  return { status, body, ms };
}

function letterOf(eventId: string): DeadLetter | undefined {
  return fake
    .sqsMessages()
    .map((m) => JSON.parse(m.body) as DeadLetter)
    .find((l) => l.eventId === eventId);
}

const sends = () => fake.requestsFor('SendTextMessage');
const isUpdateItem = (request: string) => /x-amz-target: DynamoDB_20120810\.UpdateItem/i.test(request);

describe('the reply tells Okta the truth, and nothing is lost in Lambda', () => {
  it('once the provider accepted, the reply is SUCCESSFUL however slow the record, and the record is cut off before it', async () => {
    const payload = oktaSamplePayload({ code: guardSecret('58301946') });
    // Both records of the claim (event key, code key) are written, but their answers come 3 s late: past
    // the DynamoDB client's bound and the deadline.
    dynamoProxy.faultNextAnswers({ type: 'delay', ms: 3_000 }, { times: 2, when: isUpdateItem });
    const abandonedBefore = dynamoProxy.abandoned;

    const reply = await call(payload);
    figures.slowRecord = reply.ms;
    expect(reply.status).toBe('SUCCESSFUL');
    expect(reply.ms).toBeLessThan(DEADLINE_MS + SLACK_MS);
    expect(sends().map((s) => s.outcome)).toEqual(['ok']);
    expect(fake.sqsMessages()).toEqual([]);
    // The record's calls were given up — by the DynamoDB client's own timeout, or at the deadline —
    // their sockets closed, rather than left running into the freeze.
    await vi.waitFor(() => expect(dynamoProxy.abandoned - abandonedBefore).toBeGreaterThanOrEqual(2), {
      timeout: 500,
    });

    // DynamoDB applied the writes (only their answers were late), so a duplicate replays the reply.
    const again = await call(payload);
    expect(again.status).toBe('SUCCESSFUL');
    expect(again.body.commands[0].value[0].transactionId).toBe(reply.body.commands[0].value[0].transactionId);
    expect(sends()).toHaveLength(1);
  });

  it('a reset after the provider accepted: one send, FAILED (the answer never came), parked uncertain', async () => {
    const payload = oktaSamplePayload({ code: guardSecret('77120458') });
    smsProxy.faultNextAnswers({ type: 'reset' }, { when: (r) => r.includes('SendTextMessage') });

    const reply = await call(payload);
    figures.resetAfterAccept = reply.ms;
    expect(reply.status).toBe('FAILED');
    expect(sends().map((s) => s.outcome)).toEqual(['ok']);
    expect(letterOf(payload.eventId)).toMatchObject({
      certainty: 'uncertain',
      error: { kind: 'network' },
      attempts: 1,
    });
    expect(reply.ms).toBeLessThan(1_000);
  });

  it('a failure path slower than the deadline: the reply leaves in time, the sealed code in a log line', async () => {
    const code = guardSecret('31570829');
    const payload = oktaSamplePayload({ code });
    fake
      .failNext(
        { type: 'error', code: 'ConflictException', reason: 'DESTINATION_PHONE_NUMBER_OPTED_OUT' },
        { target: 'SendTextMessage' },
      )
      .failNext({ type: 'delay', ms: 5_000 }, { target: 'SendMessage', times: 5 });
    const outputBefore = capturedOutput().length;

    const reply = await call(payload);
    figures.slowFailurePath = reply.ms;
    expect(reply.status).toBe('FAILED');
    expect(reply.body.error.errorCauses[0].reason).toBe('opted-out');
    expect(reply.ms).toBeLessThan(DEADLINE_MS + SLACK_MS);
    // Not parked — its SendMessage was abandoned — so the log line carries the code, sealed by KMS.
    expect(fake.sqsMessages()).toEqual([]);
    const line = capturedOutput()
      .slice(outputBefore)
      .split('\n')
      .filter((l) => l.includes('dead letter could not be parked'))
      .map((l) => JSON.parse(l) as Record<string, string>)
      .find((l) => l.eventId === payload.eventId);
    expect(line).toMatchObject({ certainty: 'not-sent', kind: 'opted-out', sealedScheme: 'kms' });
    const kms = new KMSClient(fakeAwsClientConfig(fake));
    try {
      const sealed = {
        scheme: 'kms',
        keyId: String(line?.sealedKeyId),
        ciphertext: String(line?.sealedCode),
      };
      const opened = await new KmsSecretSealer(kms, { keyId: SEALING_KEY }).unseal(sealed, payload.eventId);
      expect(opened === code).toBe(true);
    } finally {
      kms.destroy();
    }
  });

  it('a request stamped longer ago than the budget is answered FAILED without sending, however old; its replays too', async () => {
    for (const ageMs of [DEADLINE_MS + 100, 11_000, 3_600_000]) {
      const payload = oktaSamplePayload({ code: guardSecret(String(20_000_000 + ageMs)) });
      const arrived = Date.now();
      const reply = await call(payload, arrived - ageMs);
      const ownMs = Date.now() - arrived;
      figures[`stale${ageMs}`] = ownMs;
      expect(reply.status).toBe('FAILED');
      expect(reply.body.error.errorCauses[0].reason).toBe('deadline-exceeded');
      expect(ownMs).toBeLessThan(2 * RESERVE_MS + REPLY_MARGIN_MS + SLACK_MS);
      expect(letterOf(payload.eventId)).toMatchObject({
        certainty: 'not-sent',
        error: { kind: 'deadline-exceeded' },
        attempts: 0,
      });
      const replay = await call(payload, arrived - ageMs);
      expect(replay.status).toBe('FAILED');
      expect(fake.sqsMessages().filter((m) => m.body.includes(payload.eventId))).toHaveLength(1);
    }
    expect(sends()).toEqual([]);
  });

  it('replays of an expired event are deduplicated: one letter however many replays', async () => {
    const payload = oktaSamplePayload({ code: guardSecret('64290157'), expiresInSeconds: -600 });
    for (let i = 0; i < 4; i++) {
      const reply = await call(payload);
      expect(reply.body.error.errorCauses[0].reason).toBe('code-expired');
    }
    expect(fake.sqsMessages().map((m) => (JSON.parse(m.body) as DeadLetter).eventId)).toEqual([
      payload.eventId,
    ]);
    expect(sends()).toEqual([]);
    const items = await dynamo.client.send(new ScanCommand({ TableName: 'idempotency' }));
    expect(JSON.stringify(items.Items)).not.toContain('64290157');
  });
});
