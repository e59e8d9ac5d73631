import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadAuthorizerConfig } from '../../app/config/authorizer-config';
import { loadAwsConfig } from '../../app/config/aws-config';
import { loadDeliveryConfig } from '../../app/config/delivery-config';
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
  BrandName: 'Acme',
  DefaultOriginationIdentity: '+12065550100',
  OriginationIdentities: 'US=+12065550100,GB=AcmeOTP',
  OriginationIdentityArns:
    'arn:aws:sms-voice:us-east-1:111122223333:phone-number/phone-1234567890abcdef1234567890abcdef,arn:aws:sms-voice:us-east-1:111122223333:sender-id/AcmeOTP/GB',
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
    expect(reauthorizeEvery).toEqual([{ Ref: 'AuthorizerResultTtlSeconds' }]);
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

  it('the hook gets a configuration its loaders accept, and nothing they do not read', () => {
    const env = environmentOf('TelephonyHookFunction');
    const { delivery, hook } = loadDeliveryConfig(env);
    const aws = loadAwsConfig(env);
    expect(delivery).toMatchObject({ brand: 'Acme' });
    expect(hook.deadlineMs).toBe(2500);
    expect(hook.maxBodyBytes).toBe(8192);
    expect(aws.messaging.originationIdentities).toEqual({ US: '+12065550100', GB: 'AcmeOTP' });
    const read = [
      'BRAND_NAME',
      'DEFAULT_LOCALE',
      'DEFAULT_PHONE_REGION',
      'DEADLINE_MS',
      'FAILURE_PATH_RESERVE_MS',
      'MAX_BODY_BYTES',
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
      'LOG_LEVEL',
      'BRAKES_LIMITS',
      'BRAKES_REPLIES',
      'BRAKES_ON_COUNTER_FAILURE',
      'BRAKES_SPEND_DAILY_USD',
      'BRAKES_SPEND_COUNTRY_DAILY_USD',
      'BRAKES_SPEND_COUNTRY_CAPS',
      'BRAKES_PRICES',
    ];
    expect(Object.keys(env).filter((name) => !read.includes(name) && !PLATFORM.has(name))).toEqual([]);
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
});
