import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { JoseTokenVerifier } from '../../adapters/okta/jose-token-verifier';
import { PowertoolsLoggerAdapter } from '../../adapters/powertools/powertools-logger';
import { AuthorizeHookCall } from '../../app/authorize-hook-call';
import { tokenAuthorizerEvent } from '../../app/local/api-gateway-events';
import {
  createDevIssuer,
  DEV_AUDIENCE,
  DEV_CLIENT_ID,
  DEV_SCOPE,
  loadOrCreateDevKey,
} from '../../app/local/dev-issuer';
import { loadTemplate } from '../../scripts/cloudformation-yaml';
import { parseJsonFilterPattern } from '../support/cloudwatch-filter-pattern';
import { capturedOutput } from '../support/secret-leak-guard';

const template = loadTemplate(fileURLToPath(new URL('../../template.yaml', import.meta.url)));
const resources = template.Resources;
const ref = (id: string) => ({ Ref: id });

function props(id: string): Record<string, unknown> {
  const properties = resources[id]?.Properties;
  if (!properties) throw new Error(`template has no ${id}`);
  return properties;
}

const ISSUER = 'https://example.okta.com/oauth2/ausAlarmTest';
// Nothing listens on port 1: every key-set fetch is refused, as when Okta cannot be reached.
const UNREACHABLE_JWKS = 'https://127.0.0.1:1/oauth2/ausAlarmTest/v1/keys';

/** Runs one authorizer call with the real Powertools logger and returns the JSON lines it printed. */
async function authorizerLogLines(
  verifier: ConstructorParameters<typeof AuthorizeHookCall>[0],
  authorization: string,
): Promise<string[]> {
  const logger = new PowertoolsLoggerAdapter({ serviceName: 'otp-courier-authorizer', level: 'INFO' });
  const before = capturedOutput().length;
  await expect(
    new AuthorizeHookCall(verifier, logger).handle(tokenAuthorizerEvent(authorization)),
  ).rejects.toThrow('Unauthorized');
  return capturedOutput()
    .slice(before)
    .split('\n')
    .filter((line) => line.startsWith('{'));
}

function verifierWith(jwksUrl: string): JoseTokenVerifier {
  return new JoseTokenVerifier({
    jwksUrl,
    // The stand-in key set below is served over plain http on 127.0.0.1.
    allowLoopbackHttp: true,
    policy: {
      issuer: ISSUER,
      audience: DEV_AUDIENCE,
      clientIds: [DEV_CLIENT_ID],
      scope: DEV_SCOPE,
      clockSkewSeconds: 30,
    },
  });
}

describe('template.yaml: the authorizer alarm fires on real failures, not on refused tokens', () => {
  const failures = parseJsonFilterPattern(String(props('AuthorizerFailuresMetricFilter').FilterPattern));
  const crashes = parseJsonFilterPattern(String(props('AuthorizerCrashesMetricFilter').FilterPattern));

  it('no alarm on the authorizer’s Lambda Errors metric (a refused token is a thrown error)', () => {
    const onLambdaErrors = Object.entries(resources).filter(
      ([, r]) =>
        r.Type === 'AWS::CloudWatch::Alarm' &&
        r.Properties?.MetricName === 'Errors' &&
        JSON.stringify(r.Properties?.Dimensions).includes('AuthorizerFunction'),
    );
    expect(onLambdaErrors).toEqual([]);
  });

  it('two filters (authorizer log, API access log) feed one metric, alarmed above zero per minute', () => {
    expect(props('AuthorizerFailuresMetricFilter').LogGroupName).toEqual(ref('AuthorizerLogGroup'));
    expect(props('AuthorizerCrashesMetricFilter').LogGroupName).toEqual(ref('ApiAccessLogGroup'));
    const metricOf = (id: string) =>
      (props(id).MetricTransformations as Array<Record<string, unknown>>).map((m) => [
        JSON.stringify(m.MetricNamespace),
        m.MetricName,
        m.MetricValue,
      ]);
    expect(metricOf('AuthorizerFailuresMetricFilter')).toEqual(metricOf('AuthorizerCrashesMetricFilter'));
    const [[namespace, metric]] = metricOf('AuthorizerFailuresMetricFilter') as [[string, string]];
    expect(props('AuthorizerFailuresAlarm')).toMatchObject({
      MetricName: metric,
      Statistic: 'Sum',
      Period: 60,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    });
    expect(JSON.stringify(props('AuthorizerFailuresAlarm').Namespace)).toBe(namespace);
  });

  it('matches what the authorizer logs when the Okta key set cannot be fetched', async () => {
    const issuer = await createDevIssuer(ISSUER, await loadOrCreateDevKey(undefined));
    const lines = await authorizerLogLines(verifierWith(UNREACHABLE_JWKS), `Bearer ${await issuer.mint()}`);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.filter((line) => failures.matches(line))).toHaveLength(1);
  });

  it('matches an unexpected verifier error (logged at ERROR)', async () => {
    const broken = {
      verify: async () => {
        throw new TypeError('a bug');
      },
    };
    const lines = await authorizerLogLines(broken, 'Bearer a.b.c');
    expect(lines.filter((line) => failures.matches(line))).toHaveLength(1);
  });

  it.each([
    ['a malformed token', 'Bearer not-a-jwt'],
    ['a missing token', ''],
    ['an HS256 token', 'Bearer eyJhbGciOiJIUzI1NiIsImtpZCI6ImsifQ.e30.c2ln'],
  ])('does not match %s', async (_name, authorization) => {
    const lines = await authorizerLogLines(verifierWith(UNREACHABLE_JWKS), authorization);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.filter((line) => failures.matches(line))).toEqual([]);
  });

  it('does not match tokens refused against a reachable key set (audience, client, scope, expiry, key)', async () => {
    const key = await loadOrCreateDevKey(undefined);
    const issuer = await createDevIssuer(ISSUER, key);
    const stranger = await createDevIssuer(ISSUER, await loadOrCreateDevKey(undefined));
    const server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(issuer.jwks));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const verifier = verifierWith(`http://127.0.0.1:${port}/v1/keys`);
      const tokens = [
        await issuer.mint({ audience: 'api://someone-else' }),
        await issuer.mint({ clientId: 'another-client' }),
        await issuer.mint({ scope: 'other.scope' }),
        await issuer.mint({ expiresInSeconds: -3600 }),
        await stranger.mint(),
      ];
      for (const token of tokens) {
        const lines = await authorizerLogLines(verifier, `Bearer ${token}`);
        expect(lines.length).toBeGreaterThan(0);
        expect(lines.filter((line) => failures.matches(line))).toEqual([]);
      }
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('the access-log filter matches authorizer 500s and not refusals', () => {
    const access = (errorType: string) =>
      JSON.stringify({ status: errorType.startsWith('AUTH') ? 500 : 401, errorType });
    expect(crashes.matches(access('AUTHORIZER_FAILURE'))).toBe(true);
    expect(crashes.matches(access('AUTHORIZER_CONFIGURATION_ERROR'))).toBe(true);
    expect(crashes.matches(access('UNAUTHORIZED'))).toBe(false);
    expect(crashes.matches(access('ACCESS_DENIED'))).toBe(false);
    // The access log's format must carry the field the filter reads.
    const format = (props('HookApi').AccessLogSetting as { Format: string }).Format;
    expect(format).toContain('"errorType":"$context.error.responseType"');
  });
});
