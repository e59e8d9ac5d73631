import { randomBytes } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { CognitoInbound, eventIdOf } from '../../adapters/cognito/cognito-inbound';
import {
  COGNITO_TRIGGER_SOURCES,
  type CognitoSmsSenderEvent,
  type CognitoTriggerSource,
} from '../../adapters/cognito/cognito-sms-sender-event';
import {
  EncryptionSdkDecrypter,
  rawAesKeyring,
} from '../../adapters/encryption-sdk/encryption-sdk-decrypter';
import { cognitoSampleEvent, encryptAsCognito } from '../../app/local/cognito-sample-event';
import type { DeliveryRequest } from '../../domain/delivery-request';
import { SecretUnreadableError } from '../../domain/errors';
import type { InboundContext, InboundDecision } from '../../ports/inbound-idp';
import type { SecretDecrypter } from '../../ports/secret-decrypter';
import { guardSecret } from '../support/secret-leak-guard';

const key = randomBytes(32);
const decrypter = new EncryptionSdkDecrypter(rawAesKeyring(key));
const inbound = new CognitoInbound(decrypter, { temporaryPasswordValidityDays: 7 });
const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const context: InboundContext = { defaultPhoneRegion: 'US', receivedAt: NOW };

async function eventFor(
  trigger: CognitoTriggerSource,
  secret: string,
  options: Partial<Parameters<typeof cognitoSampleEvent>[0]> = {},
) {
  return cognitoSampleEvent({ trigger, ciphertext: await encryptAsCognito(secret, key), ...options });
}

function requestOf(decision: InboundDecision): DeliveryRequest {
  if (!decision.ok) throw new Error(`rejected: ${JSON.stringify(decision.rejection)}`);
  return decision.request;
}

function issuesOf(decision: InboundDecision): readonly string[] {
  if (decision.ok || decision.rejection.kind !== 'invalid-request') throw new Error('expected a rejection');
  return decision.rejection.issues;
}

describe('CognitoInbound: every trigger source', () => {
  const expected: Record<CognitoTriggerSource, { purpose: string; minutes: number }> = {
    CustomSMSSender_SignUp: { purpose: 'enrollment', minutes: 1440 },
    CustomSMSSender_ResendCode: { purpose: 'enrollment', minutes: 1440 },
    CustomSMSSender_VerifyUserAttribute: { purpose: 'enrollment', minutes: 1440 },
    CustomSMSSender_UpdateUserAttribute: { purpose: 'enrollment', minutes: 1440 },
    CustomSMSSender_ForgotPassword: { purpose: 'password-reset', minutes: 60 },
    CustomSMSSender_Authentication: { purpose: 'verification', minutes: 3 },
    CustomSMSSender_AdminCreateUser: { purpose: 'temporary-password', minutes: 7 * 1440 },
  };

  it.each(COGNITO_TRIGGER_SOURCES)('%s: purpose, expiry, phone, code', async (trigger) => {
    const secret = guardSecret(trigger === 'CustomSMSSender_AdminCreateUser' ? 'Qz4&kLm9#Tp' : '48213907');
    const request = requestOf(await inbound.read(await eventFor(trigger, secret), context));
    expect(request).toMatchObject({
      idp: 'cognito',
      purpose: expected[trigger].purpose,
      channel: 'sms',
      phone: '+14155550123',
      code: secret,
      requestedLocale: '',
    });
    expect(request.expiresAt.getTime()).toBe(NOW + expected[trigger].minutes * 60_000);
    expect(request.eventId).toMatch(/^cognito-[A-Za-z0-9_-]{32}$/);
  });

  it('names the user for the brakes by sub, the immutable id (else the user name)', async () => {
    const event = await eventFor('CustomSMSSender_ForgotPassword', guardSecret('40213377'), {
      userName: 'ana',
    });
    const sub = event.request.userAttributes.sub;
    expect(requestOf(await inbound.read(event, context)).userId).toBe(sub);
    delete (event.request.userAttributes as Record<string, string>).sub;
    expect(requestOf(await inbound.read(event, context)).userId).toBe('ana');
  });

  it('a temporary password lives as long as the pool says', async () => {
    const longer = new CognitoInbound(decrypter, { temporaryPasswordValidityDays: 30 });
    const event = await eventFor('CustomSMSSender_AdminCreateUser', guardSecret('Ab1!cdEF'));
    expect(requestOf(await longer.read(event, context)).expiresAt.getTime()).toBe(NOW + 30 * 86_400_000);
  });
});

describe('CognitoInbound: the derived event id', () => {
  it('is the same for the same event (Lambda’s retry) and new for every new message, even of the same code', async () => {
    const code = guardSecret('11223344');
    const event = await eventFor('CustomSMSSender_ForgotPassword', code, { userName: 'alex' });
    const again = structuredClone(event);
    const resent = await eventFor('CustomSMSSender_ForgotPassword', code, { userName: 'alex' });
    const first = requestOf(await inbound.read(event, context)).eventId;
    expect(requestOf(await inbound.read(again, { ...context, receivedAt: NOW + 60_000 })).eventId).toBe(
      first,
    );
    // The Encryption SDK makes every encryption unique: a new message is a new event.
    expect(requestOf(await inbound.read(resent, context)).eventId).not.toBe(first);
    expect(first).toBe(eventIdOf(event as CognitoSmsSenderEvent));
    expect(first).not.toContain(code);
  });
});

describe('CognitoInbound: locale, channel, name', () => {
  it('clientMetadata.locale (what the app shows now) beats the locale attribute (the profile)', async () => {
    const secret = guardSecret('22334455');
    const both = await eventFor('CustomSMSSender_Authentication', secret, {
      locale: 'de',
      clientMetadata: { locale: 'fr-CA' },
    });
    expect(requestOf(await inbound.read(both, context)).requestedLocale).toBe('fr-CA');
    const attribute = await eventFor('CustomSMSSender_Authentication', secret, { locale: 'pt_BR' });
    expect(requestOf(await inbound.read(attribute, context)).requestedLocale).toBe('pt_BR');
  });

  it('voice when the app asks for it; a temporary password always by SMS', async () => {
    const voice = { clientMetadata: { deliveryChannel: 'Voice' } };
    const code = await eventFor('CustomSMSSender_Authentication', guardSecret('33445566'), voice);
    expect(requestOf(await inbound.read(code, context)).channel).toBe('voice');
    const password = await eventFor('CustomSMSSender_AdminCreateUser', guardSecret('Pw9!xyzQ'), voice);
    expect(requestOf(await inbound.read(password, context)).channel).toBe('sms');
    const fax = await eventFor('CustomSMSSender_Authentication', guardSecret('33445566'), {
      clientMetadata: { deliveryChannel: 'fax' },
    });
    expect(issuesOf(await inbound.read(fax, context))).toEqual([
      'request.clientMetadata.deliveryChannel: must be sms or voice',
    ]);
  });

  it('reads the number with libphonenumber (the domain’s rule), the first name from given_name', async () => {
    const event = await eventFor('CustomSMSSender_SignUp', guardSecret('44556677'), {
      phone: '+49 151 1234 5678',
      givenName: '  Ana ',
    });
    expect(requestOf(await inbound.read(event, context))).toMatchObject({
      phone: '+4915112345678',
      firstName: 'Ana',
    });
  });
});

describe('CognitoInbound: rejections and failures', () => {
  it('a malformed event is rejected field by field, never echoing a value', async () => {
    const event = (await eventFor('CustomSMSSender_SignUp', guardSecret('55667788'))) as Record<
      string,
      unknown
    >;
    const broken = { ...event, triggerSource: 'CustomMessage_SignUp', request: { type: 'x', code: 7 } };
    const issues = issuesOf(await inbound.read(broken, context));
    expect(issues.join('\n')).toMatch(/triggerSource: must be a CustomSMSSender trigger source/);
    expect(issues.join('\n')).toMatch(/request\.type/);
    expect(issues.join('\n')).not.toContain('CustomMessage_SignUp');
    expect(issuesOf(await inbound.read(null, context))).toEqual(['event: must be of type object']);
  });

  it('no usable phone number, or a code that is not a code: rejected', async () => {
    const noPhone = await eventFor('CustomSMSSender_SignUp', guardSecret('66778899'));
    delete (noPhone.request.userAttributes as Record<string, string>).phone_number;
    expect(issuesOf(await inbound.read(noPhone, context))).toEqual([
      'request.userAttributes.phone_number: is required',
    ]);
    const letters = await eventFor('CustomSMSSender_Authentication', guardSecret('abcdef'));
    expect(issuesOf(await inbound.read(letters, context))).toEqual([
      'request.code: must decrypt to 4 to 10 digits',
    ]);
  });

  it('a ciphertext under another key is rejected for good; a key service failure is thrown to be retried', async () => {
    const foreign = cognitoSampleEvent({
      trigger: 'CustomSMSSender_ForgotPassword',
      ciphertext: await encryptAsCognito(guardSecret('77889900'), randomBytes(32)),
    });
    expect(issuesOf(await inbound.read(foreign, context))[0]).toMatch(/^request\.code: /);

    const unreachable: SecretDecrypter = {
      decrypt: () => Promise.reject(new SecretUnreadableError('KMS throttled', true)),
    };
    const flaky = new CognitoInbound(unreachable, { temporaryPasswordValidityDays: 7 });
    await expect(flaky.read(foreign, context)).rejects.toBeInstanceOf(SecretUnreadableError);
  });

  it('zeroes the decrypted bytes once the code is read', async () => {
    const bytes = new TextEncoder().encode(guardSecret('24681357'));
    const spy: SecretDecrypter = { decrypt: vi.fn(async () => bytes) };
    const request = requestOf(
      await new CognitoInbound(spy, { temporaryPasswordValidityDays: 7 }).read(
        await eventFor('CustomSMSSender_Authentication', 'unused'),
        context,
      ),
    );
    expect(request.code).toBe('24681357');
    expect([...bytes].every((b) => b === 0)).toBe(true);
  });

  it('replies with the outcome only: no code, no number', () => {
    expect(
      inbound.reply({
        status: 'FAILED',
        eventId: 'cognito-x',
        channel: 'sms',
        provider: 'otp-courier',
        transactionId: '',
        failureReason: 'throttled',
        durationMs: 5,
      }),
    ).toEqual({ eventId: 'cognito-x', status: 'FAILED', reason: 'throttled' });
    // Sent: who carried it (after a failover, the provider that sent), as Okta's reply says.
    expect(
      inbound.reply({
        status: 'SUCCESSFUL',
        eventId: 'cognito-y',
        channel: 'sms',
        provider: 'twilio',
        transactionId: 'SM1',
        durationMs: 5,
      }),
    ).toEqual({ eventId: 'cognito-y', status: 'SUCCESSFUL', provider: 'twilio' });
  });
});
