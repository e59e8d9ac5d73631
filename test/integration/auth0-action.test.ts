import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEV_AUTH0_AUDIENCE, DEV_AUTH0_SCOPE } from '../../app/local/dev-issuer';
import {
  ActionsCache,
  actionApi,
  auth0PhoneEvent,
  type CustomPhoneProviderAction,
  loadAuth0Action,
} from '../support/auth0-actions-runtime';
import { Auth0TenantStandIn, STAND_IN_CLIENT } from '../support/auth0-tenant-stand-in';
import { BlackHoleServer } from '../support/black-hole-server';
import { guardSecret } from '../support/secret-leak-guard';

/**
 * The shipped Action, run as Auth0 runs it (the real file, an Auth0-shaped event and api), against a
 * real token endpoint issuing real RS256 JWTs and a real HTTP route that verifies them. The route here
 * is a scripted stand-in for otp-courier's, so every reply and fault can be chosen; the end-to-end test
 * runs the same Action against the real local stack.
 */

interface Received {
  readonly body: Record<string, unknown>;
  readonly claims: Record<string, unknown>;
}

class RouteStandIn {
  readonly received: Received[] = [];
  calls = 0;
  reply: (body: Record<string, unknown>) => { status: number; body: unknown } = () => ({
    status: 200,
    body: { status: 'SENT', eventId: 'auth0-x', provider: 'local-outbox' },
  });
  /** How many of the next calls the authorizer refuses (a revoked token, a rotated key): 401 like API Gateway. */
  refuseNext = 0;

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(tenant: Auth0TenantStandIn): Promise<RouteStandIn> {
    const keys = createLocalJWKSet(tenant.issuer.jwks);
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (!address || typeof address === 'string') throw new Error('no address');
    const route = new RouteStandIn(server, `http://127.0.0.1:${address.port}`);
    server.on('request', (req: IncomingMessage, res) => {
      void (async () => {
        route.calls += 1;
        const chunks: Buffer[] = [];
        for await (const chunk of req) chunks.push(chunk as Buffer);
        const send = (status: number, body: unknown) => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(body));
        };
        if (req.url !== '/prod/auth0/phone-message' || req.method !== 'POST') return send(404, {});
        const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
        if (!token || route.refuseNext > 0) {
          route.refuseNext = Math.max(0, route.refuseNext - 1);
          return send(401, { message: 'Unauthorized' });
        }
        let claims: Record<string, unknown>;
        try {
          ({ payload: claims } = await jwtVerify(token, keys, {
            issuer: tenant.issuer.issuer,
            audience: DEV_AUTH0_AUDIENCE,
            algorithms: ['RS256'],
          }));
        } catch {
          return send(401, { message: 'Unauthorized' });
        }
        if (
          claims.gty !== 'client-credentials' ||
          !String(claims.scope).split(' ').includes(DEV_AUTH0_SCOPE)
        ) {
          return send(403, { message: 'Forbidden' });
        }
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
        route.received.push({ body, claims });
        const answer = route.reply(body);
        send(answer.status, answer.body);
      })();
    });
    return route;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

let action: CustomPhoneProviderAction;
let tenant: Auth0TenantStandIn;
let route: RouteStandIn;
let hole: BlackHoleServer;

beforeAll(async () => {
  action = loadAuth0Action();
  tenant = await Auth0TenantStandIn.start();
  route = await RouteStandIn.start(tenant);
  hole = await BlackHoleServer.start();
});

afterAll(async () => {
  await Promise.all([tenant.close(), route.close(), hole.close()]);
});

afterEach(() => {
  tenant.answerWith = undefined;
  tenant.expiresInSeconds = 86_400;
  tenant.tokenCalls = 0;
  route.calls = 0;
  route.received.length = 0;
  route.refuseNext = 0;
  route.reply = () => ({
    status: 200,
    body: { status: 'SENT', eventId: 'auth0-x', provider: 'local-outbox' },
  });
});

function secrets(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    AUTH0_DOMAIN: tenant.url,
    AUTH0_CLIENT_ID: STAND_IN_CLIENT.clientId,
    AUTH0_CLIENT_SECRET: STAND_IN_CLIENT.clientSecret,
    OTP_COURIER_AUDIENCE: DEV_AUTH0_AUDIENCE,
    OTP_COURIER_URL: `${route.url}/prod`,
    ...overrides,
  };
}

async function failureOf(run: Promise<void>): Promise<Error> {
  try {
    await run;
  } catch (error) {
    return error as Error;
  }
  throw new Error('the Action did not throw');
}

function expectNoLeak(error: Error, code: string): void {
  for (const text of [error.message, error.stack ?? '', JSON.stringify(error)]) {
    expect(text).not.toContain(code);
    expect(text).not.toContain('808-555-5555');
    expect(text).not.toContain('8085555555');
  }
}

describe('the shipped Auth0 Action', () => {
  it('gets a client-credentials token and posts the notification with it', async () => {
    const code = guardSecret('480913');
    const api = actionApi();
    await action(auth0PhoneEvent({ code, secrets: secrets() }), api);

    expect(tenant.tokenCalls).toBe(1);
    expect(route.received).toHaveLength(1);
    const [{ body, claims }] = route.received as [Received];
    expect(claims).toMatchObject({
      iss: tenant.issuer.issuer,
      aud: DEV_AUTH0_AUDIENCE,
      azp: STAND_IN_CLIENT.clientId,
      sub: `${STAND_IN_CLIENT.clientId}@clients`,
      gty: 'client-credentials',
      scope: DEV_AUTH0_SCOPE,
    });
    expect(body).toEqual({
      notification: {
        recipient: '+1-808-555-5555',
        code,
        delivery_method: 'text',
        message_type: 'otp_verify',
        locale: 'en-US',
        as_text: expect.stringContaining(code),
      },
      tenant: { id: 'dev-tenant' },
      // The user's id and IP feed otp-courier's anti-fraud limits.
      user: { user_id: 'auth0|5f7c8ec7c33c6c004bbafe82', given_name: 'John' },
      request: { ip: '13.33.86.47', language: 'en' },
    });
    // Only what otp-courier needs leaves Auth0: no email, metadata, voice text or secrets.
    expect(JSON.stringify(body)).not.toMatch(/smith@example|app_metadata|as_voice|CLIENT_SECRET|Smith/);
    expect(api.told).toEqual([]);
  });

  it('keeps the token in api.cache and reuses it until shortly before it expires', async () => {
    const cache = new ActionsCache();
    await action(auth0PhoneEvent({ secrets: secrets() }), actionApi(cache));
    await action(auth0PhoneEvent({ code: '222333', secrets: secrets() }), actionApi(cache));
    expect(tenant.tokenCalls).toBe(1);
    expect(route.received).toHaveLength(2);
    expect(cache.size).toBe(1);
    expect(Buffer.byteLength(cache.writes[0] ?? '')).toBeLessThanOrEqual(64);

    // A token with less than a minute left is not used: it could expire on its way.
    tenant.expiresInSeconds = 45;
    const shortLived = new ActionsCache();
    await action(auth0PhoneEvent({ secrets: secrets() }), actionApi(shortLived));
    await action(auth0PhoneEvent({ secrets: secrets() }), actionApi(shortLived));
    expect(tenant.tokenCalls).toBe(3);
  });

  it('works without a cache entry when api.cache refuses the write (limits reached)', async () => {
    const cache = new ActionsCache();
    for (let i = 0; i < 20; i++) cache.set(`filler-${i}`, 'x');
    await action(auth0PhoneEvent({ secrets: secrets() }), actionApi(cache));
    expect(route.received).toHaveLength(1);
    expect(cache.get(`otp-courier:token:${STAND_IN_CLIENT.clientId}`)).toBeUndefined();
  });

  it('replaces a cached token the route refuses (revoked, key rotated) and tries once more', async () => {
    const cache = new ActionsCache();
    await action(auth0PhoneEvent({ secrets: secrets() }), actionApi(cache));
    expect(cache.get(`otp-courier:token:${STAND_IN_CLIENT.clientId}`)).toBeDefined();
    route.refuseNext = 1;

    const api = actionApi(cache);
    await action(auth0PhoneEvent({ secrets: secrets() }), api);
    expect(tenant.tokenCalls).toBe(2);
    expect(route.calls).toBe(3);
    expect(route.received).toHaveLength(2);
    expect(api.told).toEqual([]);

    // A fresh token refused too is the answer: no third try.
    route.refuseNext = 2;
    const refused = actionApi(cache);
    const error = await failureOf(action(auth0PhoneEvent({ secrets: secrets() }), refused));
    expect(error.message).toBe('otp-courier: HTTP 401 (unknown)');
    expect(refused.told[0]?.intent).toBe('drop');
  });

  it('is bounded when otp-courier accepts the connection and never answers', async () => {
    const code = guardSecret('731904');
    const api = actionApi();
    const started = Date.now();
    const error = await failureOf(
      action(
        auth0PhoneEvent({
          code,
          secrets: secrets({ OTP_COURIER_URL: hole.url, OTP_COURIER_BUDGET_MS: '800' }),
        }),
        api,
      ),
    );
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(700);
    expect(took).toBeLessThan(3000);
    expect(error.message).toMatch(/otp-courier did not answer within \d+ ms/);
    // No verdict from otp-courier: calling again is safe, since it deduplicates by code.
    expect(api.told).toEqual([{ intent: 'retry', reason: error.message }]);
    expectNoLeak(error, code);
  });

  it('is bounded when the token endpoint never answers', async () => {
    const api = actionApi();
    const started = Date.now();
    const error = await failureOf(
      action(
        auth0PhoneEvent({ secrets: secrets({ AUTH0_DOMAIN: hole.url, OTP_COURIER_BUDGET_MS: '600' }) }),
        api,
      ),
    );
    expect(Date.now() - started).toBeLessThan(3000);
    expect(error.message).toMatch(/token endpoint did not answer/);
    expect(api.told[0]?.intent).toBe('retry');
    expect(route.calls).toBe(0);
  });

  it('maps every answer onto drop (a repeat gets the same answer) or retry (no verdict yet)', async () => {
    const code = guardSecret('550172');
    const cases: { reply: { status: number; body: unknown }; intent: 'drop' | 'retry'; message: RegExp }[] = [
      {
        reply: { status: 200, body: { status: 'FAILED', reason: 'no-template' } },
        intent: 'drop',
        message: /delivery failed \(no-template\)/,
      },
      { reply: { status: 400, body: { error: 'invalid-request' } }, intent: 'drop', message: /HTTP 400/ },
      {
        reply: { status: 422, body: { reason: 'no-code' } },
        intent: 'drop',
        message: /HTTP 422 \(no-code\)/,
      },
      { reply: { status: 403, body: {} }, intent: 'drop', message: /HTTP 403/ },
      { reply: { status: 429, body: {} }, intent: 'retry', message: /HTTP 429/ },
      { reply: { status: 503, body: {} }, intent: 'retry', message: /HTTP 503/ },
      { reply: { status: 200, body: { status: 'MAYBE' } }, intent: 'retry', message: /unreadable reply/ },
      // A reason is a machine token: anything else, the code included, never reaches the message.
      {
        reply: { status: 200, body: { status: 'FAILED', reason: `code ${code} was bad` } },
        intent: 'drop',
        message: /delivery failed \(unknown\)/,
      },
    ];
    for (const c of cases) {
      route.reply = () => c.reply;
      const api = actionApi();
      const error = await failureOf(action(auth0PhoneEvent({ code, secrets: secrets() }), api));
      expect(error.message).toMatch(c.message);
      expect(api.told).toEqual([{ intent: c.intent, reason: error.message }]);
      expectNoLeak(error, code);
    }
    for (const status of ['SENT', 'PENDING']) {
      route.reply = () => ({ status: 200, body: { status } });
      await expect(
        action(auth0PhoneEvent({ code, secrets: secrets() }), actionApi()),
      ).resolves.toBeUndefined();
    }
  });

  it('reports a token endpoint that refuses the client, and one that is down', async () => {
    const wrong = actionApi();
    const refused = await failureOf(
      action(auth0PhoneEvent({ secrets: secrets({ AUTH0_CLIENT_SECRET: 'not-the-secret' }) }), wrong),
    );
    expect(refused.message).toBe('otp-courier: token endpoint answered HTTP 401');
    expect(wrong.told[0]?.intent).toBe('drop');
    expect(refused.message).not.toContain('not-the-secret');

    tenant.answerWith = 503;
    const down = actionApi();
    await failureOf(action(auth0PhoneEvent({ secrets: secrets() }), down));
    expect(down.told[0]?.intent).toBe('retry');
  });

  it('reports an unreachable otp-courier without a verdict', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const api = actionApi();
    const error = await failureOf(
      action(auth0PhoneEvent({ secrets: secrets({ OTP_COURIER_URL: `http://127.0.0.1:${port}` }) }), api),
    );
    expect(error.message).toBe('otp-courier: could not reach the otp-courier (ECONNREFUSED)');
    expect(api.told[0]?.intent).toBe('retry');
  });

  it('refuses to run misconfigured: a missing secret, or a URL that would carry the code in clear', async () => {
    const missing = actionApi();
    const { OTP_COURIER_AUDIENCE: _, ...withoutAudience } = secrets();
    const error = await failureOf(action(auth0PhoneEvent({ secrets: withoutAudience }), missing));
    expect(error.message).toBe('otp-courier: secret OTP_COURIER_AUDIENCE is not set');
    expect(missing.told[0]?.intent).toBe('drop');

    const clear = actionApi();
    const insecure = await failureOf(
      action(
        auth0PhoneEvent({ secrets: secrets({ OTP_COURIER_URL: 'http://otp.example.com/prod' }) }),
        clear,
      ),
    );
    expect(insecure.message).toBe('otp-courier: secret OTP_COURIER_URL must be an https URL');
    expect(tenant.tokenCalls).toBe(0);
  });

  it("prefers the user's own locale and leaves out what otp-courier does not read", async () => {
    await action(
      auth0PhoneEvent({
        secrets: secrets(),
        locale: 'en_US',
        user: {
          given_name: 'Zoé',
          user_metadata: { locale: 'fr-CA', favourite: 'x' },
          email: 'z@example.com',
        },
      }),
      actionApi(),
    );
    const [{ body }] = route.received as [Received];
    expect(body.user).toEqual({ given_name: 'Zoé', locale: 'fr-CA' });
    expect((body.notification as Record<string, unknown>).locale).toBe('en_US');
  });
});
