import { randomBytes } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  EncryptionSdkDecrypter,
  rawAesKeyring,
} from '../../adapters/encryption-sdk/encryption-sdk-decrypter';
import { I18nextTemplateStore } from '../../adapters/i18n/i18next-template-store';
import { AesGcmSecretSealer } from '../../adapters/local/aes-gcm-secret-sealer';
import { HmacFingerprinter } from '../../adapters/local/hmac-fingerprinter';
import { InMemoryIdempotencyStore } from '../../adapters/local/in-memory-idempotency-store';
import { InMemoryRateCounterStore } from '../../adapters/local/in-memory-rate-counter-store';
import { SystemClock } from '../../adapters/local/system-clock';
import { buildCognitoTrigger } from '../../app/composition/cognito-trigger';
import { buildHookContainer } from '../../app/composition/hook-container';
import { routedSender } from '../../app/composition/messaging';
import type { HookSettings } from '../../app/hook-settings';
import { AUTH0_PHONE_MESSAGE_PATH, HttpHooks, OKTA_HOOK_PATH } from '../../app/http-hook-routes';
import { proxyEvent } from '../../app/local/api-gateway-events';
import { cognitoSampleEvent, encryptAsCognito } from '../../app/local/cognito-sample-event';
import { oktaSamplePayload } from '../../app/local/okta-sample-payload';
import { DEFAULT_POLICY } from '../support/brake-policy';
import { TEST_DELIVERY_SETTINGS } from '../support/delivery-settings';
import { MemoryDeadLetters } from '../support/memory-dead-letters';
import { RecordingLogger } from '../support/recording-logger';
import { accept, lose, refuse, ScriptedProvider } from '../support/scripted-provider';
import { guardSecret } from '../support/secret-leak-guard';

/**
 * The newer core pieces are IdP-neutral too: the same core, composed as the Lambdas compose it — the route
 * table of config/message-routes.json over two providers, failover decided by certainty, the brakes on —
 * driven through Okta's HTTP edge, Cognito's trigger and Auth0's route (the body the shipped Action posts)
 * gives the same ends through all three.
 */

const HOOK: HookSettings = { defaultPhoneRegion: 'US', maxBodyBytes: 16_384, deadlineMs: 2500 };
const cognitoKey = randomBytes(32);

let primary: ScriptedProvider;
let secondary: ScriptedProvider;
let deadLetters: MemoryDeadLetters;
let okta: HttpHooks;
let cognito: ReturnType<typeof buildCognitoTrigger>;

beforeEach(() => {
  // The shipped route table's provider names: End User Messaging first, Twilio as failover.
  primary = new ScriptedProvider('aws-end-user-messaging');
  secondary = new ScriptedProvider('twilio');
  deadLetters = new MemoryDeadLetters();
  const clock = new SystemClock();
  const logger = new RecordingLogger();
  const container = buildHookContainer({
    templates: new I18nextTemplateStore(),
    sender: routedSender({ 'aws-end-user-messaging': primary, twilio: secondary }, clock, logger),
    idempotency: new InMemoryIdempotencyStore(),
    deadLetters,
    sealer: new AesGcmSecretSealer(randomBytes(32)),
    fingerprinter: new HmacFingerprinter(randomBytes(32)),
    clock,
    logger,
    delivery: TEST_DELIVERY_SETTINGS,
    hook: HOOK,
    brakes: {
      counters: new InMemoryRateCounterStore(),
      settings: { policy: DEFAULT_POLICY, onCounterFailure: 'open', counterTimeoutMs: 400 },
    },
  });
  okta = container.get(HttpHooks);
  cognito = buildCognitoTrigger(
    container,
    { hook: HOOK, cognito: { kmsKeyArn: '', temporaryPasswordValidityDays: 7, deadlineMs: 6000 } },
    new EncryptionSdkDecrypter(rawAesKeyring(cognitoKey)),
  );
});

/** One IdP's way in: a new event for this code and phone; the status and provider its reply carries. */
interface Way {
  readonly idp: string;
  deliver(code: string, phone: string): Promise<{ status: string; provider?: string }>;
}

const ways: Way[] = [
  {
    idp: 'okta',
    async deliver(code, phone) {
      const payload = oktaSamplePayload({
        code,
        phone,
        locale: 'en',
        channel: 'sms',
        purpose: 'password-reset',
      });
      const result = await okta.handle(
        proxyEvent({
          path: OKTA_HOOK_PATH,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(payload),
          sourceIp: '198.51.100.7',
          receivedAt: Date.now(),
          authorizer: { principalId: 'okta', policyDocument: { Version: '2012-10-17', Statement: [] } },
        }),
      );
      const body = JSON.parse(result.body);
      const value = body.commands?.[0]?.value?.[0];
      return value ? { status: value.status, provider: value.provider } : { status: 'FAILED' };
    },
  },
  {
    idp: 'cognito',
    async deliver(code, phone) {
      const event = cognitoSampleEvent({
        trigger: 'CustomSMSSender_ForgotPassword',
        ciphertext: await encryptAsCognito(code, cognitoKey),
        locale: 'en',
        phone,
      });
      const reply = await cognito.handle(event);
      return { status: reply.status, ...(reply.provider ? { provider: reply.provider } : {}) };
    },
  },
  {
    idp: 'auth0',
    async deliver(code, phone) {
      const result = await okta.handle(
        proxyEvent({
          path: AUTH0_PHONE_MESSAGE_PATH,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            notification: {
              recipient: phone,
              code,
              delivery_method: 'text',
              message_type: 'change_password',
              locale: 'en',
            },
            tenant: { id: 'dev-tenant' },
            user: { user_id: 'auth0|routing', given_name: 'Alex' },
            request: { ip: '198.51.100.9', language: 'en' },
          }),
          sourceIp: '198.51.100.7',
          receivedAt: Date.now(),
          authorizer: {
            principalId: 'm2m@clients',
            policyDocument: { Version: '2012-10-17', Statement: [] },
          },
        }),
      );
      const reply = JSON.parse(result.body) as { status: string; provider?: string };
      // Auth0's route says SENT where Okta says SUCCESSFUL.
      return {
        status: reply.status === 'SENT' ? 'SUCCESSFUL' : reply.status,
        ...(reply.status !== 'FAILED' && reply.provider ? { provider: reply.provider } : {}),
      };
    },
  },
];

describe.each(ways)('one core with routes, failover and brakes, IdP $idp', (way) => {
  it('the primary refuses (not sent): the route fails over and the second provider sends, once', async () => {
    primary.play(refuse('provider-unavailable'));
    const code = guardSecret('61029384');
    expect(await way.deliver(code, '+14155550161')).toEqual({ status: 'SUCCESSFUL', provider: 'twilio' });
    expect(secondary.accepted).toBe(1);
    expect(primary.accepted).toBe(0);
    expect(deadLetters.letters).toEqual([]);
  });

  it('the primary may have sent (uncertain): never failed over or retried, parked as uncertain', async () => {
    primary.play(lose('network'));
    const code = guardSecret('61029385');
    expect((await way.deliver(code, '+14155550162')).status).toBe('FAILED');
    expect(primary.calls).toHaveLength(1);
    expect(secondary.calls).toHaveLength(0);
    expect(deadLetters.letters).toHaveLength(1);
    expect(deadLetters.letters[0]).toMatchObject({ idp: way.idp, certainty: 'uncertain' });
    expect(JSON.stringify(deadLetters.letters)).not.toContain(code);
  });

  it('the brakes: a third new code to one phone within 30 s is refused, sent by nobody, not parked', async () => {
    primary.play(accept);
    const phone = '+14155550163';
    expect((await way.deliver(guardSecret('61029386'), phone)).status).toBe('SUCCESSFUL');
    expect((await way.deliver(guardSecret('61029387'), phone)).status).toBe('SUCCESSFUL');
    expect((await way.deliver(guardSecret('61029388'), phone)).status).toBe('FAILED');
    expect(primary.accepted + secondary.accepted).toBe(2);
    expect(deadLetters.letters).toEqual([]);
  });
});
