import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { base64url, type CryptoKey, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JoseTokenVerifier } from '../../adapters/okta/jose-token-verifier';
import { AuthorizeHookCall } from '../../app/authorize-hook-call';
import { RecordingLogger } from '../support/recording-logger';

/**
 * Whatever arrives in the Authorization header (garbage, JWT-shaped junk, tokens with forged headers
 * and claims), the authorizer answers exactly as API Gateway expects for a refusal, Error('Unauthorized'),
 * and never logs what it was given.
 */
const ISSUER = 'https://example.okta.com/oauth2/ausHostile';
let server: Server;
let authorize: AuthorizeHookCall;
let logger: RecordingLogger;
let forgeryKey: CryptoKey;

beforeAll(async () => {
  const { publicKey } = await generateKeyPair('RS256');
  forgeryKey = (await generateKeyPair('RS256')).privateKey;
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256' };
  server = createServer((_req, res) =>
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] })),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/keys`;
  logger = new RecordingLogger();
  authorize = new AuthorizeHookCall(
    new JoseTokenVerifier({
      policy: {
        issuer: ISSUER,
        audience: 'api://x',
        clientIds: ['0oa1'],
        scope: 'otp-courier.send',
        clockSkewSeconds: 30,
      },
      jwksUrl,
      // The test's JWKS server is plain http on 127.0.0.1.
      allowLoopbackHttp: true,
    }),
    logger,
  );
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const segment = fc.oneof(
  fc.string(),
  fc.json().map((json) => base64url.encode(json)),
  fc.dictionary(fc.string(), fc.jsonValue()).map((o) => base64url.encode(JSON.stringify(o))),
  fc.constantFrom(
    base64url.encode(JSON.stringify({ alg: 'none' })),
    base64url.encode(JSON.stringify({ alg: 'HS256', kid: 'k1' })),
    base64url.encode(JSON.stringify({ alg: 'RS256', kid: 'k1' })),
    base64url.encode(JSON.stringify({ alg: 'RS256', kid: '../../etc/passwd' })),
  ),
);
const hostileHeader = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.tuple(segment, segment, segment).map((parts) => `Bearer ${parts.join('.')}`),
  fc.string({ minLength: 9000, maxLength: 12000 }).map((s) => `Bearer ${s}`),
  // Well-formed and correctly signed, but by a key the issuer never published, with arbitrary claims.
  fc
    .dictionary(fc.constantFrom('iss', 'aud', 'cid', 'scp', 'exp', 'sub'), fc.jsonValue())
    .map((claims) =>
      new SignJWT(claims as Record<string, unknown>)
        .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
        .sign(forgeryKey),
    ),
);

describe('the authorizer under hostile Authorization headers', () => {
  it('refuses every one with Unauthorized, and logs none of them', async () => {
    await fc.assert(
      fc.asyncProperty(hostileHeader, async (header) => {
        const value = typeof header === 'string' ? header : `Bearer ${await header}`;
        const linesBefore = logger.lines.length;
        await expect(
          authorize.handle({ type: 'TOKEN', authorizationToken: value, methodArn: 'arn:aws:execute-api:x' }),
        ).rejects.toThrow(/^Unauthorized$/);
        const logged = JSON.stringify(logger.lines.slice(linesBefore));
        const token = value.replace(/^bearer\s*/i, '');
        if (token.length >= 12) expect(logged).not.toContain(token.slice(0, 40));
      }),
      { numRuns: 300 },
    );
  });
});
