import type { ClientClaim, ScopeClaim } from '../../domain/token-claims-policy';

/**
 * How one IdP's access tokens say who calls and with which scopes, and where its settings live in the
 * environment. The authorizer is IdP-neutral: TOKEN_PROFILE names the profile, and the profile's own
 * variables (OKTA_ISSUER, AUTH0_ISSUER, …) configure it.
 */
export interface TokenProfile {
  /** How messages name the IdP. */
  readonly label: string;
  /** Prefix of the profile's variables: `${envPrefix}_ISSUER`, `_AUDIENCE`, `_CLIENT_IDS`, … */
  readonly envPrefix: string;
  readonly clientClaim: ClientClaim;
  readonly scopeClaim: ScopeClaim;
  /** The `gty` a token of this profile must carry, when the IdP writes one. */
  readonly grantType?: string;
  /** The issuer as the `iss` claim spells it, from the configured value. */
  issuer(configured: string): string;
  /** Where the signing keys are when no JWKS URL is configured. */
  jwksUrl(issuer: string): string;
  readonly issuerHint: string;
}

export const TOKEN_PROFILES = {
  /** Okta custom authorization server: `cid`, `scp` array, keys at {issuer}/v1/keys, no trailing slash. */
  okta: {
    label: 'Okta',
    envPrefix: 'OKTA',
    clientClaim: 'cid',
    scopeClaim: 'scp',
    issuer: (configured) => configured.replace(/\/+$/, ''),
    jwksUrl: (issuer) => `${issuer}/v1/keys`,
    issuerHint: 'your custom authorization server, https://{org}/oauth2/{id}',
  },
  /**
   * Auth0 client-credentials access token: `azp` names the application, `scope` is space-separated, and
   * the issuer is the tenant URL with its trailing slash (`https://{tenant}/`), as Auth0 writes `iss`.
   */
  auth0: {
    label: 'Auth0',
    envPrefix: 'AUTH0',
    clientClaim: 'azp',
    scopeClaim: 'scope',
    // Auth0's `gty`: the Action obtains its token with the client-credentials grant, nothing else does.
    grantType: 'client-credentials',
    issuer: (configured) => `${configured.replace(/\/+$/, '')}/`,
    jwksUrl: (issuer) => `${issuer}.well-known/jwks.json`,
    issuerHint: 'your tenant, https://{tenant}/',
  },
} as const satisfies Record<string, TokenProfile>;

export type TokenProfileName = keyof typeof TOKEN_PROFILES;
export const TOKEN_PROFILE_NAMES = Object.keys(TOKEN_PROFILES) as TokenProfileName[];
