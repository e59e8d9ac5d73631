/**
 * The floor under issue 10's authorizer init budget: jose's verifier, and Node's https client that any
 * authorizer needs to fetch Okta's key set (loaded, not called), and nothing of otp-courier (no logger, no
 * configuration, no key-set cache). jose's own remote key set is not used: it loads Node's fetch (undici)
 * at import, which is why the authorizer fetches keys over node:https.
 */
import { request } from 'node:https';
import { createLocalJWKSet, jwtVerify } from 'jose';

const keys = createLocalJWKSet({ keys: [] });

export const handler = async (event: { authorizationToken?: string }): Promise<string> => {
  try {
    await jwtVerify(event.authorizationToken ?? '', keys);
    return 'Allow';
  } catch {
    // Where a real authorizer would fetch the key set again; the floor only keeps the client loaded.
    return typeof request === 'function' ? 'Deny' : 'Deny (no https client)';
  }
};
