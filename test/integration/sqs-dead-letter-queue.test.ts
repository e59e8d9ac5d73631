import { randomBytes } from 'node:crypto';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AesGcmSecretSealer } from '../../adapters/local/aes-gcm-secret-sealer';
import { SqsDeadLetterQueue } from '../../adapters/sqs/sqs-dead-letter-queue';
import { FakeAwsEndpoint, fakeAwsClientConfig } from '../support/fake-aws-endpoint';
import { sampleDeadLetter, validLetters } from '../support/sample-dead-letter';

const CODE = '834921';
const QUEUE_URL = 'http://127.0.0.1/000000000000/otp-courier-dead-letters';

let fake: FakeAwsEndpoint;
let client: SQSClient;
const sealer = new AesGcmSecretSealer(randomBytes(32));

beforeAll(async () => {
  fake = await FakeAwsEndpoint.start();
  client = new SQSClient({ ...fakeAwsClientConfig(fake), maxAttempts: 3 });
});
afterAll(async () => {
  client.destroy();
  await fake.close();
});
beforeEach(() => fake.reset());

describe('SqsDeadLetterQueue with the real SDK against the fake endpoint', () => {
  it('parks, receives and deletes letters (round trip)', async () => {
    // Visibility 0 so a second receive sees what the first left undeleted.
    const queue = new SqsDeadLetterQueue(client, { queueUrl: QUEUE_URL, visibilityTimeoutSeconds: 0 });
    const first = sampleDeadLetter('evt-1', await sealer.seal(CODE, 'evt-1'));
    const second = sampleDeadLetter('evt-2', await sealer.seal('111222', 'evt-2'), 'opted-out');
    await queue.park(first);
    await queue.park(second);

    const [send] = fake.requestsFor('SendMessage');
    expect(send?.target).toBe('AmazonSQS.SendMessage');
    expect(send?.body.QueueUrl).toBe(QUEUE_URL);
    expect(send?.body.MessageAttributes).toEqual({
      eventId: { DataType: 'String', StringValue: 'evt-1' },
      kind: { DataType: 'String', StringValue: 'throttled' },
      certainty: { DataType: 'String', StringValue: 'not-sent' },
    });

    const received = validLetters(await queue.receive(10));
    expect(received.map((r) => r.letter)).toEqual([first, second]);
    expect(await sealer.unseal(received[0]?.letter.sealedCode ?? first.sealedCode, 'evt-1')).toBe(CODE);

    await received[0]?.delete();
    expect(fake.requestsFor('DeleteMessage')).toHaveLength(1);
    const left = validLetters(await queue.receive(10));
    expect(left.map((r) => r.letter.eventId)).toEqual(['evt-2']);
  });

  it('reports a malformed message by id and reads the others; a version 1 letter is upgraded conservatively', async () => {
    const queue = new SqsDeadLetterQueue(client, { queueUrl: QUEUE_URL, visibilityTimeoutSeconds: 0 });
    const good = sampleDeadLetter('evt-good', await sealer.seal(CODE, 'evt-good'));
    const { certainty: _, ...unversioned } = sampleDeadLetter(
      'evt-v1',
      await sealer.seal(CODE, 'evt-v1'),
      'timeout',
    );
    const v1 = {
      ...unversioned,
      version: 1,
      error: { kind: 'timeout', retryable: true, message: 'TimeoutError' },
    };
    // Sent around the adapter, as an older release or a hand-edit would have left them.
    const raw = (body: string) =>
      client.send(new SendMessageCommand({ QueueUrl: QUEUE_URL, MessageBody: body }));
    await raw('{"version":2,"eventId":"evt-broken"');
    await queue.park(good);
    await raw(JSON.stringify({ ...good, eventId: 'evt-bad-certainty', certainty: 'maybe', to: '0800 CODE' }));
    await raw(JSON.stringify(v1));

    const items = await queue.receive(10);
    expect(items).toHaveLength(4);
    const malformed = items.filter((i) => 'malformed' in i);
    expect(malformed).toHaveLength(2);
    expect(malformed.map((m) => ('malformed' in m ? m.ref : '')).every((r) => r.startsWith('sqs:'))).toBe(
      true,
    );
    const issues = malformed.flatMap((m) => ('malformed' in m ? m.issues : []));
    expect(issues).toContain('not JSON');
    expect(issues.some((i) => i.startsWith('certainty:'))).toBe(true);
    expect(issues.some((i) => i.startsWith('to:'))).toBe(true);
    // Issues name the field, never the value found there.
    expect(issues.join(' ')).not.toContain('0800');
    const letters = items.flatMap((i) => ('letter' in i ? [i.letter] : []));
    expect(letters.map((l) => [l.eventId, l.version, l.certainty])).toEqual([
      ['evt-good', 2, 'not-sent'],
      // A timed-out send may have been delivered: never upgraded to not-sent.
      ['evt-v1', 2, 'uncertain'],
    ]);
  });

  it('received letters stay hidden from other readers until the visibility timeout', async () => {
    const queue = new SqsDeadLetterQueue(client, { queueUrl: QUEUE_URL });
    await queue.park(sampleDeadLetter('evt-1', await sealer.seal(CODE, 'evt-1')));
    expect(await queue.receive(5)).toHaveLength(1);
    expect(await queue.receive(5)).toHaveLength(0);
    expect(fake.requestsFor('ReceiveMessage')[0]?.body).toMatchObject({ VisibilityTimeout: 60 });
  });

  it('receives more than one SQS batch when asked for more than 10', async () => {
    const queue = new SqsDeadLetterQueue(client, { queueUrl: QUEUE_URL });
    for (let i = 0; i < 13; i++)
      await queue.park(sampleDeadLetter(`evt-${i}`, await sealer.seal(CODE, `evt-${i}`)));
    expect(await queue.receive(12)).toHaveLength(12);
    expect(fake.requestsFor('ReceiveMessage').map((r) => r.body.MaxNumberOfMessages)).toEqual([10, 2]);
  });

  it('parking survives a throttle through the SDK retry (SQS send is safe to retry: a duplicate letter is harmless)', async () => {
    fake.failNext({ type: 'throttle' }, { target: 'SendMessage' });
    const queue = new SqsDeadLetterQueue(client, { queueUrl: QUEUE_URL });
    await queue.park(sampleDeadLetter('evt-1', await sealer.seal(CODE, 'evt-1')));
    expect(fake.sqsMessages(QUEUE_URL)).toHaveLength(1);
  });

  it('the code never travels in clear', async () => {
    const queue = new SqsDeadLetterQueue(client, { queueUrl: QUEUE_URL });
    await queue.park(sampleDeadLetter('evt-1', await sealer.seal(CODE, 'evt-1')));
    await queue.receive(1);
    for (const r of fake.requests) expect(r.rawBody).not.toContain(CODE);
  });
});
