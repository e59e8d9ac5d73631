import * as v from 'valibot';
import { isLoopbackHost } from '../../adapters/okta/jwks-over-http';
import type { TokenPolicy } from '../../domain/token-claims-policy';
import {
  ConfigError,
  type Env,
  integer,
  type LogLevelName,
  list,
  logLevel,
  readEnv,
  text,
} from './env-readers';

export type AuthMode = 'oauth' | 'header-secret';

export type AuthorizerConfig =
  | {
      readonly mode: 'oauth';
      readonly policy: TokenPolicy;
      readonly jwksUrl: string;
      /**
       * How long a fetched key set is trusted before it is fetched again; a verified token is never
       * remembered longer than the key set that verified it. See `keyRevocationWindow`.
       */
      readonly keySetMaxAgeMs: number;
      /** KEY_REVOCATION_WINDOW_SECONDS: key-set age plus API Gateway's authorizer cache TTL. */
      readonly keyRevocationWindowMs: number;
      /** Local development only: issuer and JWKS may be http:// on a loopback address. */
      readonly allowLoopbackHttp: boolean;
      readonly logLevel: LogLevelName;
    }
  | { readonly mode: 'header-secret'; readonly secret: string; readonly logLevel: LogLevelName };

/**
 * A key Okta removes from its JWKS is trusted for at most this long, everything included: the
 * authorizer keeps a fetched key set (and the tokens it verified) for the window minus API Gateway's
 * authorizer cache TTL, and API Gateway may then serve a cached Allow for that TTL.
 */
export const DEFAULT_KEY_REVOCATION_WINDOW_SECONDS = 300;
/** Refetching keys more often than this is pointless load on Okta (it is also the unknown-kid cooldown). */
export const MIN_KEY_SET_MAX_AGE_SECONDS = 30;
const MIN_HEADER_SECRET_LENGTH = 24;

const OAUTH_VARIABLES = ['OKTA_ISSUER', 'OKTA_AUDIENCE', 'OKTA_JWKS_URL', 'OKTA_CLIENT_IDS', 'OKTA_SCOPE'];

const authMode = () =>
  v.pipe(
    text(),
    v.transform((value) => value?.toLowerCase()),
    v.optional(v.picklist(['oauth', 'header-secret'] as const, 'must be oauth or header-secret')),
  );

const flag = () =>
  v.pipe(
    text('false'),
    v.transform((value) => (value ?? 'false').toLowerCase()),
    v.picklist(['true', 'false'] as const, 'must be true or false'),
    v.transform((value) => value === 'true'),
  );

/**
 * Okta authenticates the hook call either with an OAuth 2.0 access token (preferred) or with a fixed
 * header secret. AUTH_MODE chooses, always explicitly: a configuration that sets both, or names one
 * mode and configures the other, is refused rather than resolved silently.
 */
export function loadAuthorizerConfig(env: Env): AuthorizerConfig {
  const raw = readEnv(env, {
    AUTH_MODE: authMode(),
    OKTA_ISSUER: text(),
    OKTA_AUDIENCE: text(),
    OKTA_JWKS_URL: text(),
    OKTA_CLIENT_IDS: list(),
    OKTA_SCOPE: text(),
    OKTA_HOOK_SECRET: text(),
    OKTA_CLOCK_SKEW_SECONDS: integer(30, 0, 300),
    OKTA_ALLOW_LOOPBACK_HTTP: flag(),
    KEY_REVOCATION_WINDOW_SECONDS: integer(DEFAULT_KEY_REVOCATION_WINDOW_SECONDS, 60, 3600),
    AUTHORIZER_RESULT_TTL_SECONDS: integer(0, 0, 3600),
    LOG_LEVEL: logLevel(),
  });
  const oauthSet = OAUTH_VARIABLES.filter((name) => (env[name] ?? '').trim() !== '');

  if (raw.AUTH_MODE === undefined) {
    const both = oauthSet.length > 0 && raw.OKTA_HOOK_SECRET !== undefined;
    throw new ConfigError([
      `AUTH_MODE is required: oauth (Okta's OAuth 2.0 access token, recommended) or header-secret${
        both ? ` (both ${oauthSet.join(', ')} and OKTA_HOOK_SECRET are set: say which one Okta uses)` : ''
      }`,
    ]);
  }

  if (raw.AUTH_MODE === 'header-secret') {
    const problems: string[] = [];
    if (oauthSet.length > 0) {
      problems.push(
        `AUTH_MODE is header-secret, but ${oauthSet.join(', ')} ${oauthSet.length === 1 ? 'is' : 'are'} set: those configure OAuth; unset them`,
      );
    }
    if (raw.OKTA_HOOK_SECRET === undefined) {
      problems.push("OKTA_HOOK_SECRET is required (the value of Okta's HTTP header authentication)");
    } else if (raw.OKTA_HOOK_SECRET.length < MIN_HEADER_SECRET_LENGTH) {
      problems.push(`OKTA_HOOK_SECRET must be at least ${MIN_HEADER_SECRET_LENGTH} characters`);
    }
    if (problems.length > 0 || raw.OKTA_HOOK_SECRET === undefined) throw new ConfigError(problems);
    return { mode: 'header-secret', secret: raw.OKTA_HOOK_SECRET, logLevel: raw.LOG_LEVEL };
  }

  const problems: string[] = [];
  if (raw.OKTA_HOOK_SECRET !== undefined) {
    problems.push(
      'AUTH_MODE is oauth, but OKTA_HOOK_SECRET is set: a secret that is never checked misleads; unset it',
    );
  }
  if (!raw.OKTA_ISSUER)
    problems.push('OKTA_ISSUER is required (your custom authorization server, https://{org}/oauth2/{id})');
  if (!raw.OKTA_AUDIENCE) problems.push("OKTA_AUDIENCE is required (the authorization server's audience)");
  if (raw.OKTA_CLIENT_IDS.length === 0)
    problems.push("OKTA_CLIENT_IDS is required (the hook's API Services client id)");
  if (!raw.OKTA_SCOPE) problems.push('OKTA_SCOPE is required (the custom scope Okta requests for the hook)');
  const issuer = raw.OKTA_ISSUER?.replace(/\/+$/, '');
  const jwksUrl = raw.OKTA_JWKS_URL ?? (issuer ? `${issuer}/v1/keys` : undefined);
  for (const [name, url] of [
    ['OKTA_ISSUER', issuer],
    ['OKTA_JWKS_URL', raw.OKTA_JWKS_URL],
  ] as const) {
    const problem = url === undefined ? undefined : urlProblem(url, raw.OKTA_ALLOW_LOOPBACK_HTTP);
    if (problem) problems.push(`${name} ${problem}`);
  }
  const keySetMaxAgeSeconds = raw.KEY_REVOCATION_WINDOW_SECONDS - raw.AUTHORIZER_RESULT_TTL_SECONDS;
  if (keySetMaxAgeSeconds < MIN_KEY_SET_MAX_AGE_SECONDS) {
    problems.push(
      `AUTHORIZER_RESULT_TTL_SECONDS (${raw.AUTHORIZER_RESULT_TTL_SECONDS}) must be at most KEY_REVOCATION_WINDOW_SECONDS (${raw.KEY_REVOCATION_WINDOW_SECONDS}) minus ${MIN_KEY_SET_MAX_AGE_SECONDS}: the authorizer needs that long to trust a fetched key set, and a removed key must stop working within the window`,
    );
  }
  if (problems.length > 0 || !issuer || !jwksUrl || !raw.OKTA_AUDIENCE || !raw.OKTA_SCOPE)
    throw new ConfigError(problems);
  return {
    mode: 'oauth',
    policy: {
      issuer,
      audience: raw.OKTA_AUDIENCE,
      clientIds: raw.OKTA_CLIENT_IDS,
      scope: raw.OKTA_SCOPE,
      clockSkewSeconds: raw.OKTA_CLOCK_SKEW_SECONDS,
    },
    jwksUrl,
    keySetMaxAgeMs: keySetMaxAgeSeconds * 1000,
    keyRevocationWindowMs: raw.KEY_REVOCATION_WINDOW_SECONDS * 1000,
    allowLoopbackHttp: raw.OKTA_ALLOW_LOOPBACK_HTTP,
    logLevel: raw.LOG_LEVEL,
  };
}

/** Why `value` may not be where signing keys come from; undefined when it may. */
export function urlProblem(value: string, allowLoopbackHttp: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an https URL';
  }
  if (url.username || url.password) return 'must not carry credentials';
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && allowLoopbackHttp && isLoopbackHost(url.hostname)) return undefined;
  if (url.protocol === 'http:') {
    // Keys fetched in clear can be swapped by anyone on the path, and then any token passes.
    return allowLoopbackHttp
      ? 'must be https (OKTA_ALLOW_LOOPBACK_HTTP allows http:// on 127.0.0.1, ::1 and localhost only)'
      : 'must be https (http:// lets anyone on the path swap the signing keys)';
  }
  return 'must be an https URL';
}

/**
 * OAuth settings for the local stack's own dev issuer (and benchmarks): the explicit local mode, where
 * the issuer serves its JWKS over http on 127.0.0.1 and no API Gateway cache stands in front.
 */
export function localDevOAuthConfig(settings: {
  policy: TokenPolicy;
  jwksUrl: string;
  logLevel: LogLevelName;
}): Extract<AuthorizerConfig, { mode: 'oauth' }> {
  const problem = urlProblem(settings.jwksUrl, true);
  if (problem) throw new ConfigError([`the dev issuer's JWKS URL ${problem}`]);
  return {
    mode: 'oauth',
    ...settings,
    keySetMaxAgeMs: DEFAULT_KEY_REVOCATION_WINDOW_SECONDS * 1000,
    keyRevocationWindowMs: DEFAULT_KEY_REVOCATION_WINDOW_SECONDS * 1000,
    allowLoopbackHttp: true,
  };
}
