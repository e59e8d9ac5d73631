import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadAuthorizerConfig } from '../../app/config/authorizer-config';
import { loadAwsConfig } from '../../app/config/aws-config';
import { loadCognitoConfig } from '../../app/config/cognito-config';
import { loadDeliveryConfig } from '../../app/config/delivery-config';
import {
  loadEventHookConfig,
  loadHookTelemetryConfig,
  loadReceiptsConfig,
  loadSettleConfig,
} from '../../app/config/telemetry-config';
import { loadTemplate } from '../../scripts/cloudformation-yaml';

/**
 * The template and the code must agree on configuration: every environment variable a function is
 * given is one its config loader reads, and what the template sets (parameters at their defaults, plus
 * sample answers to the ones `sam deploy --guided` asks for) passes the loader's validation. A renamed
 * variable on either side fails here instead of at the first cold start in AWS.
 */
const template = loadTemplate(fileURLToPath(new URL('../../template.yaml', import.meta.url)));

const GUIDED_ANSWERS: Record<string, string> = {
  OktaIssuer: 'https://example.okta.com/oauth2/aus1hook',
  OktaAudience: 'api://otp-courier',
  OktaClientIds: '0oa1hookclient',
  EnableAuth0: 'true',
  Auth0Issuer: 'https://my-tenant.eu.auth0.com/',
  Auth0Audience: 'https://otp-courier.example.com/api',
  Auth0ClientIds: 'm2mClientId0123456789abcdefABCDE',
  BrandName: 'Acme',
  DefaultOriginationIdentity: '+12065550100',
  OriginationIdentities: 'US=+12065550100,GB=AcmeOTP',
  OriginationIdentityArns:
    'arn:aws:sms-voice:us-east-1:111122223333:phone-number/phone-1234567890abcdef1234567890abcdef,arn:aws:sms-voice:us-east-1:111122223333:sender-id/AcmeOTP/GB',
  TwilioCredentialsSecretArn:
    'arn:aws:secretsmanager:us-east-1:111122223333:secret:otp-courier/twilio-AbC123',
  TwilioSmsFrom: 'US=+15005550006,*=MG0123456789abcdef0123456789abcdef',
  TwilioVoiceFrom: '*=+15005550006',
};

/** Evaluates the intrinsic functions the Variables blocks use, picking the "set" branch of each If. */
function resolve(value: unknown): string | undefined {
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  if (value && typeof value === 'object') {
    const [fn, arg] = Object.entries(value)[0] ?? [];
    if (fn === 'Ref') {
      if (arg === 'AWS::NoValue') return undefined;
      const parameter = template.Parameters?.[arg as string] as { Default?: unknown } | undefined;
      if (parameter)
        return (
          GUIDED_ANSWERS[arg as string] ??
          (parameter.Default === undefined ? 'sample' : String(parameter.Default))
        );
      return `https://sqs.us-east-1.amazonaws.com/111122223333/${arg as string}`;
    }
    if (fn === 'Fn::GetAtt') return `arn:aws:kms:us-east-1:111122223333:key/${(arg as string[])[0]}`;
    if (fn === 'Fn::If') return resolve((arg as unknown[])[1]);
    if (fn === 'Fn::Sub') return String(Array.isArray(arg) ? arg[0] : arg);
  }
  throw new Error(`unexpected intrinsic in Variables: ${JSON.stringify(value)}`);
}

function environmentOf(functionId: string): Record<string, string> {
  const fn = template.Resources[functionId];
  const variables =
    (fn?.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(variables)) {
    const resolved = resolve(value);
    if (resolved !== undefined) env[name] = resolved;
  }
  return env;
}

/** Variables read by something other than our loaders (Node, the Lambda runtime, Powertools). */
const PLATFORM = new Set([
  'NODE_OPTIONS',
  // Powertools Metrics reads its CloudWatch namespace from here.
  'POWERTOOLS_METRICS_NAMESPACE',
  'POWERTOOLS_SERVICE_NAME',
  'POWERTOOLS_LOG_LEVEL',
  'AWS_NODEJS_CONNECTION_REUSE_ENABLED',
]);

describe('template.yaml environment ⇄ config loaders', () => {
  it('the authorizer gets a configuration its loader accepts, and nothing it does not read', () => {
    const env = environmentOf('AuthorizerFunction');
    expect(loadAuthorizerConfig(env)).toMatchObject({
      mode: 'oauth',
      policy: { issuer: GUIDED_ANSWERS.OktaIssuer },
      allowLoopbackHttp: false,
    });
    const read = [
      'AUTH_MODE',
      'TOKEN_PROFILE',
      'AUTHORIZER_RESULT_TTL_SECONDS',
      'KEY_REVOCATION_WINDOW_SECONDS',
      'OKTA_ALLOW_LOOPBACK_HTTP',
      'OKTA_ISSUER',
      'OKTA_AUDIENCE',
      'OKTA_JWKS_URL',
      'OKTA_CLIENT_IDS',
      'OKTA_SCOPE',
      'OKTA_HOOK_SECRET',
      'OKTA_CLOCK_SKEW_SECONDS',
      'LOG_LEVEL',
    ];
    expect(Object.keys(env).filter((name) => !read.includes(name) && !PLATFORM.has(name))).toEqual([]);
  });

  it('a key removed from the JWKS stops working within the promised window, API Gateway cache included', () => {
    const fn = template.Resources.AuthorizerFunction;
    const variables =
      (fn?.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
    // The authorizer is told the TTL API Gateway really uses: the same parameter as ReauthorizeEvery.
    const api = Object.values(template.Resources).find((r) => r.Type === 'AWS::Serverless::Api');
    const auth = api?.Properties?.Auth as
      | { Authorizers?: Record<string, { Identity?: Record<string, unknown> }> }
      | undefined;
    const authorizers = auth?.Authorizers ?? {};
    const reauthorizeEvery = Object.values(authorizers).map((a) => a.Identity?.ReauthorizeEvery);
    // Both authorizers (Okta's, Auth0's) are cached for the same TTL.
    expect(reauthorizeEvery).toEqual([
      { Ref: 'AuthorizerResultTtlSeconds' },
      { Ref: 'AuthorizerResultTtlSeconds' },
    ]);
    expect(variables.AUTHORIZER_RESULT_TTL_SECONDS).toEqual({ Ref: 'AuthorizerResultTtlSeconds' });
    expect(variables.OKTA_ALLOW_LOOPBACK_HTTP).toBeUndefined();

    // Every TTL the parameter allows loads, and key-set age + API Gateway's cache = the window.
    const parameter = template.Parameters?.AuthorizerResultTtlSeconds as {
      MinValue: number;
      MaxValue: number;
      Default: number;
    };
    for (const ttl of [parameter.MinValue, parameter.Default, parameter.MaxValue]) {
      const config = loadAuthorizerConfig({
        ...environmentOf('AuthorizerFunction'),
        AUTHORIZER_RESULT_TTL_SECONDS: String(ttl),
      });
      if (config.mode !== 'oauth') throw new Error('expected oauth');
      expect(config.keySetMaxAgeMs + ttl * 1000).toBe(config.keyRevocationWindowMs);
      expect(config.keyRevocationWindowMs).toBe(300_000);
    }
    // One second more than the parameter allows would break the promise, and the loader says so.
    expect(() =>
      loadAuthorizerConfig({
        ...environmentOf('AuthorizerFunction'),
        AUTHORIZER_RESULT_TTL_SECONDS: String(parameter.MaxValue + 1),
      }),
    ).toThrow(/AUTHORIZER_RESULT_TTL_SECONDS \(271\) must be at most/);
  });

  it('the Auth0 authorizer gets a configuration its loader accepts (on), or refuses everything (off)', () => {
    const env = environmentOf('Auth0AuthorizerFunction');
    expect(loadAuthorizerConfig(env)).toMatchObject({
      mode: 'oauth',
      profile: 'auth0',
      policy: {
        issuer: GUIDED_ANSWERS.Auth0Issuer,
        audience: GUIDED_ANSWERS.Auth0Audience,
        clientIds: [GUIDED_ANSWERS.Auth0ClientIds],
        scope: 'send:phone-message',
        clientClaim: 'azp',
        scopeClaim: 'scope',
        grantType: 'client-credentials',
      },
      jwksUrl: `${GUIDED_ANSWERS.Auth0Issuer}.well-known/jwks.json`,
    });
    const read = [
      'AUTH_MODE',
      'TOKEN_PROFILE',
      'AUTHORIZER_RESULT_TTL_SECONDS',
      'AUTH0_ISSUER',
      'AUTH0_AUDIENCE',
      'AUTH0_CLIENT_IDS',
      'AUTH0_SCOPE',
      'LOG_LEVEL',
    ];
    expect(Object.keys(env).filter((name) => !read.includes(name) && !PLATFORM.has(name))).toEqual([]);
    // EnableAuth0 "false": every Fn::If takes its other branch.
    const off = Object.fromEntries(
      Object.entries(env)
        .filter(([name]) => !name.startsWith('AUTH0_'))
        .map(([name, value]) => [name, name === 'AUTH_MODE' ? 'disabled' : value]),
    );
    expect(loadAuthorizerConfig(off)).toEqual({ mode: 'disabled', profile: 'auth0', logLevel: 'INFO' });
  });

  it('the hook gets a configuration its loaders accept, and nothing they do not read', () => {
    const env = environmentOf('TelephonyHookFunction');
    const { delivery, hook } = loadDeliveryConfig(env);
    const aws = loadAwsConfig(env);
    expect(delivery).toMatchObject({ brand: 'Acme' });
    expect(hook.deadlineMs).toBe(2500);
    expect(hook.maxBodyBytes).toBe(8192);
    expect(aws.messaging.originationIdentities).toEqual({ US: '+12065550100', GB: 'AcmeOTP' });
    // With the guided Twilio answers, Twilio loads from its secret, and the route table takes it.
    expect(aws.twilio).toMatchObject({
      credentials: { kind: 'secrets-manager', secretId: GUIDED_ANSWERS.TwilioCredentialsSecretArn },
      sms: { byCountry: { US: '+15005550006' } },
      voice: { fallback: '+15005550006' },
    });
    const read = [
      'BRAND_NAME',
      'DEFAULT_LOCALE',
      'DEFAULT_PHONE_REGION',
      'DEADLINE_MS',
      'FAILURE_PATH_RESERVE_MS',
      'MAX_BODY_BYTES',
      'AUTH0_CODE_VALIDITY_MINUTES',
      'TEMPLATE_TABLE',
      'IDEMPOTENCY_TABLE',
      'TEMPLATE_CACHE_TTL_SECONDS',
      'DEAD_LETTER_QUEUE_URL',
      'SEALING_KMS_KEY_ID',
      'FINGERPRINT_KMS_KEY_ID',
      'ORIGINATION_IDENTITIES',
      'DEFAULT_ORIGINATION_IDENTITY',
      'CONFIGURATION_SET_NAME',
      'PROTECT_CONFIGURATION_ID',
      'SMS_MAX_PRICE',
      'VOICE_MAX_PRICE_PER_MINUTE',
      'TWILIO_CREDENTIALS_SECRET_ARN',
      'TWILIO_SMS_FROM',
      'TWILIO_VOICE_FROM',
      'TWILIO_STATUS_CALLBACK_URL',
      'LOG_LEVEL',
      'BRAKES_LIMITS',
      'BRAKES_REPLIES',
      'BRAKES_ON_COUNTER_FAILURE',
      'BRAKES_SPEND_DAILY_USD',
      'BRAKES_SPEND_COUNTRY_DAILY_USD',
      'BRAKES_SPEND_COUNTRY_CAPS',
      'BRAKES_PRICES',
      'BRAKES_COARSE_FLUSH_MS',
      'MESSAGE_FEEDBACK',
      'MESSAGES_TABLE',
    ];
    expect(loadHookTelemetryConfig(env).messagesTable).toBe(env.MESSAGES_TABLE);
    expect(aws.messaging.messageFeedback).toBe(true);
    expect(Object.keys(env).filter((name) => !read.includes(name) && !PLATFORM.has(name))).toEqual([]);
  });

  it('the receipts, event hook and sweep functions get what their loaders read, and nothing else', () => {
    const receipts = environmentOf('DeliveryReceiptsFunction');
    expect(loadReceiptsConfig(receipts).messagesTable).toBeTruthy();
    const eventHook = environmentOf('OktaEventHookFunction');
    expect(loadEventHookConfig(eventHook)).toMatchObject({ authHeader: 'Authorization' });
    const settle = environmentOf('SettleUnconfirmedFunction');
    expect(loadSettleConfig(settle).graceMs).toBe(600_000);
    const reads: Record<string, readonly string[]> = {
      DeliveryReceiptsFunction: ['MESSAGES_TABLE', 'LOG_LEVEL'],
      OktaEventHookFunction: [
        'MESSAGES_TABLE',
        'FINGERPRINT_KMS_KEY_ID',
        'EVENT_HOOK_SECRET_ID',
        'EVENT_HOOK_AUTH_HEADER',
        'LOG_LEVEL',
      ],
      SettleUnconfirmedFunction: ['MESSAGES_TABLE', 'SETTLE_GRACE_SECONDS', 'LOG_LEVEL'],
    };
    for (const [id, read] of Object.entries(reads)) {
      const env = environmentOf(id);
      expect(
        Object.keys(env).filter((name) => !read.includes(name) && !PLATFORM.has(name)),
        id,
      ).toEqual([]);
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub placeholder
      expect(env.POWERTOOLS_METRICS_NAMESPACE, id).toBe('otp-courier/${AWS::StackName}');
    }
  });

  it('the sample answers pass the parameters’ own constraints (what CloudFormation checks first)', () => {
    for (const [name, answer] of Object.entries(GUIDED_ANSWERS)) {
      const parameter = template.Parameters?.[name] as Record<string, unknown> | undefined;
      expect(parameter, name).toBeDefined();
      // A CommaDelimitedList's AllowedPattern applies to each item.
      const items = parameter?.Type === 'CommaDelimitedList' ? answer.split(',') : [answer];
      for (const item of items) {
        if (typeof parameter?.AllowedPattern === 'string') {
          expect(new RegExp(parameter.AllowedPattern).test(item), `${name}: ${item}`).toBe(true);
        }
        if (typeof parameter?.MinLength === 'number')
          expect(item.length).toBeGreaterThanOrEqual(parameter.MinLength);
        if (typeof parameter?.MaxLength === 'number')
          expect(item.length).toBeLessThanOrEqual(parameter.MaxLength);
      }
    }
  });

  it('the Cognito trigger gets a configuration its loaders accept, and nothing they do not read', () => {
    const env = environmentOf('CognitoSmsSenderFunction');
    expect(loadDeliveryConfig(env).delivery).toMatchObject({ brand: 'Acme' });
    const aws = loadAwsConfig(env);
    expect(aws.templateTable).toBeTruthy();
    // The same routes (Twilio included) and brakes as the hook: one core, one budget.
    expect(aws.twilio).toEqual(loadAwsConfig(environmentOf('TelephonyHookFunction')).twilio);
    expect(aws.brakes).toEqual(loadAwsConfig(environmentOf('TelephonyHookFunction')).brakes);
    expect(loadCognitoConfig(env)).toEqual({
      kmsKeyArn: 'arn:aws:kms:us-east-1:111122223333:key/CognitoSenderKey',
      temporaryPasswordValidityDays: 7,
      deadlineMs: 6000,
    });
    const read = [
      'BRAND_NAME',
      'DEFAULT_LOCALE',
      'DEFAULT_PHONE_REGION',
      'TEMPLATE_TABLE',
      'IDEMPOTENCY_TABLE',
      'TEMPLATE_CACHE_TTL_SECONDS',
      'DEAD_LETTER_QUEUE_URL',
      'SEALING_KMS_KEY_ID',
      'FINGERPRINT_KMS_KEY_ID',
      'ORIGINATION_IDENTITIES',
      'DEFAULT_ORIGINATION_IDENTITY',
      'CONFIGURATION_SET_NAME',
      'PROTECT_CONFIGURATION_ID',
      'SMS_MAX_PRICE',
      'VOICE_MAX_PRICE_PER_MINUTE',
      'TWILIO_CREDENTIALS_SECRET_ARN',
      'TWILIO_SMS_FROM',
      'TWILIO_VOICE_FROM',
      'TWILIO_STATUS_CALLBACK_URL',
      'BRAKES_LIMITS',
      'BRAKES_REPLIES',
      'BRAKES_ON_COUNTER_FAILURE',
      'BRAKES_SPEND_DAILY_USD',
      'BRAKES_SPEND_COUNTRY_DAILY_USD',
      'BRAKES_SPEND_COUNTRY_CAPS',
      'BRAKES_PRICES',
      'BRAKES_COARSE_FLUSH_MS',
      'COGNITO_KMS_KEY_ARN',
      'COGNITO_TEMPORARY_PASSWORD_VALIDITY_DAYS',
      'TRIGGER_DEADLINE_MS',
      // The message ledger the trigger's sends are recorded in (loadHookTelemetryConfig).
      'MESSAGES_TABLE',
      'LOG_LEVEL',
    ];
    expect(Object.keys(env).filter((name) => !read.includes(name) && !PLATFORM.has(name))).toEqual([]);
  });
});
