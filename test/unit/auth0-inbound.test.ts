import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Auth0Inbound } from '../../adapters/auth0/auth0-inbound';
import { HmacFingerprinter } from '../../adapters/local/hmac-fingerprinter';
import type { DeliveryOutcome } from '../../domain/delivery-outcome';
import type { DeliveryRequest } from '../../domain/delivery-request';
import type { InboundContext } from '../../ports/inbound-idp';

const RECEIVED_AT = Date.parse('2026-11-29T08:00:00Z');
const context: InboundContext = { defaultPhoneRegion: 'US', receivedAt: RECEIVED_AT };
const key = randomBytes(32);

/** The body the shipped Action posts for Auth0's sample event (see test/support/auth0-actions-runtime.ts). */
function body(notification: Record<string, unknown> = {}, rest: Record<string, unknown> = {}) {
  return {
    notification: {
      recipient: '+1-808-555-5555',
      code: '123456',
      delivery_method: 'text',
      message_type: 'otp_verify',
      locale: 'en-US',
      as_text: '123456 is your verification code for Friendly Tenant.',
      ...notification,
    },
    tenant: { id: 'dev-tenant' },
    user: { user_id: 'auth0|5f7c8ec7c33c6c004bbafe82', given_name: 'John' },
    request: { ip: '13.33.86.47', language: 'en' },
    ...rest,
  };
}

async function requestOf(
  json: Record<string, unknown>,
  inbound = new Auth0Inbound(new HmacFingerprinter(key)),
) {
  const decision = await inbound.read(json, context);
  if (!decision.ok) throw new Error(`rejected: ${JSON.stringify(decision.rejection)}`);
  return decision.request;
}

describe('Auth0Inbound.read', () => {
  it("maps Auth0's sample notification onto a delivery request", async () => {
    const request = await requestOf(body());
    expect(request).toEqual<DeliveryRequest>({
      eventId: expect.stringMatching(/^auth0-[A-Za-z0-9_-]{32}$/),
      idp: 'auth0',
      purpose: 'verification',
      channel: 'sms',
      phone: '+18085555555',
      code: '123456',
      expiresAt: new Date(RECEIVED_AT + 5 * 60_000),
      requestedLocale: 'en-US',
      firstName: 'John',
      idpMessage: '123456 is your verification code for Friendly Tenant.',
      userId: 'auth0|5f7c8ec7c33c6c004bbafe82',
      clientIp: '13.33.86.47',
    });
  });

  it('reads the user id and IP for the brakes leniently: an odd one drops that limit, never the request', async () => {
    const odd = await requestOf(body({}, { user: { user_id: 42 }, request: { ip: 'x'.repeat(65) } }));
    expect(odd.userId).toBeUndefined();
    expect(odd.clientIp).toBeUndefined();
  });

  it('maps message types to purposes and delivery methods to channels', async () => {
    const cases = [
      ['otp_verify', 'verification'],
      ['otp_enroll', 'enrollment'],
      ['change_password', 'password-reset'],
      ['password_reset', 'password-reset'],
      ['blocked_account', 'account-unlock'],
      ['password_breach', 'password-reset'],
      // A type Auth0 adds later still delivers the code it carries.
      ['otp_login_someday', 'verification'],
    ] as const;
    for (const [type, purpose] of cases) {
      expect((await requestOf(body({ message_type: type }))).purpose).toBe(purpose);
    }
    const voice = await requestOf(body({ delivery_method: 'voice' }));
    expect(voice.channel).toBe('voice');
    // Auth0's voice text spells the code out: voice speaks our own templates.
    expect(voice.idpMessage).toBeUndefined();
  });

  it('takes the user’s locale first, then the one Auth0 rendered in, then the browser’s', async () => {
    expect((await requestOf(body({}, { user: { locale: 'fr-CA' } }))).requestedLocale).toBe('fr-CA');
    expect((await requestOf(body({ locale: 'pt_BR' }), undefined)).requestedLocale).toBe('pt_BR');
    expect(
      (await requestOf(body({ locale: null }, { request: { language: 'de-DE,de;q=0.9' } }))).requestedLocale,
    ).toBe('de-DE,de;q=0.9');
    expect((await requestOf(body({ locale: '' }, { request: null }))).requestedLocale).toBe('');
  });

  it('derives one event id per notification: same for a repeat, new for a new code, keyed', async () => {
    const inbound = new Auth0Inbound(new HmacFingerprinter(key));
    const first = await requestOf(body(), inbound);
    // The same notification repeated (Auth0 retrying) — even with the number spelled differently.
    expect((await requestOf(body({ recipient: '+18085555555' }), inbound)).eventId).toBe(first.eventId);
    for (const changed of [
      body({ code: '654321' }),
      body({ message_type: 'otp_enroll' }),
      body({ delivery_method: 'voice' }),
      body({ recipient: '+18085555556' }),
      body({}, { tenant: { id: 'other-tenant' } }),
    ]) {
      expect((await requestOf(changed, inbound)).eventId).not.toBe(first.eventId);
    }
    // Keyed: without the deployment's key nobody can test a guessed code against an id.
    const otherKey = new Auth0Inbound(new HmacFingerprinter(randomBytes(32)));
    expect((await requestOf(body(), otherKey)).eventId).not.toBe(first.eventId);
  });

  it('sets the expiry from the configured code validity', async () => {
    const inbound = new Auth0Inbound(new HmacFingerprinter(key), { codeValidityMinutes: 10 });
    expect((await requestOf(body(), inbound)).expiresAt.getTime()).toBe(RECEIVED_AT + 10 * 60_000);
  });

  it('rejects what cannot be delivered, naming the field and the rule but never the value', async () => {
    const inbound = new Auth0Inbound(new HmacFingerprinter(key));
    const cases: [Record<string, unknown>, string][] = [
      [body({ code: null, message_type: 'blocked_account' }), 'notification.code: is required'],
      [body({ code: '12ab56' }), 'notification.code: must be 4 to 10 digits'],
      [body({ recipient: '555-0000-12345678' }), 'notification.recipient: must be a valid phone number'],
      [body({ delivery_method: 'carrier-pigeon' }), 'notification.delivery_method: must be text or voice'],
      [body({ message_type: 'DROP TABLE' }), 'notification.message_type: must be an Auth0 message type'],
      [{ tenant: { id: 'x' } }, 'notification: is required'],
    ];
    for (const [json, issue] of cases) {
      const decision = await inbound.read(json, context);
      expect(decision.ok).toBe(false);
      if (decision.ok) continue;
      expect(decision.rejection.kind).toBe('invalid-request');
      const issues =
        decision.rejection.kind === 'invalid-request' ? decision.rejection.issues.join('\n') : '';
      expect(issues).toContain(issue);
      expect(issues).not.toMatch(/12ab56|555-0000|carrier-pigeon|DROP TABLE/);
    }
  });
});

describe('Auth0Inbound replies', () => {
  const inbound = new Auth0Inbound(new HmacFingerprinter(key));
  const base: DeliveryOutcome = {
    status: 'SUCCESSFUL',
    eventId: 'auth0-abc',
    channel: 'sms',
    provider: 'aws-end-user-messaging',
    transactionId: 'msg-1',
    durationMs: 120,
  };

  it('answers 200 with SENT, PENDING or FAILED and a machine reason', () => {
    expect(inbound.reply(base)).toEqual({
      statusCode: 200,
      body: {
        status: 'SENT',
        eventId: 'auth0-abc',
        provider: 'aws-end-user-messaging',
        transactionId: 'msg-1',
      },
    });
    expect(inbound.reply({ ...base, status: 'PENDING', duplicate: true }).body).toMatchObject({
      status: 'PENDING',
      duplicate: true,
    });
    expect(
      inbound.reply({ ...base, status: 'FAILED', transactionId: '', failureReason: 'destination-blocked' })
        .body,
    ).toEqual({
      status: 'FAILED',
      eventId: 'auth0-abc',
      provider: 'aws-end-user-messaging',
      reason: 'destination-blocked',
    });
    expect(
      inbound.reply({ ...base, status: 'FAILED', failureReason: 'Error: the SDK said something long' }).body,
    ).toMatchObject({ reason: 'unknown' });
  });

  it('answers 400 or 413 for requests it refused', () => {
    expect(inbound.rejected({ kind: 'invalid-request', issues: ['notification.code: is required'] })).toEqual(
      {
        statusCode: 400,
        body: { status: 'REJECTED', reason: 'invalid-request', issues: ['notification.code: is required'] },
      },
    );
    expect(inbound.rejected({ kind: 'body-too-large', maxBytes: 16384 })).toEqual({
      statusCode: 413,
      body: { status: 'REJECTED', reason: 'body-too-large' },
    });
  });
});
