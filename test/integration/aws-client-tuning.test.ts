/**
 * Issue 10: the SDK clients as the hook tunes them (aws-client-tuning.ts) still do everything the
 * request path relies on — real SDK v3 clients against dynalite, the fake AWS endpoint and a black hole.
 */
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { SendTextMessageCommand } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ensureIdempotencyTable } from '../../adapters/dynamodb/idempotency-table';
import { createEndUserMessagingClient } from '../../adapters/end-user-messaging/end-user-messaging-client';
import { boundedClientConfig, boundedHandlerOptions } from '../../app/composition/aws-call-bounds';
import { tuneClient } from '../../app/composition/aws-client-tuning';
import { BlackHoleServer } from '../support/black-hole-server';
import { startTestDynamo, type TestDynamo } from '../support/dynalite';
import { FakeAwsEndpoint, fakeAwsClientConfig } from '../support/fake-aws-endpoint';

const BOUNDS = { connectTimeoutMs: 300, requestTimeoutMs: 400, maxAttempts: 2 };
const CREDENTIALS = { accessKeyId: 'AKIDFAKE', secretAccessKey: 'fake-secret' };
// Timers on two busy cores fire late, never early.
const TIMER_SLACK_MS = 300;

let dynamo: TestDynamo;
let fake: FakeAwsEndpoint;
let hole: BlackHoleServer;

const tunedDynamo = (endpoint: string) =>
  tuneClient(
    new DynamoDBClient({
      endpoint,
      region: 'us-east-1',
      credentials: CREDENTIALS,
      accountIdEndpointMode: 'disabled',
      ...boundedClientConfig(BOUNDS),
    }),
  );
const put = (pk: string) =>
  new PutItemCommand({ TableName: 'idempotency', Item: { pk: { S: pk }, state: { S: 'in-progress' } } });

beforeAll(async () => {
  [dynamo, fake, hole] = await Promise.all([
    startTestDynamo(),
    FakeAwsEndpoint.start(),
    BlackHoleServer.start(),
  ]);
  await ensureIdempotencyTable(dynamo.client, 'idempotency');
});
afterAll(async () => {
  await Promise.all([fake?.close(), hole?.close()]);
  await dynamo?.close();
});

describe('a tuned SDK client', () => {
  it('resolves its middleware once per command, calls with abort signals included', async () => {
    const client = tunedDynamo(dynamo.endpoint);
    const resolve = vi.spyOn(PutItemCommand.prototype, 'resolveMiddleware');
    try {
      const signal = new AbortController().signal;
      for (let i = 0; i < 5; i++) await client.send(put(`tuning#${i}`), { abortSignal: signal });
      await client.send(put('tuning#no-options'));
      expect(resolve).toHaveBeenCalledTimes(1);
      const { Item } = await client.send(
        new GetItemCommand({ TableName: 'idempotency', Key: { pk: { S: 'tuning#3' } } }),
        { abortSignal: signal },
      );
      expect(Item?.state).toEqual({ S: 'in-progress' });
      // Other options still take the SDK's own path.
      await client.send(put('tuning#timeout'), { requestTimeout: 1_000 } as never);
      expect(resolve).toHaveBeenCalledTimes(2);
    } finally {
      resolve.mockRestore();
      client.destroy();
    }
  });

  it('an abort ends its own call at once and closes its socket; the calls beside it run to their bound', async () => {
    const client = tunedDynamo(hole.url);
    try {
      const before = hole.requests.length;
      const aborted = new AbortController();
      setTimeout(() => aborted.abort(new Error('request deadline reached')), 100);
      const [first, ...others] = await Promise.allSettled([
        client.send(put('hole#aborted'), { abortSignal: aborted.signal }),
        ...Array.from({ length: 3 }, (_, i) =>
          client.send(put(`hole#${i}`), { abortSignal: new AbortController().signal }),
        ),
      ]);
      expect(first).toMatchObject({ status: 'rejected', reason: { name: 'AbortError' } });
      for (const other of others) {
        expect(other).toMatchObject({ status: 'rejected', reason: { name: 'TimeoutError' } });
      }
      // The three others made both attempts; the aborted one made one and was not retried.
      expect(hole.requests.length - before).toBe(1 + 3 * BOUNDS.maxAttempts);
      await expect.poll(() => hole.openConnections).toBe(0);
    } finally {
      client.destroy();
    }
  }, 10_000);

  it('an aborted call is over within the timers’ slack, long before its own bound', async () => {
    const client = tunedDynamo(hole.url);
    try {
      const before = hole.requests.length;
      const started = Date.now();
      const call = client.send(put('hole#timed'), { abortSignal: AbortSignal.timeout(100) });
      await expect(call).rejects.toMatchObject({ name: 'AbortError' });
      expect(Date.now() - started).toBeLessThan(100 + TIMER_SLACK_MS);
      expect(hole.requests.length - before).toBe(1);
      // Already aborted: refused before anything is written.
      await expect(
        client.send(put('hole#late'), { abortSignal: AbortSignal.abort(new Error('too late')) }),
      ).rejects.toMatchObject({ name: 'AbortError' });
      expect(hole.requests.length - before).toBe(1);
    } finally {
      client.destroy();
    }
  });

  it('leaves out the user-agent headers; the dead-letter client keeps the recursion guard', async () => {
    fake.reset();
    const sms = tuneClient(
      createEndUserMessagingClient({
        ...fakeAwsClientConfig(fake),
        requestHandler: boundedHandlerOptions(BOUNDS),
      }),
    );
    const sqs = tuneClient(new SQSClient({ ...fakeAwsClientConfig(fake), ...boundedClientConfig(BOUNDS) }), {
      except: ['recursionDetectionMiddleware'],
    });
    try {
      const signal = new AbortController().signal;
      await sms.send(
        new SendTextMessageCommand({ DestinationPhoneNumber: '+14155550100', MessageBody: 'Acme: 1' }),
        { abortSignal: signal },
      );
      await sqs.send(new SendMessageCommand({ QueueUrl: `${fake.url}/000000000000/q`, MessageBody: 'x' }), {
        abortSignal: signal,
      });
      const [send, park] = [fake.requestsFor('SendTextMessage')[0], fake.requestsFor('SendMessage')[0]];
      expect(send?.headers['x-amz-user-agent']).toBeUndefined();
      expect(send?.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDFAKE\//);
      expect(park?.headers['x-amz-user-agent']).toBeUndefined();
      expect(sqs.middlewareStack.identify().some((m) => m.startsWith('recursionDetectionMiddleware'))).toBe(
        true,
      );
      expect(sms.middlewareStack.identify().some((m) => m.startsWith('recursionDetectionMiddleware'))).toBe(
        false,
      );
    } finally {
      sms.destroy();
      sqs.destroy();
    }
  });
});
