import type { TokenPolicy } from '../../domain/token-claims-policy';
import {
  ConfigError,
  type Env,
  httpUrl,
  integer,
  type LogLevelName,
  list,
  logLevel,
  readEnv,
  text,
} from './env-readers';

export type AuthorizerConfig =
  | {
      readonly mode: 'jwt';
      readonly policy: TokenPolicy;
      readonly jwksUrl: string;
      readonly logLevel: LogLevelName;
    }
  | { readonly mode: 'header-secret'; readonly secret: string; readonly logLevel: LogLevelName };

/**
 * Okta authenticates the hook call either with an OAuth 2.0 access token (preferred) or with a
 * fixed header secret. OKTA_HOOK_SECRET selects the latter; otherwise every OKTA_* token setting is required.
 */
export function loadAuthorizerConfig(env: Env): AuthorizerConfig {
  const raw = readEnv(env, {
    OKTA_ISSUER: httpUrl(),
    OKTA_AUDIENCE: text(),
    OKTA_JWKS_URL: httpUrl(),
    OKTA_CLIENT_IDS: list(),
    OKTA_SCOPE: text(),
    OKTA_HOOK_SECRET: text(),
    OKTA_CLOCK_SKEW_SECONDS: integer(30, 0, 300),
    LOG_LEVEL: logLevel(),
  });
  if (raw.OKTA_HOOK_SECRET !== undefined) {
    if (raw.OKTA_HOOK_SECRET.length < 24)
      throw new ConfigError(['OKTA_HOOK_SECRET must be at least 24 characters']);
    return { mode: 'header-secret', secret: raw.OKTA_HOOK_SECRET, logLevel: raw.LOG_LEVEL };
  }
  const problems: string[] = [];
  if (!raw.OKTA_ISSUER)
    problems.push('OKTA_ISSUER is required (your custom authorization server, https://{org}/oauth2/{id})');
  if (!raw.OKTA_AUDIENCE) problems.push("OKTA_AUDIENCE is required (the authorization server's audience)");
  if (raw.OKTA_CLIENT_IDS.length === 0)
    problems.push("OKTA_CLIENT_IDS is required (the hook's API Services client id)");
  if (!raw.OKTA_SCOPE) problems.push('OKTA_SCOPE is required (the custom scope Okta requests for the hook)');
  if (problems.length > 0 || !raw.OKTA_ISSUER || !raw.OKTA_AUDIENCE || !raw.OKTA_SCOPE)
    throw new ConfigError(problems);
  const issuer = raw.OKTA_ISSUER.replace(/\/+$/, '');
  return {
    mode: 'jwt',
    policy: {
      issuer,
      audience: raw.OKTA_AUDIENCE,
      clientIds: raw.OKTA_CLIENT_IDS,
      scope: raw.OKTA_SCOPE,
      clockSkewSeconds: raw.OKTA_CLOCK_SKEW_SECONDS,
    },
    jwksUrl: raw.OKTA_JWKS_URL ?? `${issuer}/v1/keys`,
    logLevel: raw.LOG_LEVEL,
  };
}
