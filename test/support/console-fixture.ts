import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type LocalStack, startLocalStack } from '../../app/local/local-stack';

const root = fileURLToPath(new URL('../..', import.meta.url));
export const tsx = join(root, 'node_modules/.bin/tsx');
export const projectRoot = root;

export interface ConsoleFixture {
  readonly stack: LocalStack;
  readonly dataDir: string;
  /** The address `npm run console` printed, token included. */
  readonly loginUrl: string;
  readonly origin: string;
  readonly output: () => string;
  close(): Promise<void>;
}

/**
 * The two processes an operator runs: the local stack (here in this process, its dynalite on disk in a
 * temp data dir so it advertises its endpoint as `npm start` does) and `npm run console` as a real
 * child process, found through that advertised endpoint.
 */
export async function startConsoleFixture(
  env: Record<string, string> = {},
  /** Runs on the empty data dir before the stack starts (e.g. to write an operator's table). */
  prepare?: (dataDir: string) => Promise<void>,
): Promise<ConsoleFixture> {
  const dataDir = await mkdtemp(join(tmpdir(), 'otp-courier-console-'));
  await prepare?.(dataDir);
  const stack = await startLocalStack({
    env: { DATA_DIR: dataDir, LOG_LEVEL: 'WARN', BRAND_NAME: 'Acme', ...env },
    port: 0,
    announce: () => {},
  });
  let output = '';
  const child: ChildProcess = spawn(tsx, ['app/console/start.ts'], {
    cwd: root,
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      CONSOLE_PORT: '0',
      BRAND_NAME: 'Acme',
      LOG_LEVEL: 'WARN',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    const loginUrl = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no console address in 25 s:\n${output}`)), 25_000);
      const onData = (chunk: Buffer) => {
        output += chunk.toString('utf8');
        const match = /open {2}(http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(output);
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`npm run console exited with ${code}:\n${output}`));
      });
    });
    return {
      stack,
      dataDir,
      loginUrl,
      origin: new URL(loginUrl).origin,
      output: () => output,
      async close() {
        if (child.exitCode === null) {
          const exited = new Promise((resolve) => child.once('exit', resolve));
          child.kill('SIGTERM');
          await exited;
        }
        await stack.close();
      },
    };
  } catch (error) {
    child.kill('SIGTERM');
    await stack.close();
    throw error;
  }
}
