import { createSecretKey } from 'node:crypto';
import type { Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayTokenAuthorizerEvent } from 'aws-lambda';
import type { CryptoKey, JWK } from 'jose';
import { base64url, exportJWK, exportSPKI, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { JoseTokenVerifier } from '../../adapters/okta/jose-token-verifier';
import { AuthorizeHookCall } from '../../app/authorize-hook-call';
import { TokenRejectedError } from '../../domain/errors';
import type { TokenPolicy } from '../../domain/token-claims-policy';
import type { LogFields, Logger } from '../../ports/logger';

const ISSUER = 'https://example.okta.com/oauth2/aus1hook';
const AUDIENCE = 'api://otp-courier';
const CLIENT_ID = '0oa1hookclient';
const SCOPE = 'otp.send';
const KID = 'key-2025';

/** Records every line so tests can assert what was (and was not) logged. */
class RecordingLogger implements Logger {
  readonly lines: string[] = [];
  private record(level: string, message: string, fields?: LogFields) {
    this.lines.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
  }
  debug(message: string, fields?: LogFields) {
    this.record('debug', message, fields);
  }
  info(message: string, fields?: LogFields) {
    this.record('info', message, fields);
  }
  warn(message: string, fields?: LogFields) {
    this.record('warn', message, fields);
  }
  error(message: string, fields?: LogFields) {
    this.record('error', message, fields);
  }
}

let server: Server;
let jwksUrl: string;
let jwksHits = 0;
let hang = false;
let privateKey: CryptoKey;
let publicJwk: JWK;
let publicPem: string;
let otherPrivateKey: CryptoKey;

const policy: TokenPolicy = {
  issuer: ISSUER,
  audience: AUDIENCE,
  clientIds: [CLIENT_ID],
  scope: SCOPE,
  clockSkewSeconds: 30,
};

beforeAll(async () => {
  const pair = await generateKeyPair('RS256', { extractable: true });
  privateKey = pair.privateKey;
  publicJwk = { ...(await exportJWK(pair.publicKey)), kid: KID, alg: 'RS256', use: 'sig' };
  publicPem = await exportSPKI(pair.publicKey);
  otherPrivateKey = (await generateKeyPair('RS256')).privateKey;

  server = createServer((req, res) => {
    if (req.url !== '/oauth2/aus1hook/v1/keys') {
      res.writeHead(404).end();
      return;
    }
    jwksHits += 1;
    if (hang) return; // never answers: exercises the JWKS timeout
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [publicJwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/oauth2/aus1hook/v1/keys`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  hang = false;
});

interface TokenOptions {
  claims?: Record<string, unknown>;
  kid?: string | null;
  key?: CryptoKey;
  iat?: number;
  exp?: number;
}

async function mint(options: TokenOptions = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const header: { alg: string; kid?: string } = { alg: 'RS256' };
  if (options.kid !== null) header.kid = options.kid ?? KID;
  // Okta's access-token claims; `claims` overrides any of them (undefined drops it).
  const payload = {
    ver: 1,
    jti: 'AT.abc',
    iss: ISSUER,
    aud: AUDIENCE,
    sub: CLIENT_ID,
    iat: options.iat ?? now,
    exp: options.exp ?? now + 3600,
    cid: CLIENT_ID,
    scp: [SCOPE],
    ...options.claims,
  };
  return new SignJWT(payload).setProtectedHeader(header).sign(options.key ?? privateKey);
}

function unsigned(header: Record<string, unknown>, payload: Record<string, unknown>): string {
  const enc = (o: Record<string, unknown>) => base64url.encode(JSON.stringify(o));
  return `${enc(header)}.${enc(payload)}.`;
}

async function reasonFor(verifier: JoseTokenVerifier, token: string): Promise<string> {
  try {
    await verifier.verify(token);
  } catch (error) {
    expect(error).toBeInstanceOf(TokenRejectedError);
    const rejected = error as TokenRejectedError;
    // Reasons are short tokens; never parts of the JWT.
    expect(rejected.reason).toMatch(/^[a-z-]{3,30}$/);
    if (token.length > 20) expect(rejected.message).not.toContain(token.slice(0, 20));
    return rejected.reason;
  }
  throw new Error('expected the token to be rejected');
}

describe('JoseTokenVerifier against a real JWKS', () => {
  it('accepts a good token and returns its claims', async () => {
    const verifier = new JoseTokenVerifier({ policy, allowLoopbackHttp: true, jwksUrl });
    const claims = await verifier.verify(await mint());
    expect(claims).toMatchObject({
      iss: ISSUER,
      aud: AUDIENCE,
      sub: CLIENT_ID,
      cid: CLIENT_ID,
      scp: [SCOPE],
    });
  });

  it('accepts scp as a space-separated string', async () => {
    const verifier = new JoseTokenVerifier({ policy, allowLoopbackHttp: true, jwksUrl });
    const claims = await verifier.verify(await mint({ claims: { scp: `openid ${SCOPE}` } }));
    expect(claims.scp).toEqual(['openid', SCOPE]);
  });

  it.each<[string, () => Promise<string>, string]>([
    [
      'expired',
      () => mint({ iat: Math.floor(Date.now() / 1000) - 7200, exp: Math.floor(Date.now() / 1000) - 60 }),
      'expired',
    ],
    [
      'wrong issuer',
      () => mint({ claims: { iss: 'https://example.okta.com/oauth2/default' } }),
      'wrong-issuer',
    ],
    ['wrong audience', () => mint({ claims: { aud: 'api://default' } }), 'wrong-audience'],
    ['wrong client id', () => mint({ claims: { cid: '0oaSomeOtherApp' } }), 'client-not-allowed'],
    ['missing cid', () => mint({ claims: { cid: undefined } }), 'client-not-allowed'],
    ['missing scope', () => mint({ claims: { scp: ['openid', 'profile'] } }), 'missing-scope'],
    ['issued in the future', () => mint({ iat: Math.floor(Date.now() / 1000) + 600 }), 'issued-in-future'],
    ['unknown kid', () => mint({ kid: 'not-in-jwks', key: otherPrivateKey }), 'unknown-key'],
    ['right kid, wrong key', () => mint({ key: otherPrivateKey }), 'bad-signature'],
    ['missing kid', () => mint({ kid: null }), 'missing-kid'],
  ])('rejects: %s', async (_name, token, reason) => {
    const verifier = new JoseTokenVerifier({ policy, allowLoopbackHttp: true, jwksUrl });
    expect(await reasonFor(verifier, await token())).toBe(reason);
  });

  it('rejects alg "none" (unsigned) before looking at keys', async () => {
    const verifier = new JoseTokenVerifier({ policy, allowLoopbackHttp: true, jwksUrl });
    const now = Math.floor(Date.now() / 1000);
    const token = unsigned(
      { alg: 'none', kid: KID },
      { iss: ISSUER, aud: AUDIENCE, sub: CLIENT_ID, cid: CLIENT_ID, scp: [SCOPE], iat: now, exp: now + 600 },
    );
    const before = jwksHits;
    expect(await reasonFor(verifier, token)).toBe('unsupported-alg');
    expect(jwksHits).toBe(before);
  });

  it('rejects HS256 signed with the public key bytes (key confusion)', async () => {
    const verifier = new JoseTokenVerifier({ policy, allowLoopbackHttp: true, jwksUrl });
    const hmacKey = createSecretKey(Buffer.from(publicPem));
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ cid: CLIENT_ID, scp: [SCOPE] })
      .setProtectedHeader({ alg: 'HS256', kid: KID })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject(CLIENT_ID)
      .setIssuedAt(now)
      .setExpirationTime(now + 600)
      .sign(hmacKey);
    expect(await reasonFor(verifier, token)).toBe('unsupported-alg');
  });

  it('rejects a token whose payload was altered after signing', async () => {
    const verifier = new JoseTokenVerifier({ policy, allowLoopbackHttp: true, jwksUrl });
    const [header, , signature] = (await mint({ claims: { cid: 'other' } })).split('.');
    const now = Math.floor(Date.now() / 1000);
    const payload = base64url.encode(
      JSON.stringify({
        iss: ISSUER,
        aud: AUDIENCE,
        sub: 'x',
        cid: CLIENT_ID,
        scp: [SCOPE],
        iat: now,
        exp: now + 600,
      }),
    );
    expect(await reasonFor(verifier, `${header}.${payload}.${signature}`)).toBe('bad-signature');
  });

  it.each([
    '',
    'garbage',
    'a.b.c',
    '...',
    'eyJhbGciOiJSUzI1NiJ9',
    `${'x'.repeat(9000)}`,
    'eyJhbGciOiJSUzI1NiIsImtpZCI6ImtleS0yMDI1In0.bm90IGpzb24.c2ln',
    '\u0000\u0001\uFFFF',
  ])('rejects garbage %#', async (token) => {
    const verifier = new JoseTokenVerifier({ policy, allowLoopbackHttp: true, jwksUrl });
    const reason = await reasonFor(verifier, token);
    expect(['malformed-token', 'bad-signature', 'invalid-token', 'unsupported-alg', 'missing-kid']).toContain(
      reason,
    );
  });

  it('fetches the key set once across many verifications', async () => {
    const verifier = new JoseTokenVerifier({ policy, allowLoopbackHttp: true, jwksUrl });
    const token = await mint();
    const before = jwksHits;
    await Promise.all(Array.from({ length: 10 }, () => verifier.verify(token)));
    for (let i = 0; i < 20; i++) await verifier.verify(await mint({ claims: { jti: `AT.${i}` } }));
    expect(jwksHits - before).toBe(1);
  });

  it('does not refetch keys for every unknown kid (cooldown)', async () => {
    const verifier = new JoseTokenVerifier({ policy, allowLoopbackHttp: true, jwksUrl });
    await verifier.verify(await mint());
    const before = jwksHits;
    for (let i = 0; i < 5; i++) {
      expect(await reasonFor(verifier, await mint({ kid: `forged-${i}`, key: otherPrivateKey }))).toBe(
        'unknown-key',
      );
    }
    expect(jwksHits - before).toBeLessThanOrEqual(0);
  });

  it('fails fast with jwks-timeout when the key endpoint hangs', async () => {
    hang = true;
    const verifier = new JoseTokenVerifier({ policy, allowLoopbackHttp: true, jwksUrl });
    const started = Date.now();
    expect(await reasonFor(verifier, await mint())).toBe('jwks-timeout');
    expect(Date.now() - started).toBeLessThan(2500);
  });

  it('reports jwks-unavailable when the key endpoint is unreachable', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const verifier = new JoseTokenVerifier({
      policy,
      allowLoopbackHttp: true,
      jwksUrl: `http://127.0.0.1:${port}/v1/keys`,
    });
    expect(await reasonFor(verifier, await mint())).toBe('jwks-unavailable');
  });

  it('uses the injected clock', async () => {
    const token = await mint();
    const later = new JoseTokenVerifier({
      policy,
      allowLoopbackHttp: true,
      jwksUrl,
      now: () => Date.now() + 2 * 3600 * 1000,
    });
    expect(await reasonFor(later, token)).toBe('expired');
  });
});

describe('JoseTokenVerifier fetches keys over https only', () => {
  it('refuses an http:// JWKS, and allows loopback http only when told it is local development', () => {
    expect(
      () => new JoseTokenVerifier({ policy, jwksUrl: 'http://example.okta.com/oauth2/x/v1/keys' }),
    ).toThrow(/must be https/);
    expect(() => new JoseTokenVerifier({ policy, jwksUrl })).toThrow(/must be https/);
    expect(
      () =>
        new JoseTokenVerifier({
          policy,
          jwksUrl: 'http://example.okta.com/v1/keys',
          allowLoopbackHttp: true,
        }),
    ).toThrow(/must be https/);
    expect(() => new JoseTokenVerifier({ policy, jwksUrl, allowLoopbackHttp: true })).not.toThrow();
    expect(
      () => new JoseTokenVerifier({ policy, jwksUrl: 'https://example.okta.com/v1/keys' }),
    ).not.toThrow();
  });
});

describe('JoseTokenVerifier remembers verified tokens (Okta reuses one token per hook until expiry)', () => {
  it('verifies a token once, then accepts it without the key server while the claims still hold', async () => {
    const verifier = new JoseTokenVerifier({ policy, allowLoopbackHttp: true, jwksUrl });
    const token = await mint();
    await verifier.verify(token);
    hang = true;
    const hitsBefore = jwksHits;
    await expect(verifier.verify(token)).resolves.toMatchObject({ cid: CLIENT_ID });
    expect(jwksHits).toBe(hitsBefore);
  });

  it('still applies the claims policy to a remembered token: it expires on time', async () => {
    let now = Date.now();
    const verifier = new JoseTokenVerifier({ policy, allowLoopbackHttp: true, jwksUrl, now: () => now });
    const token = await mint({ exp: Math.floor(now / 1000) + 60 });
    await verifier.verify(token);
    now += 120_000;
    expect(await reasonFor(verifier, token)).toBe('expired');
  });

  it('checks the signature again, against a freshly fetched key set, once the set that verified it is five minutes old', async () => {
    let now = Date.now();
    const verifier = new JoseTokenVerifier({ policy, allowLoopbackHttp: true, jwksUrl, now: () => now });
    const token = await mint();
    await verifier.verify(token);
    now += 299_000;
    const hitsBefore = jwksHits;
    await verifier.verify(token);
    expect(jwksHits).toBe(hitsBefore);
    // A remembered token never outlives its key set (it used to: 10-minute set + 5-minute token cache).
    now += 2_000;
    await verifier.verify(token);
    expect(jwksHits).toBe(hitsBefore + 1);
    hang = true;
    now += 301_000;
    expect(await reasonFor(verifier, token)).toBe('jwks-timeout');
  });

  it('never remembers a rejected token', async () => {
    const verifier = new JoseTokenVerifier({ policy, allowLoopbackHttp: true, jwksUrl });
    const forged = await mint({ key: otherPrivateKey });
    expect(await reasonFor(verifier, forged)).toBe('bad-signature');
    expect(await reasonFor(verifier, forged)).toBe('bad-signature');
    const wrongClient = await mint({ claims: { cid: 'someone-else' } });
    expect(await reasonFor(verifier, wrongClient)).toBe('client-not-allowed');
    expect(await reasonFor(verifier, wrongClient)).toBe('client-not-allowed');
  });
});

describe('AuthorizeHookCall with the jose verifier', () => {
  const METHOD_ARN = 'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/POST/okta/telephony-hook';
  const event = (authorizationToken: string): APIGatewayTokenAuthorizerEvent => ({
    type: 'TOKEN',
    authorizationToken,
    methodArn: METHOD_ARN,
  });

  it.each(['Bearer ', 'bearer ', 'BEARER  ', ''])('allows a good token with prefix %j', async (prefix) => {
    const logger = new RecordingLogger();
    const authorize = new AuthorizeHookCall(
      new JoseTokenVerifier({ policy, allowLoopbackHttp: true, jwksUrl }),
      logger,
    );
    const token = await mint();
    const result = await authorize.handle(event(`${prefix}${token}`));
    expect(result).toEqual({
      principalId: CLIENT_ID,
      policyDocument: {
        Version: '2012-10-17',
        Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: METHOD_ARN }],
      },
      context: { cid: CLIENT_ID },
    });
    expect(logger.lines.join('\n')).not.toContain(token.split('.')[2]);
  });

  it.each<[string, () => Promise<string>, string]>([
    [
      'expired',
      () => mint({ iat: Math.floor(Date.now() / 1000) - 7200, exp: Math.floor(Date.now() / 1000) - 60 }),
      'expired',
    ],
    ['wrong cid', () => mint({ claims: { cid: 'nope' } }), 'client-not-allowed'],
    ['garbage', async () => 'Bearer not-a-jwt-at-all-but-long-enough', 'malformed-token'],
    ['empty', async () => 'Bearer ', 'missing-token'],
  ])('throws Unauthorized for %s and logs only the reason', async (_name, token, reason) => {
    const logger = new RecordingLogger();
    const authorize = new AuthorizeHookCall(
      new JoseTokenVerifier({ policy, allowLoopbackHttp: true, jwksUrl }),
      logger,
    );
    const raw = await token();
    await expect(authorize.handle(event(raw))).rejects.toThrow(/^Unauthorized$/);
    const log = logger.lines.join('\n');
    expect(log).toContain(`"reason":"${reason}"`);
    const secretPart = raw.replace(/^Bearer /, '');
    if (secretPart.length > 0) expect(log).not.toContain(secretPart);
    for (const segment of secretPart.split('.')) if (segment.length > 8) expect(log).not.toContain(segment);
  });
});
