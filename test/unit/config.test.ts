import { describe, expect, it } from 'vitest';
import { loadAuthorizerConfig } from '../../app/config/authorizer-config';
import { loadAwsConfig, parseOriginationIdentities } from '../../app/config/aws-config';
import { loadDeliveryConfig } from '../../app/config/delivery-config';
import { ConfigError } from '../../app/config/env-readers';
import { loadLocalConfig } from '../../app/config/local-config';

const problemsOf = (load: () => unknown): readonly string[] => {
  try {
    load();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
};

describe('configuration from the environment', () => {
  it('has sane defaults for delivery', () => {
    expect(loadDeliveryConfig({})).toEqual({
      delivery: {
        brand: 'otp-courier',
        defaultLocale: 'en',
        deadlineMs: 2500,
        failurePathReserveMs: 300,
        expirySkewMs: 30_000,
      },
      hook: { defaultPhoneRegion: 'US', maxBodyBytes: 16_384, deadlineMs: 2500 },
    });
  });

  it('treats blank values as unset (CloudFormation passes "" for empty parameters)', () => {
    expect(loadDeliveryConfig({ DEADLINE_MS: '', BRAND_NAME: '  ' }).delivery).toMatchObject({
      deadlineMs: 2500,
      brand: 'otp-courier',
    });
  });

  it('names every bad variable at once', () => {
    const problems = problemsOf(() =>
      loadDeliveryConfig({
        DEADLINE_MS: '5000',
        DEFAULT_PHONE_REGION: 'USA',
        DEFAULT_LOCALE: 'not a locale!',
        MAX_BODY_BYTES: 'lots',
      }),
    );
    expect(problems.join('\n')).toMatch(/DEADLINE_MS must be at most 2900/);
    expect(problems.join('\n')).toMatch(/DEFAULT_PHONE_REGION/);
    expect(problems.join('\n')).toMatch(/DEFAULT_LOCALE/);
    expect(problems.join('\n')).toMatch(/MAX_BODY_BYTES/);
  });

  it('refuses a brand that could be mistaken for a code or break SSML', () => {
    expect(problemsOf(() => loadDeliveryConfig({ BRAND_NAME: 'Bank 24' }))).toHaveLength(1);
    expect(problemsOf(() => loadDeliveryConfig({ BRAND_NAME: 'Bank²' }))).toHaveLength(1);
    expect(problemsOf(() => loadDeliveryConfig({ BRAND_NAME: 'A&B <x>' }))).toHaveLength(1);
    expect(problemsOf(() => loadDeliveryConfig({ BRAND_NAME: 'Acme' }))).toEqual([]);
  });

  it('needs every OAuth setting for the authorizer, or a long enough header secret', () => {
    expect(problemsOf(() => loadAuthorizerConfig({})).length).toBe(4);
    expect(problemsOf(() => loadAuthorizerConfig({ OKTA_HOOK_SECRET: 'short' }))).toHaveLength(1);
    expect(loadAuthorizerConfig({ OKTA_HOOK_SECRET: 'x'.repeat(32) })).toMatchObject({
      mode: 'header-secret',
    });
    const jwt = loadAuthorizerConfig({
      OKTA_ISSUER: 'https://example.okta.com/oauth2/aus1/',
      OKTA_AUDIENCE: 'api://otp-courier',
      OKTA_CLIENT_IDS: '0oa1, 0oa2',
      OKTA_SCOPE: 'otp-courier.send',
    });
    expect(jwt).toMatchObject({
      mode: 'jwt',
      jwksUrl: 'https://example.okta.com/oauth2/aus1/v1/keys',
      policy: {
        issuer: 'https://example.okta.com/oauth2/aus1',
        clientIds: ['0oa1', '0oa2'],
        clockSkewSeconds: 30,
      },
    });
    expect(
      problemsOf(() =>
        loadAuthorizerConfig({
          OKTA_ISSUER: 'ftp://x',
          OKTA_AUDIENCE: 'a',
          OKTA_CLIENT_IDS: 'c',
          OKTA_SCOPE: 's',
        }),
      ),
    ).toEqual(['OKTA_ISSUER must be an http(s) URL']);
  });

  it('reads the AWS resources and origination identities', () => {
    const env = {
      TEMPLATE_TABLE: 't',
      IDEMPOTENCY_TABLE: 'i',
      DEAD_LETTER_QUEUE_URL: 'https://sqs/q',
      SEALING_KMS_KEY_ID: 'k1',
      FINGERPRINT_KMS_KEY_ID: 'k2',
      DEFAULT_ORIGINATION_IDENTITY: '+12065550100',
      ORIGINATION_IDENTITIES: 'us=+12065550100, GB=AcmeOTP',
      SMS_MAX_PRICE: '0.10',
    };
    expect(loadAwsConfig(env)).toMatchObject({
      messaging: { originationIdentities: { US: '+12065550100', GB: 'AcmeOTP' }, smsMaxPrice: '0.10' },
    });
    expect(problemsOf(() => loadAwsConfig({}))).toHaveLength(6);
    expect(problemsOf(() => loadAwsConfig({ ...env, SMS_MAX_PRICE: 'cheap' }))).toHaveLength(1);
    expect(() => parseOriginationIdentities('US:+1206')).toThrow(ConfigError);
  });

  it('resolves local paths under the data dir', () => {
    const local = loadLocalConfig({ DATA_DIR: 'state' }, '/srv/app');
    expect(local).toMatchObject({
      port: 8787,
      dataDir: '/srv/app/state',
      outboxFile: '/srv/app/state/outbox.jsonl',
    });
    expect(problemsOf(() => loadLocalConfig({ PORT: '70000' }))).toEqual(['PORT must be at most 65535']);
  });
});
