import type { get as httpGet, IncomingMessage } from 'node:http';
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
/** The key set as jose's `jwtVerify` wants it, plus the age of the set each key comes from. */
export interface JwksOverHttp extends JWTVerifyGetKey {
  /**
   * The key for a token, and when the key set it came from was fetched (epoch ms): what was learned
   * from that set may be trusted until `fetchedAt + cacheMaxAgeMs`, and not after.
   */
  withFetchTime(...args: Parameters<JWTVerifyGetKey>): Promise<{ key: VerifyKey; fetchedAt: number }>;
}
type VerifyKey = Awaited<ReturnType<JWTVerifyGetKey>>;
interface FetchedSet {
  readonly keys: JWTVerifyGetKey;
  readonly fetchedAt: number;
}

export function createJwksOverHttp(url: URL, settings: JwksOverHttpSettings): JwksOverHttp {
  const now = settings.now ?? Date.now;
  let current: FetchedSet | undefined;
  let pending: Promise<FetchedSet> | undefined;

  // Concurrent cold requests share one fetch. A failed fetch leaves the previous set in place, but a
  // set older than cacheMaxAgeMs is never used: keys fail closed when Okta cannot be reached.
  const reload = (): Promise<FetchedSet> => {
    pending ??= fetchJwks(url, settings.timeoutMs)
      .then((jwks) => {
        current = { keys: createLocalJWKSet(jwks), fetchedAt: now() };
        return current;
      })
      .finally(() => {
        pending = undefined;
      });
    return pending;
  };

  const withFetchTime: JwksOverHttp['withFetchTime'] = async (header, token) => {
    const set =
      current !== undefined && now() - current.fetchedAt < settings.cacheMaxAgeMs ? current : await reload();
    try {
      return { key: await set.keys(header, token), fetchedAt: set.fetchedAt };
    } catch (error) {
      // A rotated key: refetch, but not more often than the cooldown allows, so forged kids cannot
      // turn the authorizer into a load generator against Okta.
      if (error instanceof errors.JWKSNoMatchingKey && now() - set.fetchedAt >= settings.cooldownMs) {
        const fresh = await reload();
        return { key: await fresh.keys(header, token), fetchedAt: fresh.fetchedAt };
      }
      throw error;
    }
  };
  const getKey = (async (header, token) => (await withFetchTime(header, token)).key) as JwksOverHttp;
  getKey.withFetchTime = withFetchTime;
  return getKey;
}

/** 127.0.0.0/8, ::1 and localhost: the only hosts keys may come from over plain http, in development. */
export function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);
}

type HttpGet = typeof httpGet;
const transports = new Map<string, Promise<HttpGet>>();

/**
 * The client module a key-set URL needs, loaded once per process on first call: node:https for an
 * https URL (what deploys), node:http for a loopback dev issuer. Neither is imported statically, so an
 * authorizer in header-secret or disabled mode never loads them (no JWKS there), and one in oauth mode
 * loads only the one its URL needs. The Lambda entry awaits it during init (app/lambda/authorizer.ts):
 * the first request always fetches the key set, and would otherwise load the module itself.
 */
export function loadJwksTransport(protocol: string): Promise<HttpGet> {
  let loading = transports.get(protocol);
  if (loading === undefined) {
    // node:https's get takes the same arguments and returns the same ClientRequest as node:http's.
    loading =
      protocol === 'https:'
        ? import('node:https').then((m) => m.get as HttpGet)
        : import('node:http').then((m) => m.get);
    transports.set(protocol, loading);
  }
  return loading;
}

async function fetchJwks(url: URL, timeoutMs: number): Promise<JSONWebKeySet> {
  const get = await loadJwksTransport(url.protocol);
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
