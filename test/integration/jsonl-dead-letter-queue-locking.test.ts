/**
 * Issue 9 §5: the local JSON-lines dead-letter queue stays whole when `npm run redrive` drains it while
 * `npm start` parks letters: two real processes on one file for a few seconds, every letter counted.
 */
import { spawn } from 'node:child_process';
import { appendFile, mkdir, mkdtemp, readFile, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import lockfile from 'proper-lockfile';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DeadLetterFileLockedError,
  JsonlDeadLetterQueue,
} from '../../adapters/local/jsonl-dead-letter-queue';
import type { DeadLetter } from '../../domain/dead-letter';
import { sampleDeadLetter, validLetters } from '../support/sample-dead-letter';

const WORKER = fileURLToPath(new URL('../support/jsonl-queue-worker.ts', import.meta.url));
const RUN_MS = 3_000;

interface WorkerReport {
  readonly role: 'park' | 'drain';
  readonly done: string[];
  readonly refused: string[];
  readonly refusal: string;
}

interface Worker {
  readonly ready: Promise<void>;
  start(): void;
  readonly report: Promise<WorkerReport>;
}

function worker(role: 'park' | 'drain', file: string, prefix: string): Worker {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER, role, file, String(RUN_MS), prefix], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  let signalReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => {
    signalReady = resolve;
  });
  child.stdout.on('data', (chunk) => {
    out += chunk;
    if (out.startsWith('ready\n')) signalReady();
  });
  child.stderr.on('data', (chunk) => {
    err += chunk;
  });
  const report = new Promise<WorkerReport>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${role} worker exited ${code}: ${err.slice(-2_000)}`));
      resolve(JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as WorkerReport);
    });
  });
  return { ready, start: () => child.stdin.end('go\n'), report };
}

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('JsonlDeadLetterQueue shared by two processes', () => {
  it(`two parking processes and a draining one, ${RUN_MS} ms: every letter drained or still queued, no broken line`, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'otp-courier-jsonl-'));
    dirs.push(dir);
    const file = join(dir, 'dead-letters.jsonl');

    const workers = [worker('park', file, 'a'), worker('park', file, 'b'), worker('drain', file, 'redrive')];
    // Node and tsx take a while to start on a busy machine: all three begin together, once all are up.
    await Promise.all(workers.map((w) => w.ready));
    for (const w of workers) w.start();
    const [parkA, parkB, drain] = (await Promise.all(workers.map((w) => w.report))) as [
      WorkerReport,
      WorkerReport,
      WorkerReport,
    ];
    const text = await readFile(file, 'utf8').catch(() => '');
    const lines = text.split('\n');
    expect(lines.pop(), 'the file ends with a newline').toBe('');
    const broken = lines.filter((line) => {
      try {
        return typeof (JSON.parse(line) as DeadLetter).eventId !== 'string';
      } catch {
        return true;
      }
    });
    const queued = lines.filter((l) => !broken.includes(l)).map((l) => (JSON.parse(l) as DeadLetter).eventId);

    const parked = [...parkA.done, ...parkB.done];
    const accounted = [...drain.done, ...queued].sort();
    const accountedSet = new Set(accounted);
    const summary = {
      parked: parked.length,
      refusedToPark: parkA.refused.length + parkB.refused.length,
      drained: drain.done.length,
      stillQueued: queued.length,
      brokenLines: broken.length,
      lost: parked.filter((id) => !accountedSet.has(id)).length,
      drainedTwice: drain.done.length - new Set(drain.done).size,
      drainRunsRefused: drain.refused.length,
      refusal: parkA.refusal || parkB.refusal || drain.refusal,
    };
    console.log('two processes on one JSONL dead-letter file:', JSON.stringify(summary));

    expect(broken).toEqual([]);
    expect(accounted).toEqual([...parked].sort());
    expect(summary.drainedTwice).toBe(0);
    // Both sides made real progress while contending for the file.
    expect(parked.length).toBeGreaterThan(50);
    expect(drain.done.length).toBeGreaterThan(20);
  }, 30_000);
});

const SEALED = { scheme: 'aes-256-gcm', keyId: 'k', ciphertext: 'c2VhbGVk' } as const;

async function freshFile(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'otp-courier-jsonl-'));
  dirs.push(dir);
  return join(dir, 'dead-letters.jsonl');
}

describe('JsonlDeadLetterQueue lock', () => {
  it('refuses with a clear message when another holder keeps the file locked, and writes nothing', async () => {
    const file = await freshFile();
    // Another process's lock, as proper-lockfile takes it: <file>.lock, kept fresh while held.
    const release = await lockfile.lock(file, { realpath: false });
    try {
      const queue = new JsonlDeadLetterQueue(file, { lockWaitMs: 200 });
      const started = Date.now();
      const refusal = await queue.park(sampleDeadLetter('evt-locked', SEALED)).catch((e: unknown) => e);
      expect(refusal).toBeInstanceOf(DeadLetterFileLockedError);
      expect(String((refusal as Error).message)).toContain('stayed locked by another process for 200 ms');
      expect(Date.now() - started).toBeLessThan(2_000);
      await expect(queue.receive(10)).rejects.toBeInstanceOf(DeadLetterFileLockedError);
    } finally {
      await release();
    }
    expect(await readFile(file, 'utf8').catch(() => 'absent')).toBe('absent');
  });

  it('takes over a lock left by a crashed process once it is stale', async () => {
    const file = await freshFile();
    await mkdir(`${file}.lock`);
    const minuteAgo = new Date(Date.now() - 60_000);
    await utimes(`${file}.lock`, minuteAgo, minuteAgo);
    const queue = new JsonlDeadLetterQueue(file, { lockWaitMs: 200 });
    await queue.park(sampleDeadLetter('evt-after-crash', SEALED));
    expect(validLetters(await queue.receive(10)).map((r) => r.letter.eventId)).toEqual(['evt-after-crash']);
  });

  it('a line a crash left unterminated spoils only itself: the next letter starts on its own line', async () => {
    const file = await freshFile();
    const queue = new JsonlDeadLetterQueue(file);
    await queue.park(sampleDeadLetter('evt-before', SEALED));
    await appendFile(file, '{"version":1,"eventId":"evt-cut-sho');
    await queue.park(sampleDeadLetter('evt-after', SEALED));
    const lines = (await readFile(file, 'utf8')).split('\n');
    expect(lines).toHaveLength(4);
    expect(JSON.parse(lines[0] ?? '').eventId).toBe('evt-before');
    expect(lines[1]).toBe('{"version":1,"eventId":"evt-cut-sho');
    expect(JSON.parse(lines[2] ?? '').eventId).toBe('evt-after');
  });
});
