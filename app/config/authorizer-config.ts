import { isLoopbackHost } from '../../adapters/okta/jwks-over-http';
import type { TokenPolicy } from '../../domain/token-claims-policy';
import { ConfigError, type Env, type LogLevelName } from './env-readers';
import { EnvProblems, plainChoice, plainInteger, plainList, plainText } from './plain-env-readers';
import {
  TOKEN_PROFILE_NAMES,
  TOKEN_PROFILES,
  type TokenProfile,
  type TokenProfileName,
} from './token-profiles';

/**
 * `disabled`: the authorizer of an optional IdP's route that is switched off (template.yaml's
 * EnableAuth0 "false"): it refuses every call, so the route exists but nothing reaches the hook.
 */
export type AuthMode = 'oauth' | 'header-secret' | 'disabled';

export type AuthorizerConfig =
  | {
      readonly mode: 'oauth';
      /** TOKEN_PROFILE: which IdP's tokens (claims, variables); `okta` when unset. */
      readonly profile?: TokenProfileName;
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
  | { readonly mode: 'header-secret'; readonly secret: string; readonly logLevel: LogLevelName }
  | { readonly mode: 'disabled'; readonly profile: TokenProfileName; readonly logLevel: LogLevelName };

/**
 * A key Okta removes from its JWKS is trusted for at most this long, everything included: the
 * authorizer keeps a fetched key set (and the tokens it verified) for the window minus API Gateway's
 * authorizer cache TTL, and API Gateway may then serve a cached Allow for that TTL.
 */
export const DEFAULT_KEY_REVOCATION_WINDOW_SECONDS = 300;
/** Refetching keys more often than this is pointless load on Okta (it is also the unknown-kid cooldown). */
export const MIN_KEY_SET_MAX_AGE_SECONDS = 30;
const MIN_HEADER_SECRET_LENGTH = 24;

const OAUTH_SETTINGS = ['ISSUER', 'AUDIENCE', 'JWKS_URL', 'CLIENT_IDS', 'SCOPE'];

/**
 * Okta authenticates the hook call either with an OAuth 2.0 access token (preferred) or with a fixed
 * header secret. AUTH_MODE chooses, always explicitly: a configuration that sets both, or names one
 * mode and configures the other, is refused rather than resolved silently.
 */
export function loadAuthorizerConfig(env: Env): AuthorizerConfig {
  // The authorizer reads its variables with plain-env-readers.ts (the same values and messages as
  // env-readers.ts's valibot readers, without valibot's cost at every cold start).
  // TOKEN_PROFILE names the IdP whose tokens the authorizer accepts (the stack sets it); unset means
  // okta, the profile of every deployment made before there was a choice.
  const profileProblems = new EnvProblems();
  const profileName = plainChoice(
    env,
    'TOKEN_PROFILE',
    profileProblems,
    TOKEN_PROFILE_NAMES,
    `must be one of ${TOKEN_PROFILE_NAMES.join(', ')}`,
    (value) => value.toLowerCase(),
    'okta',
  );
  if (profileName === undefined) throw new ConfigError(profileProblems.list);
  const profile: TokenProfile = TOKEN_PROFILES[profileName];
  const P = profile.envPrefix;
  const idp = profile.label;
  // In the order valibot's object schema reported them: every variable's problem at once.
  const read = new EnvProblems();
  const lower = (value: string) => value.toLowerCase();
  const raw = {
    AUTH_MODE: plainChoice<AuthMode>(
      env,
      'AUTH_MODE',
      read,
      ['oauth', 'header-secret', 'disabled'],
      'must be oauth, header-secret or disabled',
      lower,
    ),
    [`${P}_ISSUER`]: plainText(env, `${P}_ISSUER`),
    [`${P}_AUDIENCE`]: plainText(env, `${P}_AUDIENCE`),
    [`${P}_JWKS_URL`]: plainText(env, `${P}_JWKS_URL`),
    [`${P}_CLIENT_IDS`]: plainList(env, `${P}_CLIENT_IDS`),
    [`${P}_SCOPE`]: plainText(env, `${P}_SCOPE`),
    [`${P}_HOOK_SECRET`]: plainText(env, `${P}_HOOK_SECRET`),
    [`${P}_CLOCK_SKEW_SECONDS`]: plainInteger(env, `${P}_CLOCK_SKEW_SECONDS`, read, 30, 0, 300),
    [`${P}_ALLOW_LOOPBACK_HTTP`]:
      plainChoice(
        env,
        `${P}_ALLOW_LOOPBACK_HTTP`,
        read,
        ['true', 'false'],
        'must be true or false',
        lower,
        'false',
      ) === 'true',
    KEY_REVOCATION_WINDOW_SECONDS: plainInteger(
      env,
      'KEY_REVOCATION_WINDOW_SECONDS',
      read,
      DEFAULT_KEY_REVOCATION_WINDOW_SECONDS,
      60,
      3600,
    ),
    AUTHORIZER_RESULT_TTL_SECONDS: plainInteger(env, 'AUTHORIZER_RESULT_TTL_SECONDS', read, 0, 0, 3600),
    LOG_LEVEL: plainChoice<LogLevelName>(
      env,
      'LOG_LEVEL',
      read,
      ['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT'],
      'must be DEBUG, INFO, WARN, ERROR or SILENT',
      (value) => value.toUpperCase(),
      'INFO',
    ),
  } as {
    AUTH_MODE: AuthMode | undefined;
    KEY_REVOCATION_WINDOW_SECONDS: number;
    AUTHORIZER_RESULT_TTL_SECONDS: number;
    LOG_LEVEL: LogLevelName;
  } & Record<string, unknown>;
  if (read.list.length > 0) throw new ConfigError(read.list);
  const setting = (name: string) => raw[`${P}_${name}`] as string | undefined;
  const issuerSetting = setting('ISSUER');
  const audience = setting('AUDIENCE');
  const jwksSetting = setting('JWKS_URL');
  const clientIds = raw[`${P}_CLIENT_IDS`] as string[];
  const scope = setting('SCOPE');
  const secret = setting('HOOK_SECRET');
  const allowLoopbackHttp = raw[`${P}_ALLOW_LOOPBACK_HTTP`] as boolean;
  const oauthSet = OAUTH_SETTINGS.map((name) => `${P}_${name}`).filter(
    (name) => (env[name] ?? '').trim() !== '',
  );

  if (raw.AUTH_MODE === undefined) {
    const both = oauthSet.length > 0 && secret !== undefined;
    throw new ConfigError([
      `AUTH_MODE is required: oauth (${idp}'s OAuth 2.0 access token, recommended) or header-secret${
        both ? ` (both ${oauthSet.join(', ')} and ${P}_HOOK_SECRET are set: say which one ${idp} uses)` : ''
      }`,
    ]);
  }

  if (raw.AUTH_MODE === 'disabled') {
    const configured = [...oauthSet, ...(secret !== undefined ? [`${P}_HOOK_SECRET`] : [])];
    if (configured.length > 0) {
      throw new ConfigError([
        `AUTH_MODE is disabled, but ${configured.join(', ')} ${configured.length === 1 ? 'is' : 'are'} set: a configuration that is never used misleads; unset it or choose oauth`,
      ]);
    }
    return { mode: 'disabled', profile: profileName, logLevel: raw.LOG_LEVEL };
  }

  if (raw.AUTH_MODE === 'header-secret') {
    const problems: string[] = [];
    if (oauthSet.length > 0) {
      problems.push(
        `AUTH_MODE is header-secret, but ${oauthSet.join(', ')} ${oauthSet.length === 1 ? 'is' : 'are'} set: those configure OAuth; unset them`,
      );
    }
    if (secret === undefined) {
      problems.push(`${P}_HOOK_SECRET is required (the value of ${idp}'s HTTP header authentication)`);
    } else if (secret.length < MIN_HEADER_SECRET_LENGTH) {
      problems.push(`${P}_HOOK_SECRET must be at least ${MIN_HEADER_SECRET_LENGTH} characters`);
    }
    if (problems.length > 0 || secret === undefined) throw new ConfigError(problems);
    return { mode: 'header-secret', secret, logLevel: raw.LOG_LEVEL };
  }

  const problems: string[] = [];
  if (secret !== undefined) {
    problems.push(
      `AUTH_MODE is oauth, but ${P}_HOOK_SECRET is set: a secret that is never checked misleads; unset it`,
    );
  }
  if (!issuerSetting) problems.push(`${P}_ISSUER is required (${profile.issuerHint})`);
  if (!audience) problems.push(`${P}_AUDIENCE is required (the authorization server's audience)`);
  if (clientIds.length === 0)
    problems.push(
      `${P}_CLIENT_IDS is required (the ${profile.clientClaim === 'cid' ? "hook's API Services client id" : `client ids (${profile.clientClaim}) allowed to call`})`,
    );
  if (!scope) problems.push(`${P}_SCOPE is required (the custom scope ${idp} requests for the hook)`);
  const issuer = issuerSetting ? profile.issuer(issuerSetting) : undefined;
  const jwksUrl = jwksSetting ?? (issuer ? profile.jwksUrl(issuer) : undefined);
  for (const [name, url] of [
    [`${P}_ISSUER`, issuer],
    [`${P}_JWKS_URL`, jwksSetting],
  ] as const) {
    const problem = url === undefined ? undefined : urlProblem(url, allowLoopbackHttp, P);
    if (problem) problems.push(`${name} ${problem}`);
  }
  const keySetMaxAgeSeconds = raw.KEY_REVOCATION_WINDOW_SECONDS - raw.AUTHORIZER_RESULT_TTL_SECONDS;
  if (keySetMaxAgeSeconds < MIN_KEY_SET_MAX_AGE_SECONDS) {
    problems.push(
      `AUTHORIZER_RESULT_TTL_SECONDS (${raw.AUTHORIZER_RESULT_TTL_SECONDS}) must be at most KEY_REVOCATION_WINDOW_SECONDS (${raw.KEY_REVOCATION_WINDOW_SECONDS}) minus ${MIN_KEY_SET_MAX_AGE_SECONDS}: the authorizer needs that long to trust a fetched key set, and a removed key must stop working within the window`,
    );
  }
  if (problems.length > 0 || !issuer || !jwksUrl || !audience || !scope) throw new ConfigError(problems);
  return {
    mode: 'oauth',
    profile: profileName,
    policy: {
      issuer,
      audience,
      clientIds,
      scope,
      clockSkewSeconds: raw[`${P}_CLOCK_SKEW_SECONDS`] as number,
      clientClaim: profile.clientClaim,
      ...(profile.grantType !== undefined ? { grantType: profile.grantType } : {}),
      scopeClaim: profile.scopeClaim,
    },
    jwksUrl,
    keySetMaxAgeMs: keySetMaxAgeSeconds * 1000,
    keyRevocationWindowMs: raw.KEY_REVOCATION_WINDOW_SECONDS * 1000,
    allowLoopbackHttp,
    logLevel: raw.LOG_LEVEL,
  };
}

/** Why `value` may not be where signing keys come from; undefined when it may. */
export function urlProblem(
  value: string,
  allowLoopbackHttp: boolean,
  envPrefix = 'OKTA',
): string | undefined {
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
      ? `must be https (${envPrefix}_ALLOW_LOOPBACK_HTTP allows http:// on 127.0.0.1, ::1 and localhost only)`
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
