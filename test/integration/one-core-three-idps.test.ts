import { randomBytes } from 'node:crypto';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  EncryptionSdkDecrypter,
  rawAesKeyring,
} from '../../adapters/encryption-sdk/encryption-sdk-decrypter';
import { I18nextTemplateStore } from '../../adapters/i18n/i18next-template-store';
import { AesGcmSecretSealer } from '../../adapters/local/aes-gcm-secret-sealer';
import { HmacFingerprinter } from '../../adapters/local/hmac-fingerprinter';
import { InMemoryIdempotencyStore } from '../../adapters/local/in-memory-idempotency-store';
import { SystemClock } from '../../adapters/local/system-clock';
import { buildCognitoTrigger } from '../../app/composition/cognito-trigger';
import { buildHookContainer } from '../../app/composition/hook-container';
import type { HookSettings } from '../../app/hook-settings';
import { AUTH0_PHONE_MESSAGE_PATH, HttpHooks, OKTA_HOOK_PATH } from '../../app/http-hook-routes';
import { proxyEvent } from '../../app/local/api-gateway-events';
import { cognitoSampleEvent, encryptAsCognito } from '../../app/local/cognito-sample-event';
import { oktaSamplePayload } from '../../app/local/okta-sample-payload';
import { DeliveryError } from '../../domain/errors';
import type { OutboundMessage } from '../../domain/outbound-message';
import type { MessageSender, SendReceipt } from '../../ports/message-sender';
import { TEST_DELIVERY_SETTINGS } from '../support/delivery-settings';
import { MemoryDeadLetters } from '../support/memory-dead-letters';
import { RecordingLogger } from '../support/recording-logger';
import { guardSecret } from '../support/secret-leak-guard';

/**
 * "The core does not change": the same core — one container, DeliverOtp, composer, the same adapters —
 * composed once, driven through the Okta adapter (HTTP, behind the generic endpoint), the Cognito adapter
 * (an event with an Encryption SDK ciphertext, behind the trigger endpoint) and the Auth0 adapter (the
 * body the shipped Action posts, behind the same generic endpoint as Okta), and the same delivery
 * scenarios give the same results through all three. (test/e2e/auth0-action-over-http.test.ts runs the
 * Action itself against the local stack.)
 */
class RecordingSender implements MessageSender {
  sent: OutboundMessage[] = [];
  failNext: DeliveryError | undefined;
  async send(message: OutboundMessage): Promise<SendReceipt> {
    const failure = this.failNext;
    this.failNext = undefined;
    if (failure) throw failure;
    this.sent.push(message);
    return { provider: 'recording', messageId: `m-${this.sent.length}`, status: 'SUCCESSFUL', attempts: 1 };
  }
}

const HOOK: HookSettings = { defaultPhoneRegion: 'US', maxBodyBytes: 16_384, deadlineMs: 2500 };
const cognitoKey = randomBytes(32);

let sender: RecordingSender;
let deadLetters: MemoryDeadLetters;
let http: HttpHooks;
let cognito: ReturnType<typeof buildCognitoTrigger>;

beforeEach(() => {
  sender = new RecordingSender();
  deadLetters = new MemoryDeadLetters();
  const container = buildHookContainer({
    templates: new I18nextTemplateStore(),
    sender,
    idempotency: new InMemoryIdempotencyStore(),
    deadLetters,
    sealer: new AesGcmSecretSealer(randomBytes(32)),
    fingerprinter: new HmacFingerprinter(randomBytes(32)),
    clock: new SystemClock(),
    logger: new RecordingLogger(),
    delivery: TEST_DELIVERY_SETTINGS,
    hook: HOOK,
  });
  http = container.get(HttpHooks);
  cognito = buildCognitoTrigger(
    container,
    { hook: HOOK, cognito: { kmsKeyArn: '', temporaryPasswordValidityDays: 7, deadlineMs: 6000 } },
    new EncryptionSdkDecrypter(rawAesKeyring(cognitoKey)),
  );
});

interface Scenario {
  readonly code: string;
  readonly locale: string;
  readonly channel: 'sms' | 'voice';
  readonly eventKey: string;
}

/** One IdP's way in: send a scenario, get the status its reply carries. */
interface Way {
  readonly idp: string;
  deliver(s: Scenario): Promise<string>;
}

const oktaEvents = new Map<string, ReturnType<typeof oktaSamplePayload>>();
const auth0Notifications = new Map<string, string>();
const cognitoEvents = new Map<string, unknown>();

/** The proxy event API Gateway hands the hook for a POST to `path`, past the authorizer. */
function httpEvent(path: string, body: string, principal: string) {
  return proxyEvent({
    path,
    headers: { 'content-type': 'application/json' },
    body,
    sourceIp: '198.51.100.7',
    receivedAt: Date.now(),
    authorizer: { principalId: principal, policyDocument: { Version: '2012-10-17', Statement: [] } },
  });
}

const ways: Way[] = [
  {
    idp: 'okta',
    async deliver(s) {
      // The same event key means Okta sending the same event again.
      let payload = oktaEvents.get(s.eventKey);
      if (!payload) {
        payload = oktaSamplePayload({
          code: s.code,
          locale: s.locale,
          channel: s.channel,
          purpose: 'password-reset',
        });
        // Cognito sends no rendered text of its own: the same request, so the same answer, needs none here.
        payload.data.messageProfile.msgTemplate = '';
      }
      oktaEvents.set(s.eventKey, payload);
      const result: APIGatewayProxyResult = await http.handle(
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
      return body.commands?.[0]?.value?.[0]?.status ?? (body.error ? 'FAILED' : 'none');
    },
  },
  {
    idp: 'cognito',
    async deliver(s) {
      // The same event key means Lambda retrying the same asynchronous invocation.
      const event =
        cognitoEvents.get(s.eventKey) ??
        cognitoSampleEvent({
          trigger: 'CustomSMSSender_ForgotPassword',
          ciphertext: await encryptAsCognito(s.code, cognitoKey),
          locale: s.locale,
          ...(s.channel === 'voice' ? { clientMetadata: { deliveryChannel: 'voice' } } : {}),
        });
      cognitoEvents.set(s.eventKey, event);
      return (await cognito.handle(event)).status;
    },
  },
  {
    idp: 'auth0',
    async deliver(s) {
      // The same event key means Auth0 repeating the same notification (api.notification.retry, or the
      // Action called again after a timeout): the same body, so the same derived event id.
      const body =
        auth0Notifications.get(s.eventKey) ??
        JSON.stringify({
          notification: {
            recipient: '+1-415-555-0123',
            code: s.code,
            delivery_method: s.channel === 'voice' ? 'voice' : 'text',
            message_type: 'change_password',
            locale: s.locale,
          },
          tenant: { id: 'dev-tenant' },
          user: { given_name: 'Alex' },
          request: { language: s.locale },
        });
      auth0Notifications.set(s.eventKey, body);
      const result = await http.handle(httpEvent(AUTH0_PHONE_MESSAGE_PATH, body, 'm2mClient@clients'));
      const reply = JSON.parse(result.body) as { status?: string };
      // The Auth0 route says SENT where Okta says SUCCESSFUL: the same outcome in each IdP's words.
      return reply.status === 'SENT' ? 'SUCCESSFUL' : (reply.status ?? 'none');
    },
  },
];

describe.each(ways)('one core, IdP $idp', (way) => {
  it('locale fallback: pt-BR is served in pt-BR, an unknown regional variant by its language, gibberish in the default', async () => {
    for (const [locale, served] of [
      ['pt-BR', 'pt-BR'],
      ['fr-BE', 'fr'],
      ['xx-YY', 'en'],
    ] as const) {
      const code = guardSecret(String(10_000_000 + Math.floor(Math.random() * 80_000_000)));
      expect(await way.deliver({ code, locale, channel: 'sms', eventKey: `${way.idp}-${locale}` })).toBe(
        'SUCCESSFUL',
      );
      const message = sender.sent.at(-1);
      expect(message?.locale).toBe(served);
      expect(message?.purpose).toBe('password-reset');
      expect(message?.body).toContain(code);
    }
  });

  it('voice: a spoken SSML message in the language’s voice, the code spelled', async () => {
    const code = guardSecret('48213907');
    expect(await way.deliver({ code, locale: 'fr-CA', channel: 'voice', eventKey: `${way.idp}-voice` })).toBe(
      'SUCCESSFUL',
    );
    const message = sender.sent.at(-1);
    expect(message).toMatchObject({
      channel: 'voice',
      bodyType: 'ssml',
      locale: 'fr-CA',
      voiceId: 'CHANTAL',
    });
    expect(message?.body).toContain('<say-as interpret-as="digits">4</say-as>');
  });

  it('dedupe: the same event twice sends once; the second answer repeats the first', async () => {
    const code = guardSecret('55501234');
    const scenario: Scenario = { code, locale: 'en', channel: 'sms', eventKey: `${way.idp}-dup` };
    expect(await way.deliver(scenario)).toBe('SUCCESSFUL');
    expect(await way.deliver(scenario)).toBe('SUCCESSFUL');
    expect(sender.sent.filter((m) => m.body.includes(code))).toHaveLength(1);
  });

  it('fault → dead letter: a provider refusal ends FAILED with the letter parked, code sealed, certainty kept', async () => {
    const code = guardSecret('77012345');
    sender.failNext = new DeliveryError('throttled', 'not-sent', 'ThrottlingException');
    expect(await way.deliver({ code, locale: 'de', channel: 'sms', eventKey: `${way.idp}-fault` })).toBe(
      'FAILED',
    );
    expect(deadLetters.letters).toHaveLength(1);
    const [letter] = deadLetters.letters;
    expect(letter).toMatchObject({
      idp: way.idp,
      purpose: 'password-reset',
      channel: 'sms',
      certainty: 'not-sent',
      error: { kind: 'throttled' },
    });
    expect(JSON.stringify(letter)).not.toContain(code);
    expect(sender.sent).toHaveLength(0);
  });
});
