import { decodeProtectedHeader, errors, type JWTVerifyGetKey, jwtVerify } from 'jose';
import { TokenRejectedError } from '../../domain/errors';
import type { TokenClaims, TokenPolicy } from '../../domain/token-claims-policy';
import { evaluateTokenClaims } from '../../domain/token-claims-policy';
import type { TokenVerifier } from '../../ports/token-verifier';
import { createJwksOverHttp, isLoopbackHost, type JwksOverHttp } from './jwks-over-http';

export interface JoseTokenVerifierSettings {
  policy: TokenPolicy;
  /** Okta custom authorization server: `{issuer}/v1/keys`. https only (see allowLoopbackHttp). */
  jwksUrl: string;
  /**
   * How long a fetched key set, and every token it verified, is trusted; default 5 minutes. A key Okta
   * removes from its JWKS stops being accepted here within this time (the configuration derives it from
   * the promised revocation window minus API Gateway's authorizer cache TTL).
   */
  keySetMaxAgeMs?: number;
  /** Local development only: accept an http:// JWKS on a loopback address. */
  allowLoopbackHttp?: boolean;
  /** Epoch milliseconds (same unit as the Clock port); defaults to Date.now. */
  now?: () => number;
}

// Okta access tokens are ~1 KB; anything far bigger is not one and is not worth decoding.
const MAX_TOKEN_LENGTH = 8 * 1024;

/**
 * Okta reuses one access token for every hook call until it nears expiry, so a token whose signature
 * was verified is remembered: the RS256 check (WebCrypto, ~0.2 ms p50 and ~1 ms p99 on the thread pool)
 * then runs once per token instead of once per call. The claims policy (exp, nbf, iss, aud, cid, scp) is
 * still evaluated on every call. A remembered token never outlives the key set that verified it, so a
 * key Okta removes stops being trusted within the key set's maximum age, not that plus this cache's.
 */
const DEFAULT_KEY_SET_MAX_AGE_MS = 300_000;
const VERIFIED_TOKEN_MAX_ENTRIES = 256;

/** Maps jose failures to short reasons that are safe to log (jose messages can quote claim values). */
function reasonOf(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    switch (error.claim) {
      case 'iss':
        return 'wrong-issuer';
      case 'aud':
        return 'wrong-audience';
      case 'nbf':
        return 'not-yet-valid';
      case 'iat':
        return 'invalid-iat';
      default:
        return 'invalid-claims';
    }
  }
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported)
    return 'unsupported-alg';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'bad-signature';
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) {
    return 'unknown-key';
  }
  if (error instanceof errors.JWKSTimeout) return 'jwks-timeout';
  if (error instanceof errors.JWKSInvalid) return 'jwks-invalid';
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) return 'malformed-token';
  if (error instanceof errors.JOSEError) return 'invalid-token';
  // fetch() failures (DNS, refused connection, non-JSON) while loading the key set.
  return 'jwks-unavailable';
}

/**
 * Verifies Okta's OAuth 2.0 access token for the hook call: RS256 only, a `kid` from the issuer's
 * JWKS, then the pure claims policy (cid and scope included, which jose does not know about).
 */
export class JoseTokenVerifier implements TokenVerifier {
  // One key set per instance so keys are fetched once and reused across warm Lambda invocations.
  private readonly jwks: JwksOverHttp;
  private readonly policy: TokenPolicy;
  private readonly now: () => number;
  private readonly keySetMaxAgeMs: number;
  private readonly verified = new Map<
    string,
    { readonly payload: Record<string, unknown>; readonly trustedUntil: number }
  >();

  constructor(settings: JoseTokenVerifierSettings) {
    this.policy = settings.policy;
    this.now = settings.now ?? Date.now;
    const url = new URL(settings.jwksUrl);
    // Keys fetched in clear can be swapped by anyone on the path, and then every forged token passes.
    if (
      url.protocol !== 'https:' &&
      !(settings.allowLoopbackHttp && url.protocol === 'http:' && isLoopbackHost(url.hostname))
    ) {
      throw new Error(
        'the JWKS URL must be https (http:// only on a loopback address, in local development)',
      );
    }
    this.jwks = createJwksOverHttp(url, {
      cacheMaxAgeMs: settings.keySetMaxAgeMs ?? DEFAULT_KEY_SET_MAX_AGE_MS,
      // A token with an unknown kid may trigger a refetch at most every 30 s: a stream of forged
      // kids cannot turn us into a load generator against Okta.
      cooldownMs: 30 * 1000,
      // Okta gives the whole hook 3 s; a slow key fetch must fail fast.
      timeoutMs: 1500,
      now: this.now,
    });
    this.keySetMaxAgeMs = settings.keySetMaxAgeMs ?? DEFAULT_KEY_SET_MAX_AGE_MS;
  }

  async verify(token: string): Promise<TokenClaims> {
    if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) {
      throw new TokenRejectedError('malformed-token');
    }

    const remembered = this.verified.get(token);
    if (remembered && this.now() < remembered.trustedUntil) {
      return this.decide(token, remembered.payload, this.now());
    }
    this.verified.delete(token);

    // Checked before any key lookup so `alg: none`, HS256 and kid-less tokens never reach the JWKS.
    let header: ReturnType<typeof decodeProtectedHeader>;
    try {
      header = decodeProtectedHeader(token);
    } catch {
      throw new TokenRejectedError('malformed-token');
    }
    if (header.alg !== 'RS256') throw new TokenRejectedError('unsupported-alg');
    if (typeof header.kid !== 'string' || header.kid.length === 0)
      throw new TokenRejectedError('missing-kid');

    const nowMs = this.now();
    let payload: Record<string, unknown>;
    // When the key set that verified this token was fetched: the token is trusted as long as that set.
    let keySetFetchedAt = Number.NEGATIVE_INFINITY;
    const getKey: JWTVerifyGetKey = async (protectedHeader, flattened) => {
      const { key, fetchedAt } = await this.jwks.withFetchTime(protectedHeader, flattened);
      keySetFetchedAt = fetchedAt;
      return key;
    };
    try {
      const verified = await jwtVerify(token, getKey, {
        algorithms: ['RS256'],
        issuer: this.policy.issuer,
        audience: this.policy.audience,
        clockTolerance: this.policy.clockSkewSeconds,
        currentDate: new Date(nowMs),
        ...(this.policy.maxTokenAgeSeconds !== undefined
          ? { maxTokenAge: this.policy.maxTokenAgeSeconds }
          : {}),
      });
      payload = verified.payload;
    } catch (error) {
      throw new TokenRejectedError(reasonOf(error));
    }

    if (this.verified.size >= VERIFIED_TOKEN_MAX_ENTRIES) this.verified.clear();
    this.verified.set(token, { payload, trustedUntil: keySetFetchedAt + this.keySetMaxAgeMs });
    return this.decide(token, payload, nowMs);
  }

  private decide(token: string, payload: Record<string, unknown>, nowMs: number): TokenClaims {
    const decision = evaluateTokenClaims(payload, this.policy, Math.floor(nowMs / 1000));
    if (!decision.ok) {
      this.verified.delete(token);
      throw new TokenRejectedError(decision.reason);
    }
    return decision.claims;
  }
}
