import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oktaSamplePayload } from '../../app/local/okta-sample-payload';
import { startTestStack } from '../support/local-stack-fixture';
import { capturedOutput, guardSecret } from '../support/secret-leak-guard';

type Harness = Awaited<ReturnType<typeof startTestStack>>;
interface OktaSuccess {
  commands: {
    type: string;
    value: { status: string; provider: string; transactionId: string; transactionMetadata?: string }[];
  }[];
}

let h: Harness;
let codeSeq = 40_000_000;
const nextCode = () => guardSecret(String(codeSeq++));

beforeAll(async () => {
  h = await startTestStack();
});
afterAll(async () => {
  await h?.stack.close();
});

describe('POST /okta/telephony-hook on the local stack', () => {
  it.each([
    ['sms', 'en-US', 'en'],
    ['sms', 'EN-US', 'en'],
    ['sms', 'es-MX', 'es-MX'],
    ['sms', 'pt-BR', 'pt-BR'],
    ['sms', 'zh-TW', 'zh-Hant'],
    ['sms', 'ja', 'ja'],
    ['voice', 'fr-CA', 'fr-CA'],
    ['voice', 'de', 'de'],
    ['voice', 'ar', 'ar'],
  ] as const)('delivers %s in %s from the %s template', async (channel, locale, expectedLocale) => {
    const code = nextCode();
    const payload = oktaSamplePayload({ channel, locale, code, phone: '+14155550123' });
    const reply = await h.post(payload);
    expect(reply.status).toBe(200);
    const value = (reply.json as OktaSuccess).commands[0]?.value;
    expect(Array.isArray(value)).toBe(true);
    expect(value?.[0]).toMatchObject({ status: 'SUCCESSFUL', provider: 'local-outbox' });
    const record = (await h.outbox()).find((r) => r.eventId === payload.eventId);
    expect(record).toMatchObject({
      channel,
      to: '+14155550123',
      locale: expectedLocale,
      messageId: value?.[0]?.transactionId,
    });
    if (channel === 'sms') expect(record?.body.split(code)).toHaveLength(2);
    else {
      expect(record?.bodyType).toBe('ssml');
      expect(record?.body.startsWith('<speak>')).toBe(true);
    }
  });

  it("falls back to Okta's own localised text for a language we have no template for (SMS)", async () => {
    const code = nextCode();
    const payload = oktaSamplePayload({ code, locale: 'sw-KE' });
    payload.data.messageProfile.msgTemplate = `Nambari yako ya uthibitisho ni ${code}`;
    const reply = await h.post(payload);
    expect((reply.json as OktaSuccess).commands[0]?.value[0]?.transactionMetadata).toMatch(
      /locale=sw-KE;source=idp/,
    );
    const record = (await h.outbox()).find((r) => r.eventId === payload.eventId);
    expect(record).toMatchObject({
      templateSource: 'idp',
      locale: 'sw-KE',
      body: `Nambari yako ya uthibitisho ni ${code}`,
    });
  });

  it('speaks a language with no template of its own in the default language (voice has no Okta text)', async () => {
    const payload = oktaSamplePayload({ code: nextCode(), locale: 'sw-KE', channel: 'voice' });
    await h.post(payload);
    expect((await h.outbox()).find((r) => r.eventId === payload.eventId)).toMatchObject({
      locale: 'en',
      voiceId: 'JOANNA',
    });
  });

  it('sends nothing twice: a repeated event gets the first reply back', async () => {
    const payload = oktaSamplePayload({ code: nextCode() });
    const first = await h.post(payload);
    const second = await h.post(payload);
    const [was, now] = [first, second].map((reply) => (reply.json as OktaSuccess).commands[0]?.value[0]);
    expect(now).toMatchObject({ status: was?.status, transactionId: was?.transactionId });
    expect(now?.transactionMetadata).toMatch(/duplicate=true/);
    expect((await h.outbox()).filter((r) => r.eventId === payload.eventId)).toHaveLength(1);
  });

  it('answers 401 like API Gateway without a token, with a bad token, or with the wrong scope', async () => {
    const payload = oktaSamplePayload({ code: nextCode() });
    expect((await h.post(payload, { authorization: '' })).status).toBe(401);
    expect((await h.post(payload, { authorization: 'Bearer not-a-jwt' })).status).toBe(401);
    const issuer = h.stack.devIssuer;
    if (!issuer) throw new Error('the test stack runs its own dev issuer');
    const wrongScope = await issuer.mint({ scope: 'okta.users.read' });
    expect((await h.post(payload, { authorization: `Bearer ${wrongScope}` })).status).toBe(401);
    expect((await h.outbox()).some((r) => r.eventId === payload.eventId)).toBe(false);
  });

  it('rejects malformed and oversized bodies with JSON errors and sends nothing', async () => {
    const bad = await h.post('{"eventId": ');
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ error: { errorSummary: expect.any(String) } });
    const huge = await h.post(oktaSamplePayload({ code: nextCode(), firstName: 'x'.repeat(40_000) }));
    expect(huge.status).toBe(413);
    const wrongChannel = oktaSamplePayload({ code: nextCode() });
    wrongChannel.data.messageProfile.deliveryChannel = 'carrier pigeon';
    expect((await h.post(wrongChannel)).status).toBe(400);
  });

  it("rejects Okta's documented sample (no country code) under the default region US", async () => {
    const fixture = JSON.parse(
      await readFile(new URL('../fixtures/okta-telephony-hook-request.json', import.meta.url), 'utf8'),
    );
    guardSecret(fixture.data.messageProfile.otpCode);
    const reply = await h.post(fixture);
    expect(reply.status).toBe(400);
    expect(JSON.stringify(reply.json)).toMatch(/phone/i);
  });

  it('keeps codes out of everything printed, and masks phone numbers there', async () => {
    const code = nextCode();
    await h.post(oktaSamplePayload({ code, phone: '+442079460958', locale: 'en-GB' }));
    const printed = capturedOutput() + h.announcements.join('\n');
    expect(printed).not.toContain(code);
    expect(printed).not.toContain('2079460958');
    expect(h.announcements.join('\n')).toMatch(/\+44\*+58/);
  });
});
