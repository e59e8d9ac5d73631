import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayAuthorizerResult } from 'aws-lambda';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AuthorizeHookCall } from '../../app/authorize-hook-call';
import { composeAuthorizer } from '../../app/composition/authorizer-composition';
import { loadAuthorizerConfig } from '../../app/config/authorizer-config';
import { tokenAuthorizerEvent } from '../../app/local/api-gateway-events';
import { RecordingLogger } from '../support/recording-logger';

/**
 * "A key removed from the JWKS stops working within KEY_REVOCATION_WINDOW_SECONDS (300 s), API
 * Gateway's authorizer cache included." Proved with the authorizer as configured from the stack's
 * environment, a real JWKS server over HTTP that drops the key, and a fake clock. API Gateway's cache is
 * modelled as documented: an Allow for an identity source (the Authorization header) is reused for
 * ReauthorizeEvery seconds; a 401 is not cached.
 */

const ISSUER = 'https://example.okta.com/oauth2/aus1rotate';
const AUDIENCE = 'api://otp-courier';
const CLIENT_ID = '0oa1rotate';
const SCOPE = 'otp-courier.send';
const RESULT_TTL_SECONDS = 60; // the stack's default AuthorizerResultTtlSeconds
const WINDOW_MS = 300_000;

class ApiGatewayAuthorizerCache {
  private readonly allowed = new Map<string, number>();
  constructor(
    private readonly authorizer: AuthorizeHookCall,
    private readonly ttlSeconds: number,
    private readonly now: () => number,
  ) {}

  /** True when API Gateway would pass the call to the hook. */
  async call(header: string): Promise<boolean> {
    const until = this.allowed.get(header);
    if (until !== undefined && this.now() < until) return true;
    this.allowed.delete(header);
    let result: APIGatewayAuthorizerResult;
    try {
      result = await this.authorizer.handle(tokenAuthorizerEvent(header));
    } catch {
      return false;
    }
    const allow = result.policyDocument.Statement.some((s) => s.Effect === 'Allow');
    if (allow && this.ttlSeconds > 0) this.allowed.set(header, this.now() + this.ttlSeconds * 1000);
    return allow;
  }
}

interface SigningKey {
  readonly jwk: JWK;
  readonly privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
  readonly kid: string;
}

async function signingKey(kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  return { jwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' }, privateKey, kid };
}

let server: Server;
let jwksUrl: string;
let served: JWK[] = [];
let fetches = 0;
let retiring: SigningKey;
let staying: SigningKey;

beforeAll(async () => {
  [retiring, staying] = await Promise.all([signingKey('retiring'), signingKey('staying')]);
  server = createServer((_req, res) => {
    fetches += 1;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: served }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/oauth2/aus1rotate/v1/keys`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

let now: number;
let gateway: ApiGatewayAuthorizerCache;
const T0 = Date.parse('2026-03-01T12:00:00Z');

beforeEach(() => {
  now = T0;
  fetches = 0;
  served = [retiring.jwk, staying.jwk];
  // Exactly what the stack gives the authorizer, but for the test's loopback JWKS server.
  const config = loadAuthorizerConfig({
    AUTH_MODE: 'oauth',
    OKTA_ISSUER: ISSUER,
    OKTA_AUDIENCE: AUDIENCE,
    OKTA_CLIENT_IDS: CLIENT_ID,
    OKTA_SCOPE: SCOPE,
    OKTA_JWKS_URL: jwksUrl,
    OKTA_ALLOW_LOOPBACK_HTTP: 'true',
    AUTHORIZER_RESULT_TTL_SECONDS: String(RESULT_TTL_SECONDS),
  });
  if (config.mode !== 'oauth') throw new Error('expected oauth');
  expect(config.keyRevocationWindowMs).toBe(WINDOW_MS);
  expect(config.keySetMaxAgeMs).toBe(WINDOW_MS - RESULT_TTL_SECONDS * 1000);
  gateway = new ApiGatewayAuthorizerCache(
    composeAuthorizer(config, new RecordingLogger(), () => now),
    RESULT_TTL_SECONDS,
    () => now,
  );
});

function mint(key: SigningKey): Promise<string> {
  const iat = Math.floor(now / 1000);
  return new SignJWT({ ver: 1, cid: CLIENT_ID, scp: [SCOPE] })
    .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject(CLIENT_ID)
    .setIssuedAt(iat)
    .setExpirationTime(iat + 3600)
    .sign(key.privateKey);
}

describe('a key removed from the JWKS', () => {
  it('stops working within 300 s for a caller that keeps calling, and a key that stays keeps working', async () => {
    const doomed = `Bearer ${await mint(retiring)}`;
    const fine = `Bearer ${await mint(staying)}`;
    expect(await gateway.call(doomed)).toBe(true);
    expect(fetches).toBe(1);
    // Okta rotates the key out right after the authorizer fetched the set: the worst moment.
    served = [staying.jwk];
    const removedAt = now;

    let lastAllowed = removedAt;
    for (let t = 0; t <= 400_000; t += 500) {
      now = removedAt + t;
      if (await gateway.call(doomed)) lastAllowed = now;
      expect(await gateway.call(fine)).toBe(true);
    }
    expect(lastAllowed - removedAt).toBeLessThan(WINDOW_MS);
    // Keys were fetched every 240 s, plus at most once per 30 s cooldown for the refused token's kid.
    expect(fetches).toBeLessThanOrEqual(2 + Math.ceil(160_000 / 30_000));
  });

  it('worst case: verified just before the key set expires, then served from API Gateway’s cache — still under 300 s', async () => {
    const doomed = `Bearer ${await mint(retiring)}`;
    expect(await gateway.call(doomed)).toBe(true);
    served = [staying.jwk];
    const removedAt = now;

    // API Gateway's cached Allow expired; the authorizer answers from the token it remembers, whose key
    // set (fetched at removedAt) is 1 ms from its 240 s age, and API Gateway caches that Allow for 60 s.
    now = removedAt + 239_999;
    expect(await gateway.call(doomed)).toBe(true);
    now = removedAt + WINDOW_MS - 2;
    expect(await gateway.call(doomed)).toBe(true);
    // From here the authorizer is asked again, its key set is refetched without the key: refused.
    now = removedAt + WINDOW_MS - 1;
    expect(await gateway.call(doomed)).toBe(false);
    now = removedAt + WINDOW_MS;
    expect(await gateway.call(doomed)).toBe(false);
    expect(fetches).toBe(2);
  });

  it('a token first verified at 239 s is trusted only while its key set is (the token cache used to restart the clock)', async () => {
    // Verified first near the end of the key set's life (the 5-minute token cache used to restart here).
    await gateway.call(`Bearer ${await mint(staying)}`);
    served = [staying.jwk];
    const removedAt = now;
    now = removedAt + 239_000;
    const late = `Bearer ${await mint(retiring)}`;
    expect(await gateway.call(late)).toBe(true);
    now = removedAt + 240_000 + RESULT_TTL_SECONDS * 1000;
    expect(await gateway.call(late)).toBe(false);
  });
});
