import { createHash, timingSafeEqual } from 'node:crypto';
import { TokenRejectedError } from '../../domain/errors';
import type { TokenClaims } from '../../domain/token-claims-policy';
import type { TokenVerifier } from '../../ports/token-verifier';

export interface HeaderSecretVerifierSettings {
  /** The value configured in Okta's "HTTP header" authentication for the hook. */
  secret: string;
  /** Epoch milliseconds; defaults to Date.now. */
  now?: () => number;
}

/** Shorter secrets are guessable; refuse to start rather than run with one. */
export const MIN_HEADER_SECRET_LENGTH = 16;

const SYNTHETIC_TTL_SECONDS = 60;

// The authorizer strips an optional "Bearer " before verifying; strip it here too so a secret
// configured as "Bearer xyz" still matches what arrives.
function stripBearer(value: string): string {
  return value.replace(/^bearer\s+/i, '');
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * Okta's "HTTP header" authentication mode: a fixed shared secret. Both sides are hashed first so
 * timingSafeEqual always compares 32 bytes and the secret's length does not leak through timing.
 */
export class HeaderSecretVerifier implements TokenVerifier {
  private readonly expected: Buffer;
  private readonly now: () => number;

  constructor(settings: HeaderSecretVerifierSettings) {
    const secret = stripBearer(settings.secret.trim());
    if (secret.length < MIN_HEADER_SECRET_LENGTH) {
      throw new Error(`header secret must be at least ${MIN_HEADER_SECRET_LENGTH} characters`);
    }
    this.expected = digest(secret);
    this.now = settings.now ?? Date.now;
  }

  async verify(token: string): Promise<TokenClaims> {
    const presented = digest(typeof token === 'string' ? stripBearer(token) : '');
    if (!timingSafeEqual(presented, this.expected)) throw new TokenRejectedError('wrong-secret');
    const nowSeconds = Math.floor(this.now() / 1000);
    // Synthetic: there is no token, but callers handle one claims shape for both auth modes.
    return {
      iss: 'okta-http-header',
      aud: 'otp-courier',
      sub: 'okta-telephony-hook',
      cid: 'okta-http-header',
      scp: [],
      iat: nowSeconds,
      exp: nowSeconds + SYNTHETIC_TTL_SECONDS,
    };
  }
}
