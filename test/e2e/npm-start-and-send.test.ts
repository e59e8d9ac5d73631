import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guardSecret } from '../support/secret-leak-guard';

/**
 * The two commands a newcomer types, as they run them: `npm start` in one process, `npm run send` in
 * another, talking over HTTP. (tsx directly rather than npm, which only adds its banner.)
 */
const root = fileURLToPath(new URL('../..', import.meta.url));
const tsx = join(root, 'node_modules/.bin/tsx');
const run = promisify(execFile);

let server: ChildProcess;
let dataDir: string;
let baseUrl: string;
let serverOutput = '';

beforeAll(async () => {
  // A data dir that does not exist yet, as on a fresh clone.
  dataDir = join(await mkdtemp(join(tmpdir(), 'otp-courier-npm-start-')), 'fresh', '.otp-courier');
  server = spawn(tsx, ['app/local/start.ts'], {
    cwd: root,
    env: { ...process.env, PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'WARN', BRAND_NAME: 'Acme' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  baseUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner in 20 s:\n${serverOutput}`)), 20_000);
    const onData = (chunk: Buffer) => {
      serverOutput += chunk.toString('utf8');
      const match = /POST (http:\/\/127\.0\.0\.1:\d+)\/okta\/telephony-hook/.exec(serverOutput);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    server.stdout?.on('data', onData);
    server.stderr?.on('data', onData);
    server.once('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${serverOutput}`)));
  });
}, 30_000);

afterAll(async () => {
  if (server && server.exitCode === null) {
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGTERM');
    await exited;
  }
});

describe('npm start + npm run send', () => {
  it('sends a French-Canadian voice call end to end and the message lands in the outbox', async () => {
    const code = guardSecret('48213907');
    const { stdout } = await run(
      tsx,
      ['app/cli/send.ts', '--url', baseUrl, '--channel', 'voice', '--locale', 'fr-CA', '--code', code],
      { cwd: root, env: { ...process.env, DATA_DIR: dataDir } },
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
    expect(serverOutput).toMatch(/outbox: VOICE to \+1\*+23 in fr-CA/);
    expect(serverOutput).not.toContain(code);
  });

  it('prints a curl command that works as printed', async () => {
    const { stdout } = await run(
      tsx,
      ['app/cli/send.ts', '--url', baseUrl, '--print-curl', '--locale', 'de'],
      {
        cwd: root,
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
    const failed = await run(tsx, ['app/local/start.ts', '--in-memory'], {
      cwd: root,
      env: { ...process.env, PORT: '0', DATA_DIR: dataDir, DEADLINE_MS: 'soon' },
    }).catch((error: { code: number; stderr: string }) => error);
    expect(failed).toMatchObject({ code: 1 });
    expect((failed as { stderr: string }).stderr).toMatch(/DEADLINE_MS must be a whole number/);
  });
});
