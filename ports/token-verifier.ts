import type { TokenClaims } from '../domain/token-claims-policy';

/** Verifies a bearer token's signature and claims. Throws TokenRejectedError (domain) when it does not pass. */
export interface TokenVerifier {
  verify(token: string): Promise<TokenClaims>;
}
