import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import autocannon, { type AutocannonRequest } from 'autocannon';
import { createTraffic } from '../support/hook-traffic';
import type { LocalStackReady } from '../support/local-stack-server';
import { type Distribution, distribution, round, roundDistribution } from '../support/stats';

export interface LoadLevel {
  readonly connections: number;
  readonly durationSeconds: number;
  readonly requests: number;
  readonly requestsPerSecond: number;
  readonly latencyMs: Distribution;
  readonly non2xx: number;
  /** Connection errors and timeouts. */
  readonly errors: number;
  /** 200 replies whose status was not SUCCESSFUL (a FAILED or PENDING delivery). */
  readonly notSuccessful: number;
}

export interface LocalStackLoadResult {
  readonly levels: readonly LoadLevel[];
}

const LEVELS = [1, 8, 32];
const SECONDS_PER_LEVEL = 5;
const WARMUP_SECONDS = 2;
const DRAIN_MS = 1_000;

function startServer(): Promise<{ child: ChildProcess; ready: LocalStackReady }> {
  const child = fork(fileURLToPath(new URL('../support/local-stack-server.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx'],
    // The stack logs every request at INFO, as `npm start` does; the figures, not the logs, matter here.
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`local stack exited early (code ${code})`)));
    child.once('message', (message) => resolve({ child, ready: message as LocalStackReady }));
  });
}

/**
 * Measurement 2: the local stack over real HTTP, as `npm start` runs it (dynalite in-process for
 * templates and idempotency, outbox sender), at increasing concurrency. Every request carries a
 * valid signed token and a fresh event id and code; SMS and voice across ten locales.
 */
export async function runLocalStackLoad(): Promise<LocalStackLoadResult> {
  const { child, ready } = await startServer();
  const traffic = createTraffic();
  let next = 0;
  const setupRequest = (request: AutocannonRequest): AutocannonRequest => {
    const i = next++;
    return {
      ...request,
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${ready.tokens[i % ready.tokens.length]}`,
      },
      body: traffic.body(i),
    };
  };

  async function level(connections: number, durationSeconds: number): Promise<LoadLevel> {
    const samples: number[] = [];
    const instance = autocannon({
      url: ready.hookUrl,
      connections,
      duration: durationSeconds,
      timeout: 10,
      requests: [{ setupRequest }],
      verifyBody: (body) => body.includes('"status":"SUCCESSFUL"'),
    });
    instance.on('response', (_client, _status, _bytes, responseTimeMs) => samples.push(responseTimeMs));
    const result = await instance;
    return {
      connections,
      durationSeconds: round(result.duration, 2),
      requests: samples.length,
      requestsPerSecond: round(samples.length / result.duration, 0),
      latencyMs: roundDistribution(distribution(samples), 2),
      non2xx: result.non2xx,
      errors: result.errors + result.timeouts,
      // Mismatches include non-2xx replies; count only the 200s that were not a confirmed send.
      notSuccessful: Math.max(0, result.mismatches - result.non2xx),
    };
  }

  try {
    // Warm-up: JIT, keep-alive sockets, and the template cache for every locale × channel × purpose.
    await level(8, WARMUP_SECONDS);
    const levels: LoadLevel[] = [];
    for (const connections of LEVELS) levels.push(await level(connections, SECONDS_PER_LEVEL));
    return { levels };
  } finally {
    // autocannon stops sending at the deadline but requests may still be in flight; let them finish
    // before the stack (and its dynalite) shuts down under them.
    await new Promise((resolve) => setTimeout(resolve, DRAIN_MS));
    child.removeAllListeners('exit');
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.send('close');
    await exited;
  }
}
