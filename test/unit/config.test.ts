import { describe, expect, it } from 'vitest';
import { worstCaseMs } from '../../app/composition/aws-call-bounds';
import { loadAuthorizerConfig } from '../../app/config/authorizer-config';
import { loadHookCallBounds } from '../../app/config/aws-call-bounds-config';
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
        failurePathReserveMs: 300,
        expirySkewMs: 30_000,
      },
      hook: { defaultPhoneRegion: 'US', maxBodyBytes: 16_384, deadlineMs: 2500, auth0CodeValidityMinutes: 5 },
    });
  });

  it('treats blank values as unset (CloudFormation passes "" for empty parameters)', () => {
    const { delivery, hook } = loadDeliveryConfig({ DEADLINE_MS: '', BRAND_NAME: '  ' });
    expect(delivery.brand).toBe('otp-courier');
    expect(hook.deadlineMs).toBe(2500);
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

  const OAUTH = {
    AUTH_MODE: 'oauth',
    OKTA_ISSUER: 'https://example.okta.com/oauth2/aus1/',
    OKTA_AUDIENCE: 'api://otp-courier',
    OKTA_CLIENT_IDS: '0oa1, 0oa2',
    OKTA_SCOPE: 'otp-courier.send',
  };
  const SECRET = { AUTH_MODE: 'header-secret', OKTA_HOOK_SECRET: 'x'.repeat(32) };

  it('needs every OAuth setting for the authorizer, or a long enough header secret', () => {
    expect(problemsOf(() => loadAuthorizerConfig({ AUTH_MODE: 'oauth' })).length).toBe(4);
    expect(problemsOf(() => loadAuthorizerConfig({ ...SECRET, OKTA_HOOK_SECRET: 'short' }))).toEqual([
      'OKTA_HOOK_SECRET must be at least 24 characters',
    ]);
    expect(problemsOf(() => loadAuthorizerConfig({ AUTH_MODE: 'header-secret' }))).toEqual([
      "OKTA_HOOK_SECRET is required (the value of Okta's HTTP header authentication)",
    ]);
    expect(loadAuthorizerConfig(SECRET)).toMatchObject({ mode: 'header-secret' });
    expect(loadAuthorizerConfig(OAUTH)).toMatchObject({
      mode: 'oauth',
      jwksUrl: 'https://example.okta.com/oauth2/aus1/v1/keys',
      policy: {
        issuer: 'https://example.okta.com/oauth2/aus1',
        clientIds: ['0oa1', '0oa2'],
        clockSkewSeconds: 30,
      },
      allowLoopbackHttp: false,
      // No API Gateway cache said: the whole 300 s window is the key set's.
      keySetMaxAgeMs: 300_000,
      keyRevocationWindowMs: 300_000,
    });
    expect(problemsOf(() => loadAuthorizerConfig({ ...OAUTH, OKTA_ISSUER: 'ftp://x' }))).toEqual([
      'OKTA_ISSUER must be an https URL',
    ]);
  });

  it('chooses the mode only from AUTH_MODE, and refuses a configuration that names both', () => {
    // Both configured: before, the header secret silently won.
    const both = { ...OAUTH, OKTA_HOOK_SECRET: 'x'.repeat(32) };
    const { AUTH_MODE: _, ...bothWithoutMode } = both;
    expect(problemsOf(() => loadAuthorizerConfig(bothWithoutMode))).toEqual([
      "AUTH_MODE is required: oauth (Okta's OAuth 2.0 access token, recommended) or header-secret (both OKTA_ISSUER, OKTA_AUDIENCE, OKTA_CLIENT_IDS, OKTA_SCOPE and OKTA_HOOK_SECRET are set: say which one Okta uses)",
    ]);
    expect(problemsOf(() => loadAuthorizerConfig(both))).toEqual([
      'AUTH_MODE is oauth, but OKTA_HOOK_SECRET is set: a secret that is never checked misleads; unset it',
    ]);
    expect(
      problemsOf(() =>
        loadAuthorizerConfig({ ...SECRET, OKTA_ISSUER: OAUTH.OKTA_ISSUER, OKTA_JWKS_URL: 'https://x/keys' }),
      ),
    ).toEqual([
      'AUTH_MODE is header-secret, but OKTA_ISSUER, OKTA_JWKS_URL are set: those configure OAuth; unset them',
    ]);
    expect(problemsOf(() => loadAuthorizerConfig({ OKTA_HOOK_SECRET: 'x'.repeat(32) }))).toEqual([
      "AUTH_MODE is required: oauth (Okta's OAuth 2.0 access token, recommended) or header-secret",
    ]);
    expect(problemsOf(() => loadAuthorizerConfig({ ...OAUTH, AUTH_MODE: 'jwt' }))).toEqual([
      'AUTH_MODE must be oauth, header-secret or disabled',
    ]);
    expect(loadAuthorizerConfig({ ...OAUTH, AUTH_MODE: 'OAuth' })).toMatchObject({ mode: 'oauth' });
  });

  it('disabled: an optional IdP route switched off refuses everything, and takes no settings', () => {
    expect(loadAuthorizerConfig({ TOKEN_PROFILE: 'auth0', AUTH_MODE: 'disabled' })).toEqual({
      mode: 'disabled',
      profile: 'auth0',
      logLevel: 'INFO',
    });
    expect(
      problemsOf(() =>
        loadAuthorizerConfig({
          TOKEN_PROFILE: 'auth0',
          AUTH_MODE: 'disabled',
          AUTH0_ISSUER: 'https://t.auth0.com/',
        }),
      ),
    ).toEqual([
      'AUTH_MODE is disabled, but AUTH0_ISSUER is set: a configuration that is never used misleads; unset it or choose oauth',
    ]);
  });

  it('the Auth0 profile: issuer with its trailing slash, azp, space-separated scope, gty client-credentials', () => {
    const config = loadAuthorizerConfig({
      TOKEN_PROFILE: 'auth0',
      AUTH_MODE: 'oauth',
      AUTH0_ISSUER: 'https://my-tenant.eu.auth0.com',
      AUTH0_AUDIENCE: 'https://otp-courier.example.com/api',
      AUTH0_CLIENT_IDS: 'abc123,def456',
      AUTH0_SCOPE: 'send:phone-message',
    });
    expect(config).toMatchObject({
      mode: 'oauth',
      profile: 'auth0',
      jwksUrl: 'https://my-tenant.eu.auth0.com/.well-known/jwks.json',
      policy: {
        issuer: 'https://my-tenant.eu.auth0.com/',
        audience: 'https://otp-courier.example.com/api',
        clientIds: ['abc123', 'def456'],
        scope: 'send:phone-message',
        clientClaim: 'azp',
        scopeClaim: 'scope',
        grantType: 'client-credentials',
      },
    });
    // Okta's tokens carry no gty: its profile does not ask for one.
    expect((loadAuthorizerConfig(OAUTH) as { policy: object }).policy).not.toHaveProperty('grantType');
  });

  it('refuses http:// issuer and JWKS URLs, except on loopback in explicit local mode', () => {
    const http = { ...OAUTH, OKTA_ISSUER: 'http://example.okta.com/oauth2/aus1' };
    expect(problemsOf(() => loadAuthorizerConfig(http))).toEqual([
      'OKTA_ISSUER must be https (http:// lets anyone on the path swap the signing keys)',
    ]);
    expect(
      problemsOf(() =>
        loadAuthorizerConfig({ ...OAUTH, OKTA_JWKS_URL: 'http://127.0.0.1:8787/oauth2/default/v1/keys' }),
      ),
    ).toEqual(['OKTA_JWKS_URL must be https (http:// lets anyone on the path swap the signing keys)']);
    expect(problemsOf(() => loadAuthorizerConfig({ ...http, OKTA_ALLOW_LOOPBACK_HTTP: 'true' }))).toEqual([
      'OKTA_ISSUER must be https (OKTA_ALLOW_LOOPBACK_HTTP allows http:// on 127.0.0.1, ::1 and localhost only)',
    ]);
    for (const host of ['127.0.0.1:8787', '[::1]:8787', 'localhost:8787']) {
      const local = loadAuthorizerConfig({
        ...OAUTH,
        OKTA_ALLOW_LOOPBACK_HTTP: 'true',
        OKTA_ISSUER: `http://${host}/oauth2/default`,
      });
      expect(local).toMatchObject({
        jwksUrl: `http://${host}/oauth2/default/v1/keys`,
        allowLoopbackHttp: true,
      });
    }
    expect(
      problemsOf(() => loadAuthorizerConfig({ ...OAUTH, OKTA_ISSUER: 'https://u:p@example.okta.com/x' })),
    ).toEqual(['OKTA_ISSUER must not carry credentials']);
    expect(problemsOf(() => loadAuthorizerConfig({ ...OAUTH, OKTA_ALLOW_LOOPBACK_HTTP: 'yes' }))).toEqual([
      'OKTA_ALLOW_LOOPBACK_HTTP must be true or false',
    ]);
  });

  it('sizes the key-set cache so that it plus API Gateway’s authorizer cache is the revocation window', () => {
    expect(loadAuthorizerConfig({ ...OAUTH, AUTHORIZER_RESULT_TTL_SECONDS: '60' })).toMatchObject({
      keySetMaxAgeMs: 240_000,
      keyRevocationWindowMs: 300_000,
    });
    expect(
      loadAuthorizerConfig({
        ...OAUTH,
        AUTHORIZER_RESULT_TTL_SECONDS: '300',
        KEY_REVOCATION_WINDOW_SECONDS: '900',
      }),
    ).toMatchObject({ keySetMaxAgeMs: 600_000, keyRevocationWindowMs: 900_000 });
    expect(
      problemsOf(() => loadAuthorizerConfig({ ...OAUTH, AUTHORIZER_RESULT_TTL_SECONDS: '300' })),
    ).toEqual([
      'AUTHORIZER_RESULT_TTL_SECONDS (300) must be at most KEY_REVOCATION_WINDOW_SECONDS (300) minus 30: the authorizer needs that long to trust a fetched key set, and a removed key must stop working within the window',
    ]);
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

  it('bounds every AWS client: defaults sized for Okta, each timeout configurable, nonsense refused', () => {
    const defaults = loadHookCallBounds({});
    expect(defaults).toEqual({
      dynamodb: { connectTimeoutMs: 300, requestTimeoutMs: 400, maxAttempts: 2 },
      kms: { connectTimeoutMs: 300, requestTimeoutMs: 400, maxAttempts: 2 },
      sqs: { connectTimeoutMs: 300, requestTimeoutMs: 400, maxAttempts: 2 },
      smsVoice: { connectTimeoutMs: 300, requestTimeoutMs: 2000, maxAttempts: 1 },
    });
    // Every DynamoDB, KMS or SQS call gives up, retries included, well inside the 2,500 ms budget.
    for (const service of ['dynamodb', 'kms', 'sqs'] as const) {
      expect(worstCaseMs(defaults[service])).toBeLessThan(1_000);
    }
    expect(loadHookCallBounds({ KMS_TIMEOUT_MS: '700', AWS_CONNECT_TIMEOUT_MS: '150' }).kms).toEqual({
      connectTimeoutMs: 150,
      requestTimeoutMs: 700,
      maxAttempts: 2,
    });
    expect(
      problemsOf(() => loadHookCallBounds({ SQS_TIMEOUT_MS: '5000', DYNAMODB_TIMEOUT_MS: 'soon' })),
    ).toEqual(['DYNAMODB_TIMEOUT_MS must be a whole number', 'SQS_TIMEOUT_MS must be at most 2900']);
    expect(
      problemsOf(() => loadHookCallBounds({ AWS_CONNECT_TIMEOUT_MS: '350', KMS_TIMEOUT_MS: '200' })),
    ).toEqual([
      'KMS_TIMEOUT_MS must be at least AWS_CONNECT_TIMEOUT_MS (the connect is part of the request)',
    ]);
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
