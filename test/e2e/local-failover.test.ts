import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oktaSamplePayload } from '../../app/local/okta-sample-payload';
import { startTestStack } from '../support/local-stack-fixture';
import { capturedOutput, guardSecret } from '../support/secret-leak-guard';

type Harness = Awaited<ReturnType<typeof startTestStack>>;
interface OktaValue {
  status: string;
  provider: string;
  transactionId: string;
  transactionMetadata: string;
}

const TWILIO = {
  TWILIO_ACCOUNT_SID: `AC${'7e'.repeat(16)}`,
  TWILIO_AUTH_TOKEN: guardSecret('local-stand-in-token-5f4e3d'),
  TWILIO_SMS_FROM: '*=+15005550006',
  TWILIO_VOICE_FROM: '*=+15005550006',
};
let codeSeq = 61_000_000;
const nextCode = () => guardSecret(String(codeSeq++));

const oktaValue = (json: unknown) => (json as { commands: { value: OktaValue[] }[] }).commands[0]?.value[0];

describe('npm start with Twilio configured locally: a Twilio stand-in, and the outbox says who sent', () => {
  let primaryUp: Harness;
  let primaryDown: Harness;

  beforeAll(async () => {
    primaryUp = await startTestStack(TWILIO);
    // The primary (the outbox, in End User Messaging's place) refuses every call.
    primaryDown = await startTestStack({ ...TWILIO, LOCAL_PRIMARY: 'down' });
  });
  afterAll(async () => {
    await primaryUp?.stack.close();
    await primaryDown?.stack.close();
  });

  it('starts the stand-in, and routes End User Messaging first (the outbox), Twilio behind it', async () => {
    expect(primaryUp.stack.twilioStandIn?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(primaryUp.stack.providers).toEqual(['aws-end-user-messaging ← local-outbox', 'twilio']);
    const payload = oktaSamplePayload({ channel: 'sms', code: nextCode(), phone: '+14155550123' });
    const value = oktaValue((await primaryUp.post(payload)).json);
    expect(value).toMatchObject({ status: 'SUCCESSFUL', provider: 'local-outbox' });
    expect(value?.transactionMetadata).toContain('tried=local-outbox.sent');
    const record = (await primaryUp.outbox()).find((r) => r.eventId === payload.eventId);
    expect(record).toMatchObject({ provider: 'local-outbox', messageId: value?.transactionId });
  });

  it('with the primary down, SMS and calls go out once through the Twilio stand-in, and the outbox says "twilio"', async () => {
    for (const channel of ['sms', 'voice'] as const) {
      const code = nextCode();
      const payload = oktaSamplePayload({ channel, code, phone: '+447400123456', locale: 'en-GB' });
      const reply = await primaryDown.post(payload);
      const value = oktaValue(reply.json);
      expect(value).toMatchObject({ status: 'SUCCESSFUL', provider: 'twilio' });
      expect(value?.transactionMetadata).toMatch(/tried=local-outbox\.not-sent\.network,twilio\.sent/);
      const records = (await primaryDown.outbox()).filter((r) => r.eventId === payload.eventId);
      expect(records).toHaveLength(1);
      expect(records[0]).toMatchObject({ provider: 'twilio', channel, to: '+447400123456' });
      expect(records[0]?.body).toContain(channel === 'sms' ? code : '<Say voice="Polly.');
      expect(records[0]?.bodyType).toBe(channel === 'sms' ? 'text' : 'twiml');
    }
    expect(primaryDown.stack.twilioStandIn?.requests.every((r) => r.authorized)).toBe(true);
  });

  it('never prints the Twilio token', () => {
    expect(capturedOutput()).not.toContain(TWILIO.TWILIO_AUTH_TOKEN);
  });
});
