/**
 * The floor under issue 10's authorizer init budget: jose's verifier over a key set held in memory, and
 * nothing of otp-courier (no key fetching, no logger, no configuration). jose's own remote key set is not
 * used: it loads Node's fetch (undici) at import, which is why the authorizer fetches keys over node:http.
 */
import { createLocalJWKSet, jwtVerify } from 'jose';

const keys = createLocalJWKSet({ keys: [] });

export const handler = async (event: { authorizationToken?: string }): Promise<string> => {
  try {
    await jwtVerify(event.authorizationToken ?? '', keys);
    return 'Allow';
  } catch {
    return 'Deny';
  }
};
