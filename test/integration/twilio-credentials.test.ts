import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SecretsManagerSecretSource } from '../../adapters/secrets-manager/secrets-manager-secret-source';
import { boundedClientConfig } from '../../app/composition/aws-call-bounds';
import { twilioProvider } from '../../app/composition/messaging';
import { secretsCallBounds } from '../../app/composition/secrets-manager-source';
import { ConfigError } from '../../app/config/env-readers';
import { loadTwilioConfig, parseTwilioSecret } from '../../app/config/twilio-config';
import { TwilioStandIn } from '../../app/local/twilio-stand-in';
import { Deadline } from '../../domain/deadline';
import { DeliveryError } from '../../domain/errors';
import type { OutboundMessage } from '../../domain/outbound-message';
import { FakeAwsEndpoint, fakeAwsClientConfig } from '../support/fake-aws-endpoint';
import { capturedOutput, guardSecret } from '../support/secret-leak-guard';

const ACCOUNT_SID = `AC${'0123456789abcdef'.repeat(2)}`;
const AUTH_TOKEN = guardSecret('s3cr3t-t0k3n-fr0m-s3cr3ts-manag3r');
const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:otp-courier/twilio-AbCdEf';
const CODE = guardSecret('71820463');

let fake: FakeAwsEndpoint;
let standIn: TwilioStandIn;
let client: SecretsManagerClient;

beforeAll(async () => {
  fake = await FakeAwsEndpoint.start();
  standIn = await TwilioStandIn.start({
    credentials: { accountSid: ACCOUNT_SID, username: ACCOUNT_SID, password: AUTH_TOKEN },
  });
  // The production client settings (aws-call-bounds.ts), 300 ms to connect.
  client = new SecretsManagerClient({
    ...fakeAwsClientConfig(fake),
    ...boundedClientConfig(secretsCallBounds(300)),
  });
});
afterAll(async () => {
  client.destroy();
  await standIn.close();
  await fake.close();
});
beforeEach(() => {
  fake.reset();
  standIn.reset();
  fake.secrets.set(SECRET_ARN, JSON.stringify({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN }));
});

const config = () =>
  loadTwilioConfig({
    TWILIO_CREDENTIALS_SECRET_ARN: SECRET_ARN,
    TWILIO_SMS_FROM: '*=+15005550006',
    TWILIO_API_URL: standIn.url,
  });

function message(eventId: string): OutboundMessage {
  return {
    eventId,
    purpose: 'verification',
    channel: 'sms',
    to: '+14155550123',
    locale: 'en',
    templateSource: 'catalogue',
    body: `Your code is ${CODE}`,
    bodyType: 'text',
    expiresAt: new Date(Date.now() + 300_000),
  };
}

const budget = (ms = 2_000) => ({
  signal: new AbortController().signal,
  deadline: Deadline.after(Date.now(), ms),
});
const secretReads = () => fake.requestsFor('GetSecretValue').length;

describe('Twilio credentials from AWS Secrets Manager (real SDK client against the fake endpoint)', () => {
  it('fetched once per cold start, from init on, and used for every send', async () => {
    const twilio = twilioProvider(config() as NonNullable<ReturnType<typeof config>>, {
      clock: { now: () => Date.now() },
      secrets: async () => new SecretsManagerSecretSource(client),
    });
    // Prefetched at construction: the first request finds it ready or under way.
    for (let i = 0; i < 5; i++) await twilio.send(message(`evt-${i}`), budget());
    expect(secretReads()).toBe(1);
    expect(fake.requestsFor('GetSecretValue')[0]?.body).toEqual({ SecretId: SECRET_ARN });
    expect(standIn.created).toHaveLength(5);
    expect(standIn.requests.every((r) => r.authorized)).toBe(true);
  });

  it('bounded, and never poisons the instance: a hung read fails the send as not sent, a later one reads again', async () => {
    // Secrets Manager accepts and never answers (the fetch is cut at its bound before the client retries).
    fake.failNext({ type: 'hang' }, { target: 'GetSecretValue' });
    const twilio = twilioProvider(config() as NonNullable<ReturnType<typeof config>>, {
      clock: { now: () => Date.now() },
      secrets: async () => new SecretsManagerSecretSource(client),
      secretBounds: { timeoutMs: 400, retryAfterMs: 50 },
    });
    const started = Date.now();
    const error = (await twilio
      .send(message('evt-hung'), budget(1_000))
      .catch((e: unknown) => e)) as DeliveryError;
    expect(Date.now() - started).toBeLessThan(700);
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error).toMatchObject({ kind: 'misconfigured', certainty: 'not-sent', attempts: 0 });
    expect(standIn.requests).toHaveLength(0);

    // Secrets Manager is back: the next request reads the secret afresh and sends.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const receipt = await twilio.send(message('evt-after'), budget());
    expect(receipt.status).toBe('SUCCESSFUL');
    expect(secretReads()).toBeGreaterThanOrEqual(2);
  });

  it('a secret that is missing or malformed: not sent, and nothing of it in the error', async () => {
    fake.secrets.set(SECRET_ARN, `{"accountSid": "${ACCOUNT_SID}", "authTokn": "${AUTH_TOKEN}"}`);
    const twilio = twilioProvider(config() as NonNullable<ReturnType<typeof config>>, {
      clock: { now: () => Date.now() },
      secrets: async () => new SecretsManagerSecretSource(client),
      secretBounds: { timeoutMs: 1_000, retryAfterMs: 0 },
    });
    const error = (await twilio.send(message('evt-bad'), budget()).catch((e: unknown) => e)) as DeliveryError;
    expect(error).toMatchObject({ kind: 'misconfigured', certainty: 'not-sent' });
    expect(JSON.stringify({ m: error.message, s: error.stack })).not.toContain(AUTH_TOKEN);
    expect(() => parseTwilioSecret(`{"accountSid": "${ACCOUNT_SID}", "authTokn": "${AUTH_TOKEN}"}`)).toThrow(
      ConfigError,
    );
    try {
      parseTwilioSecret(
        `{"accountSid": "nope-${AUTH_TOKEN}", "authToken": "${AUTH_TOKEN}", "apiKeySid": "x"}`,
      );
    } catch (e) {
      expect((e as ConfigError).message).not.toContain(AUTH_TOKEN);
      expect((e as ConfigError).problems.join()).toMatch(/account SID|not both/);
    }
    fake.secrets.clear();
    const missing = (await twilio
      .send(message('evt-missing'), budget())
      .catch((e: unknown) => e)) as DeliveryError;
    expect(missing).toMatchObject({ kind: 'misconfigured', certainty: 'not-sent' });
    expect(standIn.requests).toHaveLength(0);
  });

  it('never printed', () => {
    expect(capturedOutput()).not.toContain(AUTH_TOKEN);
  });
});
