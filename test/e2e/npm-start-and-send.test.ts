import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type NpmStartProcess,
  OKTA_HOOK_BANNER,
  REPO_ROOT,
  startNpmStart,
  TSX,
} from '../support/npm-start-process';
import { guardSecret } from '../support/secret-leak-guard';

/**
 * The two commands a newcomer types, as they run them: `npm start` in one process, `npm run send` in
 * another, talking over HTTP. (tsx directly rather than npm, which only adds its banner.)
 */
const run = promisify(execFile);

let server: NpmStartProcess;
let dataDir: string;
let baseUrl: string;

beforeAll(async () => {
  // A data dir that does not exist yet, as on a fresh clone.
  dataDir = join(await mkdtemp(join(tmpdir(), 'otp-courier-npm-start-')), 'fresh', '.otp-courier');
  server = await startNpmStart({
    env: { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'WARN', BRAND_NAME: 'Acme' },
    banner: OKTA_HOOK_BANNER,
    timeoutMs: 20_000,
  });
  baseUrl = server.url;
}, 30_000);

afterAll(async () => {
  await server?.stop();
});

describe('npm start + npm run send', () => {
  it('sends a French-Canadian voice call end to end and the message lands in the outbox', async () => {
    const code = guardSecret('48213907');
    const { stdout } = await run(
      TSX,
      ['app/cli/send.ts', '--url', baseUrl, '--channel', 'voice', '--locale', 'fr-CA', '--code', code],
      { cwd: REPO_ROOT, env: { ...process.env, DATA_DIR: dataDir } },
    );
    expect(stdout).toMatch(/HTTP 200/);
    expect(stdout).toMatch(/"status": "SUCCESSFUL"/);
    const outbox = (await readFile(join(dataDir, 'outbox.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(outbox.at(-1)).toMatchObject({
      channel: 'voice',
      locale: 'fr-CA',
      voiceId: 'CHANTAL',
      bodyType: 'ssml',
    });
    expect(server.output()).toMatch(/outbox: VOICE to \+1\*+23 in fr-CA/);
    expect(server.output()).not.toContain(code);
  });

  it('prints a curl command that works as printed', async () => {
    const { stdout } = await run(
      TSX,
      ['app/cli/send.ts', '--url', baseUrl, '--print-curl', '--locale', 'de'],
      {
        cwd: REPO_ROOT,
        env: { ...process.env, DATA_DIR: dataDir },
      },
    );
    expect(stdout).toMatch(
      /^curl -sS -X POST 'http:\/\/127\.0\.0\.1:\d+\/okta\/telephony-hook' .*authorization: Bearer ey/,
    );
    const { stdout: reply } = await run('bash', ['-c', stdout]);
    expect(JSON.parse(reply).commands[0].value[0].status).toBe('SUCCESSFUL');
  });

  it('refuses to start on bad configuration, naming the variable', async () => {
    const failed = await run(TSX, ['app/local/start.ts', '--in-memory'], {
      cwd: REPO_ROOT,
      env: { ...process.env, PORT: '0', DATA_DIR: dataDir, DEADLINE_MS: 'soon' },
    }).catch((error: { code: number; stderr: string }) => error);
    expect(failed).toMatchObject({ code: 1 });
    expect((failed as { stderr: string }).stderr).toMatch(/DEADLINE_MS must be a whole number/);
  });
});
