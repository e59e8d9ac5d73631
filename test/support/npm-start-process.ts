import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** tsx directly rather than npm, which only adds its banner. */
export const TSX = join(REPO_ROOT, 'node_modules/.bin/tsx');

/** `npm start` (app/local/start.ts) in a process of its own, as a newcomer runs it. */
export interface NpmStartProcess {
  /** The base URL the banner printed for `route`. */
  readonly url: string;
  /** Everything the process wrote to stdout and stderr so far (log lines, outbox lines). */
  output(): string;
  /** SIGTERM, then wait for the exit. */
  stop(): Promise<void>;
}

/**
 * Spawns `npm start` with `env` and waits for its banner line matching `banner`, whose first group is
 * the URL. Rejects with everything the process wrote if the banner is not seen within `timeoutMs`, or
 * if the process exits first.
 */
export async function startNpmStart(options: {
  readonly env: NodeJS.ProcessEnv;
  readonly banner: RegExp;
  readonly timeoutMs: number;
}): Promise<NpmStartProcess> {
  const server: ChildProcess = spawn(TSX, ['app/local/start.ts'], {
    cwd: REPO_ROOT,
    // A free port always: a PORT in the caller's environment must not collide with a running stack.
    env: { ...options.env, PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const stop = async (): Promise<void> => {
    if (server.exitCode !== null || server.signalCode !== null) return;
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGTERM');
    await exited;
  };
  // Every chunk is kept, before and after the banner: tests read the log and outbox lines it prints.
  const keep = (chunk: Buffer) => {
    output += chunk.toString('utf8');
  };
  server.stdout?.on('data', keep);
  server.stderr?.on('data', keep);
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no banner in ${options.timeoutMs / 1000} s:\n${output}`)),
        options.timeoutMs,
      );
      const look = () => {
        const match = options.banner.exec(output);
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      };
      server.stdout?.on('data', look);
      server.stderr?.on('data', look);
      server.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`npm start exited with ${code}:\n${output}`));
      });
    });
    return { url, output: () => output, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The banner line of the Okta telephony hook route. */
export const OKTA_HOOK_BANNER = /POST (http:\/\/127\.0\.0\.1:\d+)\/okta\/telephony-hook/;
/** The banner line of the Cognito trigger route. */
export const COGNITO_BANNER = /cognito +POST (http:\/\/127\.0\.0\.1:\d+)\//;
