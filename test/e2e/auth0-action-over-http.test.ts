import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH0_PHONE_MESSAGE_PATH } from '../../app/http-hook-routes';
import {
  ActionsCache,
  actionApi,
  auth0PhoneEvent,
  type CustomPhoneProviderAction,
  loadAuth0Action,
} from '../../app/local/auth0-actions-runtime';
import { DEV_AUTH0_AUDIENCE, DEV_AUTH0_CLIENT_ID, DEV_AUTH0_CLIENT_SECRET } from '../../app/local/dev-issuer';
import { BlackHoleServer } from '../support/black-hole-server';
import { startTestStack } from '../support/local-stack-fixture';
import { guardSecret } from '../support/secret-leak-guard';

/**
 * Auth0 end to end: the shipped Action file, run as Auth0 runs it, against the real local stack — its
 * /oauth/token standing in for the tenant (real RS256 JWTs), its /auth0/phone-message behind the Auth0
 * authorizer, the hook core, dynalite, the outbox.
 */
let fixture: Awaited<ReturnType<typeof startTestStack>>;
let down: Awaited<ReturnType<typeof startTestStack>>;
let hole: BlackHoleServer;
let action: CustomPhoneProviderAction;

beforeAll(async () => {
  action = loadAuth0Action();
  [fixture, down, hole] = await Promise.all([
    startTestStack(),
    // The primary provider refuses every call and there is no fallback: deliveries end FAILED.
    startTestStack({ LOCAL_PRIMARY: 'down' }),
    BlackHoleServer.start(),
  ]);
}, 60_000);

afterAll(async () => {
  await Promise.all([fixture?.stack.close(), down?.stack.close(), hole?.close()]);
});

function secretsFor(base: string, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    AUTH0_DOMAIN: base,
    AUTH0_CLIENT_ID: DEV_AUTH0_CLIENT_ID,
    AUTH0_CLIENT_SECRET: DEV_AUTH0_CLIENT_SECRET,
    OTP_COURIER_AUDIENCE: DEV_AUTH0_AUDIENCE,
    OTP_COURIER_URL: base,
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

describe('the shipped Auth0 Action against the local stack', () => {
  it('delivers an SMS with our template, reusing its cached token on the next execution', async () => {
    const cache = new ActionsCache();
    const code = guardSecret('604219');
    const before = (await fixture.outbox()).length;
    await action(auth0PhoneEvent({ code, secrets: secretsFor(fixture.stack.baseUrl) }), actionApi(cache));
    const second = guardSecret('604220');
    await action(
      auth0PhoneEvent({
        code: second,
        messageType: 'otp_enroll',
        secrets: secretsFor(fixture.stack.baseUrl),
      }),
      actionApi(cache),
    );
    // One token request for both executions.
    expect(cache.writes).toHaveLength(1);

    const records = (await fixture.outbox()).slice(before);
    expect(records).toHaveLength(2);
    expect(records[0]).toMatchObject({
      to: '+18085555555',
      channel: 'sms',
      purpose: 'verification',
      // Our template (en-US falls back to en), not Auth0's text.
      locale: 'en',
      templateSource: expect.not.stringMatching(/^idp$/),
    });
    expect(records[0]?.body).toContain(code);
    expect(records[1]?.purpose).toBe('enrollment');
  });

  it('voice in the user’s language: fr-CA from user_metadata, spoken with our voice template', async () => {
    const code = guardSecret('771204');
    await action(
      auth0PhoneEvent({
        code,
        deliveryMethod: 'voice',
        user: { given_name: 'Zoé', user_metadata: { locale: 'fr-CA' } },
        secrets: secretsFor(fixture.stack.baseUrl),
      }),
      actionApi(),
    );
    const record = (await fixture.outbox()).at(-1);
    expect(record).toMatchObject({ channel: 'voice', locale: 'fr-CA', bodyType: 'ssml' });
  });

  it('Auth0 repeating a notification (retry) never sends it twice', async () => {
    const code = guardSecret('330917');
    const before = (await fixture.outbox()).length;
    const event = () => auth0PhoneEvent({ code, secrets: secretsFor(fixture.stack.baseUrl) });
    await action(event(), actionApi());
    await action(event(), actionApi());
    const records = (await fixture.outbox()).slice(before).filter((r) => r.body.includes(code));
    expect(records).toHaveLength(1);
  });

  it('a delivery otp-courier could not make: drop (its dead letter is parked), no code in the error', async () => {
    const code = guardSecret('918273');
    const api = actionApi();
    const error = await failureOf(
      action(auth0PhoneEvent({ code, secrets: secretsFor(down.stack.baseUrl) }), api),
    );
    expect(error.message).toMatch(/^otp-courier: delivery failed \([a-z-]+\)$/);
    expect(api.told).toEqual([{ intent: 'drop', reason: error.message }]);
    expect(error.message + (error.stack ?? '')).not.toContain(code);
  });

  it('a notification without a code is refused: drop', async () => {
    const api = actionApi();
    const event = auth0PhoneEvent({
      code: null,
      messageType: 'password_breach',
      secrets: secretsFor(fixture.stack.baseUrl),
    });
    const error = await failureOf(action(event, api));
    expect(error.message).toBe('otp-courier: HTTP 400 (invalid-request)');
    expect(api.told[0]?.intent).toBe('drop');
  });

  it('the route refuses tokens that are not the Auth0 M2M application’s', async () => {
    const body = JSON.stringify({
      notification: {
        recipient: '+14155550123',
        code: '123456',
        delivery_method: 'text',
        message_type: 'otp_verify',
      },
    });
    const url = `${fixture.stack.baseUrl}${AUTH0_PHONE_MESSAGE_PATH}`;
    const post = (authorization: string) =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization }, body });
    const issuer = fixture.stack.devAuth0Issuer;
    expect(issuer).toBeDefined();
    if (!issuer || !fixture.stack.devIssuer) return;
    // An Okta token, a token for another application, another audience, another grant, no scope.
    for (const token of [
      await fixture.stack.devIssuer.mint(),
      await issuer.mint({ clientId: 'another-m2m-application' }),
      await issuer.mint({ audience: 'https://another.example.com/api' }),
      await issuer.mint({ grantType: 'password' }),
      await issuer.mint({ scope: 'read:users' }),
    ]) {
      expect((await post(`Bearer ${token}`)).status).toBe(401);
    }
    expect((await post(`Bearer ${await issuer.mint()}`)).status).toBe(200);
  });

  it('stays within its budget when otp-courier never answers', async () => {
    const api = actionApi();
    const started = Date.now();
    const error = await failureOf(
      action(
        auth0PhoneEvent({
          secrets: secretsFor(fixture.stack.baseUrl, {
            OTP_COURIER_URL: hole.url,
            OTP_COURIER_BUDGET_MS: '1000',
          }),
        }),
        api,
      ),
    );
    expect(Date.now() - started).toBeLessThan(3000);
    expect(error.message).toMatch(/did not answer within/);
    expect(api.told[0]?.intent).toBe('retry');
  });

  it('npm run send -- --idp auth0: the developer’s way in, its api.cache kept between runs', async () => {
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const dataDir = await mkdtemp(join(tmpdir(), 'otp-courier-auth0-send-'));
    const send = async (...args: string[]) => {
      const { stdout } = await promisify(execFile)(
        join(root, 'node_modules/.bin/tsx'),
        ['app/cli/send.ts', '--idp', 'auth0', '--url', fixture.stack.baseUrl, ...args],
        { cwd: root, env: { ...process.env, DATA_DIR: dataDir }, timeout: 30_000 },
      );
      return stdout;
    };
    expect(await send('--phone', '+14155550142')).toMatch(
      /^Action completed in \d+ ms \(new token from \/oauth\/token\)/,
    );
    expect(await send('--phone', '+14155550143', '--channel', 'voice')).toMatch(
      /^Action completed in \d+ ms \(token from api\.cache\)/,
    );
  }, 60_000);

  it('round trip: token cached, Action → route → core → outbox', async () => {
    const cache = new ActionsCache();
    const times: number[] = [];
    for (let i = 0; i < 15; i++) {
      const started = performance.now();
      await action(
        auth0PhoneEvent({ code: String(500_000 + i), secrets: secretsFor(fixture.stack.baseUrl) }),
        actionApi(cache),
      );
      times.push(performance.now() - started);
    }
    const sorted = times.slice(1).sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
    console.info(
      `auth0 action round trip (cached token): first ${Math.round(times[0] ?? 0)} ms, median ${Math.round(median)} ms, max ${Math.round(sorted.at(-1) ?? 0)} ms`,
    );
    expect(cache.writes).toHaveLength(1);
    expect(median).toBeLessThan(2500);
  });
});
