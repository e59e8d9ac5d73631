/** Which claim names the calling client: Okta says `cid`, Auth0 `azp`, RFC 9068 and Cognito `client_id`. */
export type ClientClaim = 'cid' | 'azp' | 'client_id';

/** How the scopes are carried: Okta's `scp` array, or RFC 8693's space-separated `scope` string. */
export type ScopeClaim = 'scp' | 'scope';

/** The claims of an access token that passed the policy; the scopes are always normalised to an array. */
export interface TokenClaims {
  iss: string;
  aud: string | string[];
  sub: string;
  /** The calling client's id, read from the policy's client claim (`cid` for Okta). */
  cid?: string;
  scp: string[];
  exp: number;
  iat: number;
  nbf?: number;
  jti?: string;
}

/** What a hook call's token must prove. Times are in seconds, like JWT NumericDate. */
export interface TokenPolicy {
  issuer: string;
  audience: string;
  /** The API Services client(s) of the hook. Empty means no client is allowed: fail closed. */
  clientIds: readonly string[];
  /** The custom scope the hook's client is granted; without it any token of the server would pass. */
  scope: string;
  clockSkewSeconds: number;
  maxTokenAgeSeconds?: number;
  /** The IdP profile's client claim; `cid` (Okta) when absent. */
  clientClaim?: ClientClaim;
  /** The IdP profile's scope claim; `scp` (Okta) when absent. */
  scopeClaim?: ScopeClaim;
  /**
   * When set, the token's `gty` must be exactly this. Auth0 writes the grant that issued an access token
   * there; the phone provider's Action uses client credentials, so a token a user obtained for the same
   * API (a password or authorization-code grant) does not pass even if its `azp` were allowed.
   */
  grantType?: string;
}

export type TokenClaimsDecision = { ok: true; claims: TokenClaims } | { ok: false; reason: string };

const MAX_CLAIM_LENGTH = 1024;

function isShortString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_CLAIM_LENGTH;
}

function isNumericDate(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

/**
 * Okta sends `scp` as an array (a string is accepted there too, as before); RFC 8693's `scope` is a
 * space-separated string and nothing else.
 */
function readScopes(payload: Record<string, unknown>, claim: ScopeClaim): string[] | undefined {
  const value = payload[claim];
  if (typeof value === 'string') return value.split(' ').filter((s) => s.length > 0);
  if (claim === 'scp' && Array.isArray(value) && value.every((s): s is string => typeof s === 'string'))
    return [...value];
  return undefined;
}

function readAudience(value: unknown): string | string[] | undefined {
  if (isShortString(value)) return value;
  if (Array.isArray(value) && value.length > 0 && value.every(isShortString)) return [...value];
  return undefined;
}

/**
 * Decides whether verified token claims authorise a hook call. The signature is the adapter's job;
 * this is the part that must hold whatever library checked the signature, so it is pure and
 * re-checks iss/aud/exp even though jose checks them too.
 */
export function evaluateTokenClaims(
  payload: Record<string, unknown>,
  policy: TokenPolicy,
  nowSeconds: number,
): TokenClaimsDecision {
  const skew = Math.max(0, policy.clockSkewSeconds);

  if (!isShortString(payload.iss) || payload.iss !== policy.issuer)
    return { ok: false, reason: 'wrong-issuer' };

  const aud = readAudience(payload.aud);
  const audOk = typeof aud === 'string' ? aud === policy.audience : aud?.includes(policy.audience) === true;
  if (aud === undefined || !audOk || policy.audience.length === 0)
    return { ok: false, reason: 'wrong-audience' };

  if (!isShortString(payload.sub)) return { ok: false, reason: 'missing-subject' };

  if (!isNumericDate(payload.exp)) return { ok: false, reason: 'invalid-exp' };
  if (payload.exp <= nowSeconds - skew) return { ok: false, reason: 'expired' };

  if (!isNumericDate(payload.iat)) return { ok: false, reason: 'invalid-iat' };
  if (payload.iat > nowSeconds + skew) return { ok: false, reason: 'issued-in-future' };
  if (
    policy.maxTokenAgeSeconds !== undefined &&
    nowSeconds - payload.iat > policy.maxTokenAgeSeconds + skew
  ) {
    return { ok: false, reason: 'too-old' };
  }

  if (payload.nbf !== undefined) {
    if (!isNumericDate(payload.nbf)) return { ok: false, reason: 'invalid-nbf' };
    if (payload.nbf > nowSeconds + skew) return { ok: false, reason: 'not-yet-valid' };
  }

  const client = payload[policy.clientClaim ?? 'cid'];
  if (!isShortString(client) || !policy.clientIds.includes(client)) {
    return { ok: false, reason: 'client-not-allowed' };
  }

  const scp = readScopes(payload, policy.scopeClaim ?? 'scp');
  if (scp === undefined) return { ok: false, reason: 'invalid-scope' };
  if (policy.scope.length === 0 || !scp.includes(policy.scope)) return { ok: false, reason: 'missing-scope' };

  if (policy.grantType !== undefined && payload.gty !== policy.grantType) {
    return { ok: false, reason: 'wrong-grant-type' };
  }

  if (payload.jti !== undefined && !isShortString(payload.jti)) return { ok: false, reason: 'invalid-jti' };

  const claims: TokenClaims = {
    iss: payload.iss,
    aud,
    sub: payload.sub,
    cid: client,
    scp,
    exp: payload.exp,
    iat: payload.iat,
  };
  if (payload.nbf !== undefined) claims.nbf = payload.nbf;
  if (payload.jti !== undefined) claims.jti = payload.jti;
  return { ok: true, claims };
}
