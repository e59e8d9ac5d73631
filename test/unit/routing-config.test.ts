import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../app/config/env-readers';
import { loadRoutingConfig } from '../../app/config/routing-config';
import { loadTwilioConfig } from '../../app/config/twilio-config';
import shipped from '../../config/message-routes.json';
import { guardSecret } from '../support/secret-leak-guard';

const ACCOUNT_SID = `AC${'0123456789abcdef'.repeat(2)}`;
const TOKEN = guardSecret('an-auth-token-that-must-not-print');

function problems(load: () => unknown): string[] {
  try {
    load();
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  return [];
}

describe('the shipped route table (config/message-routes.json)', () => {
  it('loads with End User Messaging alone: Twilio is left out of every route', () => {
    const config = loadRoutingConfig(['aws-end-user-messaging']);
    expect(config.routes.at(-1)?.providers).toEqual(['aws-end-user-messaging']);
    expect(Object.keys(config.policies)).toEqual(['aws-end-user-messaging']);
  });

  it('loads with both: End User Messaging first, then Twilio, and per-call bounds that leave Twilio time', () => {
    const config = loadRoutingConfig(['aws-end-user-messaging', 'twilio']);
    expect(config.routes.at(-1)?.providers).toEqual(['aws-end-user-messaging', 'twilio']);
    const eum = config.policies['aws-end-user-messaging'];
    const twilio = config.policies.twilio;
    // The default send window is 2,200 ms (DEADLINE_MS − FAILURE_PATH_RESERVE_MS): a primary cut at its
    // bound still leaves the secondary a whole call.
    expect((eum?.attemptTimeoutMs ?? 0) + (twilio?.attemptTimeoutMs ?? 0)).toBeLessThanOrEqual(2_200);
    expect(config.routes.every((r) => r.failoverOnUncertain !== true)).toBe(true);
  });

  it('refuses a misspelt key, a provider without a route slot, a table without a catch-all', () => {
    const table = structuredClone(shipped) as Record<string, unknown> & { routes: Record<string, unknown>[] };
    (table.routes[0] as Record<string, unknown>).failoverOnUncertian = true;
    expect(problems(() => loadRoutingConfig(['aws-end-user-messaging'], table)).join()).toMatch(
      /failoverOnUncertian/,
    );

    expect(problems(() => loadRoutingConfig(['aws-end-user-messaging', 'sinch'])).join()).toContain(
      'provider "sinch" is configured but has no policy',
    );

    const noCatchAll = {
      ...structuredClone(shipped),
      routes: [{ countries: ['US'], providers: ['twilio'] }],
    };
    expect(
      problems(() => loadRoutingConfig(['aws-end-user-messaging', 'twilio'], noCatchAll)).join(),
    ).toContain('catch-all');
    const onlyTwilio = {
      ...structuredClone(shipped),
      routes: [
        { countries: ['IN'], providers: ['twilio'] },
        { countries: ['*'], providers: ['aws-end-user-messaging'] },
      ],
    };
    expect(problems(() => loadRoutingConfig(['aws-end-user-messaging'], onlyTwilio)).join()).toContain(
      'route 1 has none of its providers (twilio) configured here',
    );
  });
});

describe('Twilio configuration', () => {
  it('is off when neither a secret nor an account is configured', () => {
    expect(loadTwilioConfig({})).toBeUndefined();
  });

  it('AWS: the secret ARN; locally: the environment', () => {
    expect(
      loadTwilioConfig({
        TWILIO_CREDENTIALS_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:1:secret:t-AbCdEf',
        TWILIO_SMS_FROM: 'US=+15005550006,GB=Acme,*=MG0123456789abcdef0123456789abcdef',
      }),
    ).toMatchObject({
      credentials: { kind: 'secrets-manager' },
      apiUrl: 'https://api.twilio.com',
      sms: { byCountry: { US: '+15005550006', GB: 'Acme' }, fallback: 'MG0123456789abcdef0123456789abcdef' },
      connectTimeoutMs: 500,
    });
    expect(
      loadTwilioConfig({
        TWILIO_ACCOUNT_SID: ACCOUNT_SID,
        TWILIO_AUTH_TOKEN: TOKEN,
        TWILIO_VOICE_FROM: '*=+15005550006',
        TWILIO_API_URL: 'http://127.0.0.1:9999',
      }),
    ).toMatchObject({ credentials: { kind: 'environment', credentials: { accountSid: ACCOUNT_SID } } });
  });

  it('refuses ambiguity, missing senders, plain http off loopback and caller ids that are not numbers — quoting no credential', () => {
    const found = problems(() =>
      loadTwilioConfig({
        TWILIO_CREDENTIALS_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:1:secret:t',
        TWILIO_ACCOUNT_SID: `${ACCOUNT_SID.slice(0, 10)}${TOKEN}`,
        TWILIO_AUTH_TOKEN: TOKEN,
        TWILIO_API_KEY_SID: TOKEN,
        TWILIO_VOICE_FROM: '*=Acme',
        TWILIO_API_URL: 'http://api.twilio.com',
        TWILIO_STATUS_CALLBACK_URL: 'http://example.com/status',
      }),
    );
    expect(found.join('\n')).toMatch(/configured twice/);
    expect(found.join('\n')).toMatch(/caller id/);
    expect(found.join('\n')).toMatch(/TWILIO_API_URL must be https/);
    expect(found.join('\n')).toMatch(/TWILIO_STATUS_CALLBACK_URL/);
    expect(found.join('\n')).not.toContain(TOKEN);
    const badAccount = problems(() =>
      loadTwilioConfig({
        TWILIO_ACCOUNT_SID: `${ACCOUNT_SID.slice(0, 10)}${TOKEN}`,
        TWILIO_AUTH_TOKEN: TOKEN,
        TWILIO_API_KEY_SID: TOKEN,
        TWILIO_SMS_FROM: '*=Acme',
      }),
    );
    expect(badAccount.join('\n')).toMatch(/account SID/);
    expect(badAccount.join('\n')).toMatch(/not both/);
    expect(badAccount.join('\n')).not.toContain(TOKEN);
    expect(
      problems(() => loadTwilioConfig({ TWILIO_ACCOUNT_SID: ACCOUNT_SID, TWILIO_AUTH_TOKEN: TOKEN })).join(),
    ).toMatch(/neither TWILIO_SMS_FROM nor TWILIO_VOICE_FROM/);
  });
});
