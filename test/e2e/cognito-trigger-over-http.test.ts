import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COGNITO_TRIGGERS, cognitoSampleEvent, encryptAsCognito } from '../../app/local/cognito-sample-event';
import { loadOrCreateDevSecrets } from '../../app/local/dev-secrets';
import { COGNITO_INVOKE_PATH } from '../../app/local/lambda-invoke-route';
import {
  COGNITO_BANNER,
  type NpmStartProcess,
  REPO_ROOT,
  startNpmStart,
  TSX,
} from '../support/npm-start-process';
import { guardSecret } from '../support/secret-leak-guard';

/**
 * Cognito end to end, as a developer plays it: `npm start`, then `npm run send -- --idp cognito --trigger X`
 * for every trigger source — the code encrypted with the Encryption SDK, the event invoked through the
 * local stack's Lambda Invoke route into the same handler the Lambda runs, the message in the outbox.
 */
const run = promisify(execFile);

let server: NpmStartProcess;
let dataDir: string;
let baseUrl: string;

beforeAll(async () => {
  dataDir = join(await mkdtemp(join(tmpdir(), 'otp-courier-cognito-')), '.otp-courier');
  server = await startNpmStart({
    env: { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'WARN', BRAND_NAME: 'Acme' },
    banner: COGNITO_BANNER,
    timeoutMs: 20_000,
  });
  baseUrl = server.url;
}, 30_000);

afterAll(async () => {
  await server?.stop();
});

async function outbox(): Promise<Array<Record<string, string>>> {
  return (await readFile(join(dataDir, 'outbox.jsonl'), 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
}

const PURPOSE: Record<string, string> = {
  SignUp: 'enrollment',
  ResendCode: 'enrollment',
  VerifyUserAttribute: 'enrollment',
  UpdateUserAttribute: 'enrollment',
  ForgotPassword: 'password-reset',
  Authentication: 'verification',
  AdminCreateUser: 'temporary-password',
};

async function invoke(event: unknown, type = 'RequestResponse'): Promise<Response> {
  return fetch(`${baseUrl}${COGNITO_INVOKE_PATH}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-amz-invocation-type': type },
    body: JSON.stringify(event),
  });
}

describe('npm start + npm run send -- --idp cognito', () => {
  it('runs as documented: npm run send -- --idp cognito --trigger ForgotPassword (and AdminCreateUser)', async () => {
    for (const [trigger, secret] of [
      ['ForgotPassword', guardSecret('70615243')],
      ['AdminCreateUser', guardSecret('Tmp9!pass')],
    ] as const) {
      const { stdout } = await run(
        TSX,
        ['app/cli/send.ts', '--idp', 'cognito', '--trigger', trigger, '--code', secret, '--url', baseUrl],
        { cwd: REPO_ROOT, env: { ...process.env, DATA_DIR: dataDir } },
      );
      expect(stdout, trigger).toMatch(new RegExp(`CustomSMSSender_${trigger}: HTTP 200`));
      expect(stdout, trigger).toMatch(/"status": "SUCCESSFUL"/);
      expect(stdout).not.toContain(secret);
      const message = (await outbox()).at(-1);
      expect(message, trigger).toMatchObject({ purpose: PURPOSE[trigger], channel: 'sms' });
      expect(message?.body).toContain(secret);
    }
  }, 60_000);

  it('delivers every trigger source through the local Invoke route, each as its purpose', async () => {
    expect([...COGNITO_TRIGGERS].sort()).toEqual(Object.keys(PURPOSE).sort());
    const { cognitoKey } = await loadOrCreateDevSecrets(dataDir);
    for (const [i, trigger] of COGNITO_TRIGGERS.entries()) {
      const secret = guardSecret(trigger === 'AdminCreateUser' ? 'Xk3#mQ7!z' : String(30_000_000 + i));
      const event = cognitoSampleEvent({
        trigger: `CustomSMSSender_${trigger}` as Parameters<typeof cognitoSampleEvent>[0]['trigger'],
        ciphertext: await encryptAsCognito(secret, cognitoKey),
        locale: 'es-MX',
        // One phone per trigger: the brakes allow a phone two messages per 30 s, as they would in production.
        phone: `+141555501${10 + i}`,
      });
      const reply = await invoke(event);
      expect(reply.status, trigger).toBe(200);
      expect(await reply.json(), trigger).toMatchObject({ status: 'SUCCESSFUL' });
      const message = (await outbox()).at(-1);
      expect(message, trigger).toMatchObject({ purpose: PURPOSE[trigger], channel: 'sms' });
      expect(message?.body).toContain(secret);
      // A temporary password is never called a code: no Spanish template for it, so the default language's.
      expect(message?.locale).toBe(trigger === 'AdminCreateUser' ? 'en' : 'es-MX');
    }
    expect(server.output()).not.toMatch(/30000\d/);
  });

  it('a voice call when the app asks; Lambda retrying the same event sends nothing more', async () => {
    const { cognitoKey } = await loadOrCreateDevSecrets(dataDir);
    const event = cognitoSampleEvent({
      trigger: 'CustomSMSSender_Authentication',
      ciphertext: await encryptAsCognito(guardSecret('86420975'), cognitoKey),
      locale: 'de-AT',
      clientMetadata: { deliveryChannel: 'voice' },
      phone: '+14155550190',
    });
    const before = (await outbox()).length;
    // As Cognito invokes it: asynchronously, answered 202 at once.
    expect((await invoke(event, 'Event')).status).toBe(202);
    await expect.poll(async () => (await outbox()).length, { timeout: 5000 }).toBe(before + 1);
    expect((await outbox()).at(-1)).toMatchObject({
      channel: 'voice',
      locale: 'de',
      purpose: 'verification',
    });
    // Lambda's retry of the same invocation: the same derived id, answered from the record.
    const retry = await invoke(event);
    expect(await retry.json()).toMatchObject({ status: 'SUCCESSFUL' });
    expect((await outbox()).length).toBe(before + 1);
  });
});
