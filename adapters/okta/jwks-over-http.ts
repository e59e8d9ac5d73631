import { get as httpGet, type IncomingMessage } from 'node:http';
import { get as httpsGet } from 'node:https';
import { createLocalJWKSet, errors, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';

export interface JwksOverHttpSettings {
  /** How long a fetched key set is used before it is fetched again. */
  readonly cacheMaxAgeMs: number;
  /** An unknown kid refetches the set at most this often. */
  readonly cooldownMs: number;
  /** A key fetch that takes longer fails with JWKSTimeout. */
  readonly timeoutMs: number;
  /** Epoch milliseconds; defaults to Date.now. */
  readonly now?: () => number;
}

// Okta's key sets are a few KB; a far bigger answer is not one.
const MAX_JWKS_BYTES = 256 * 1024;

/**
 * jose's createRemoteJWKSet, with the same caching, cooldown and timeout, but fetching over node:http(s).
 * jose's version builds a `Headers` when it is created and uses `fetch`, and either makes Node load
 * undici: ~20 ms of the authorizer's ~40 ms module init here, plus more at the first fetch, on every
 * cold start (bench, issue 6). Keys are still selected and imported (and the imports cached) by
 * jose's createLocalJWKSet.
 */
export function createJwksOverHttp(url: URL, settings: JwksOverHttpSettings): JWTVerifyGetKey {
  const now = settings.now ?? Date.now;
  let local: JWTVerifyGetKey | undefined;
  let fetchedAt = Number.NEGATIVE_INFINITY;
  let pending: Promise<JWTVerifyGetKey> | undefined;

  // Concurrent cold requests share one fetch; a failed fetch keeps the previous set for the next try.
  const reload = (): Promise<JWTVerifyGetKey> => {
    pending ??= fetchJwks(url, settings.timeoutMs)
      .then((jwks) => {
        local = createLocalJWKSet(jwks);
        fetchedAt = now();
        return local;
      })
      .finally(() => {
        pending = undefined;
      });
    return pending;
  };

  return async (header, token) => {
    const keys = local !== undefined && now() - fetchedAt < settings.cacheMaxAgeMs ? local : await reload();
    try {
      return await keys(header, token);
    } catch (error) {
      // A rotated key: refetch, but not more often than the cooldown allows, so forged kids cannot
      // turn the authorizer into a load generator against Okta.
      if (error instanceof errors.JWKSNoMatchingKey && now() - fetchedAt >= settings.cooldownMs) {
        return (await reload())(header, token);
      }
      throw error;
    }
  };
}

function fetchJwks(url: URL, timeoutMs: number): Promise<JSONWebKeySet> {
  const get = url.protocol === 'https:' ? httpsGet : httpGet;
  return new Promise((resolve, reject) => {
    // No redirects are followed (jose: redirect "manual"): a 3xx is not 200 and fails below.
    const request = get(
      url,
      { headers: { accept: 'application/json, application/jwk-set+json', 'user-agent': 'otp-courier' } },
      (response: IncomingMessage) => {
        if (response.statusCode !== 200) {
          response.resume();
          reject(new errors.JOSEError('Expected 200 OK from the JSON Web Key Set HTTP response'));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_JWKS_BYTES)
            request.destroy(new errors.JOSEError('JSON Web Key Set response too large'));
          else chunks.push(chunk);
        });
        response.on('end', () => {
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as JSONWebKeySet);
          } catch {
            reject(new errors.JOSEError('Failed to parse the JSON Web Key Set HTTP response as JSON'));
          }
        });
        response.on('error', reject);
      },
    );
    const timer = setTimeout(() => request.destroy(new errors.JWKSTimeout()), timeoutMs);
    request.on('close', () => clearTimeout(timer));
    request.on('error', reject);
  });
}
