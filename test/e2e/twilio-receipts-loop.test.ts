import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbMessageLedger } from '../../adapters/dynamodb/dynamodb-message-ledger';
import { oktaSamplePayload } from '../../app/local/okta-sample-payload';
import { parseEmfLine } from '../../app/metrics-summary';
import type { MessageRecord } from '../../ports/message-record';
import { createLocalClient } from '../support/dynalite';
import { startTestStack } from '../support/local-stack-fixture';
import { capturedOutput, guardSecret } from '../support/secret-leak-guard';

/**
 * Twilio's receipts on the local stack, end to end: the primary is down, Twilio's stand-in sends, then
 * posts signed status callbacks (as Twilio does) to the stack's /twilio/status, which records them in the
 * same ledger record as End User Messaging's events would, and measures them with provider "twilio".
 */
const TWILIO = {
  TWILIO_ACCOUNT_SID: `AC${'5d'.repeat(16)}`,
  TWILIO_AUTH_TOKEN: guardSecret('local-stand-in-token-9a8b7c'),
  TWILIO_SMS_FROM: '*=+15005550006',
  TWILIO_VOICE_FROM: '*=+15005550006',
  LOCAL_PRIMARY: 'down',
  CARRIER_FAILURE_PERCENT: '0',
};
const PHONE = '+447400123456';

type Harness = Awaited<ReturnType<typeof startTestStack>>;
let harness: Harness;
let ledger: DynamoDbMessageLedger;
let client: ReturnType<typeof createLocalClient>;

beforeAll(async () => {
  harness = await startTestStack(TWILIO);
  client = createLocalClient(harness.stack.dynamoEndpoint);
  ledger = new DynamoDbMessageLedger(
    client,
    { tableName: harness.stack.config.messagesTable },
    { now: Date.now },
  );
});
afterAll(async () => {
  client?.destroy();
  await harness?.stack.close();
});

async function settled(eventId: string): Promise<MessageRecord> {
  const until = Date.now() + 15_000;
  for (;;) {
    const [record] = await ledger.findByEventId(eventId);
    if (record?.settled) return record;
    if (Date.now() > until) throw new Error(`not settled in 15 s: ${JSON.stringify(record)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('local stack: Twilio status callbacks through the receipts path', () => {
  const codes = [guardSecret('73519024'), guardSecret('84620135')];
  const events: string[] = [];

  it('an SMS and a call sent by Twilio end delivered in the ledger, by their Twilio sid', async () => {
    for (const [i, channel] of (['sms', 'voice'] as const).entries()) {
      const payload = oktaSamplePayload({ channel, code: codes[i] as string, phone: PHONE, locale: 'en-GB' });
      events.push(payload.eventId);
      const reply = (await harness.post(payload)).json as {
        commands: { value: { provider: string; transactionId: string }[] }[];
      };
      const value = reply.commands[0]?.value[0];
      expect(value?.provider).toBe('twilio');
      const record = await settled(payload.eventId);
      expect(record).toMatchObject({
        messageId: value?.transactionId,
        provider: 'twilio',
        channel,
        country: 'GB',
        status: 'delivered',
        providerStatus: channel === 'sms' ? 'delivered' : 'completed',
        settled: true,
      });
      expect(record.messageId).toMatch(channel === 'sms' ? /^SM[0-9a-f]{32}$/ : /^CA[0-9a-f]{32}$/);
    }
    // Every callback the stand-in posted was signed and accepted.
    expect(capturedOutput()).not.toContain('twilio callback refused');
  });

  it('the metrics file measures delivery with provider "twilio", and holds no number, event id or code', async () => {
    const text = await readFile(harness.stack.config.metricsFile, 'utf8');
    const delivered = text
      .split('\n')
      .filter(Boolean)
      .map((line) => parseEmfLine(line))
      .filter((doc) => doc?.values.Delivered !== undefined && doc.dimensions.provider === 'twilio');
    expect(delivered.length).toBeGreaterThanOrEqual(2);
    for (const secret of [PHONE, PHONE.slice(1), ...events, ...codes, TWILIO.TWILIO_AUTH_TOKEN]) {
      expect(text).not.toContain(secret);
    }
  });
});
