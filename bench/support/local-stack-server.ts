/**
 * Child process for measurement 2: `npm start`'s stack (startLocalStack, dynalite in memory) on its
 * own event loop, so the load generator in the parent does not steal its core. It reports its URL and
 * a few dev-issuer tokens over IPC and closes when told to.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalStack } from '../../app/local/local-stack';

export interface LocalStackReady {
  readonly type: 'ready';
  readonly hookUrl: string;
  readonly tokens: readonly string[];
}

const TOKENS = 8;

const dataDir = await mkdtemp(join(tmpdir(), 'otp-courier-bench-stack-'));
const stack = await startLocalStack({
  // A clean environment: the stack is its own token issuer, as with a plain `npm start`.
  // Velocity limits off: the load comes from one dev user and IP (a real org's traffic would not); the
  // brakes' own cost is measured by the brakes section.
  env: {
    DATA_DIR: dataDir,
    BRAND_NAME: 'Acme',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'INFO',
    BRAKES_LIMITS: 'none',
  },
  inMemory: true,
  port: 0,
  announce: () => {},
});
const issuer = stack.devIssuer;
if (!issuer) throw new Error('the local stack did not start its dev issuer');
const tokens = await Promise.all(Array.from({ length: TOKENS }, () => issuer.mint()));
process.send?.({ type: 'ready', hookUrl: stack.hookUrl, tokens } satisfies LocalStackReady);

process.on('message', (message) => {
  if (message !== 'close') return;
  void stack
    .close()
    .then(() => rm(dataDir, { recursive: true, force: true }))
    .finally(() => process.exit(0));
});
