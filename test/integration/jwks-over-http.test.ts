import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errors, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { createJwksOverHttp } from '../../adapters/okta/jwks-over-http';

/** The key fetcher the authorizer uses instead of jose's createRemoteJWKSet, against a real HTTP server. */
type Handler = (req: IncomingMessage, res: ServerResponse) => void;
const servers: Array<{ close(): void }> = [];

async function serve(handler: Handler): Promise<{ url: URL; hits: () => number }> {
  let hits = 0;
  const server = createServer((req, res) => {
    hits += 1;
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push({
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  });
  return {
    url: new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/keys`),
    hits: () => hits,
  };
}

afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

async function signingKey(kid: string) {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  const token = await new SignJWT({}).setProtectedHeader({ alg: 'RS256', kid }).sign(privateKey);
  return { jwk, token };
}

const SETTINGS = { cacheMaxAgeMs: 60_000, cooldownMs: 30_000, timeoutMs: 500 };
const json = (body: unknown) => (_req: IncomingMessage, res: ServerResponse) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

describe('createJwksOverHttp', () => {
  it('fetches once for many lookups and for concurrent cold lookups', async () => {
    const { jwk, token } = await signingKey('k1');
    const { url, hits } = await serve(json({ keys: [jwk] }));
    const getKey = createJwksOverHttp(url, SETTINGS);
    await Promise.all(
      Array.from({ length: 10 }, () =>
        getKey({ alg: 'RS256', kid: 'k1' }, { payload: token, signature: '' } as never),
      ),
    );
    await getKey({ alg: 'RS256', kid: 'k1' }, undefined as never);
    expect(hits()).toBe(1);
  });

  it('refetches for an unknown kid (key rotation), but not more often than the cooldown', async () => {
    const first = await signingKey('old');
    const second = await signingKey('new');
    let keys = [first.jwk];
    const { url, hits } = await serve((req, res) => json({ keys })(req, res));
    const getKey = createJwksOverHttp(url, { ...SETTINGS, cooldownMs: 0 });
    await getKey({ alg: 'RS256', kid: 'old' }, undefined as never);
    keys = [first.jwk, second.jwk];
    await getKey({ alg: 'RS256', kid: 'new' }, undefined as never);
    expect(hits()).toBe(2);

    const cooled = createJwksOverHttp(url, SETTINGS);
    await cooled({ alg: 'RS256', kid: 'old' }, undefined as never);
    for (let i = 0; i < 5; i += 1) {
      await expect(cooled({ alg: 'RS256', kid: `forged-${i}` }, undefined as never)).rejects.toBeInstanceOf(
        errors.JWKSNoMatchingKey,
      );
    }
    expect(hits()).toBe(3);
  });

  it('refetches once the cached set is older than its max age', async () => {
    const { jwk } = await signingKey('k1');
    const { url, hits } = await serve(json({ keys: [jwk] }));
    const getKey = createJwksOverHttp(url, { ...SETTINGS, cacheMaxAgeMs: 50 });
    await getKey({ alg: 'RS256', kid: 'k1' }, undefined as never);
    await new Promise((resolve) => setTimeout(resolve, 80));
    await getKey({ alg: 'RS256', kid: 'k1' }, undefined as never);
    expect(hits()).toBe(2);
  });

  it('fails fast with JWKSTimeout when the key server hangs', async () => {
    const { url } = await serve(() => {});
    const started = Date.now();
    await expect(
      createJwksOverHttp(url, { ...SETTINGS, timeoutMs: 200 })(
        { alg: 'RS256', kid: 'k' },
        undefined as never,
      ),
    ).rejects.toBeInstanceOf(errors.JWKSTimeout);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it.each([
    [
      'a non-200 answer',
      (_req: IncomingMessage, res: ServerResponse) => res.writeHead(500).end('{}'),
      errors.JOSEError,
    ],
    [
      'a redirect (not followed)',
      (_req: IncomingMessage, res: ServerResponse) => res.writeHead(302, { location: '/elsewhere' }).end(),
      errors.JOSEError,
    ],
    [
      'a body that is not JSON',
      (_req: IncomingMessage, res: ServerResponse) => res.writeHead(200).end('<html>'),
      errors.JOSEError,
    ],
    ['JSON that is not a key set', json({ keys: 'nope' }), errors.JWKSInvalid],
    [
      'an oversized answer',
      (_req: IncomingMessage, res: ServerResponse) => res.writeHead(200).end('x'.repeat(300 * 1024)),
      errors.JOSEError,
    ],
  ] as const)('rejects %s with a jose error', async (_name, handler, expected) => {
    const { url } = await serve(handler);
    await expect(
      createJwksOverHttp(url, SETTINGS)({ alg: 'RS256', kid: 'k' }, undefined as never),
    ).rejects.toBeInstanceOf(expected);
  });

  it('rejects with a network error when nothing listens', async () => {
    const getKey = createJwksOverHttp(new URL('http://127.0.0.1:9/v1/keys'), SETTINGS);
    await expect(getKey({ alg: 'RS256', kid: 'k' }, undefined as never)).rejects.toThrow();
  });
});
