import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import lockfile from 'proper-lockfile';
import { type DeadLetter, readDeadLetter } from '../../domain/dead-letter';
import type { DeadLetterQueue, MalformedDeadLetter, ReceivedDeadLetter } from '../../ports/dead-letter-queue';

export interface JsonlDeadLetterQueueOptions {
  /** How long to wait for another process's lock before refusing (default 5,000 ms). */
  readonly lockWaitMs?: number;
  /** A lock not refreshed for this long was left by a crashed process and is taken over (default 10,000 ms). */
  readonly staleLockMs?: number;
}

/** The file stayed locked by another process for longer than we wait: nothing was read or written. */
export class DeadLetterFileLockedError extends Error {
  override readonly name = 'DeadLetterFileLockedError';
}

// Polling for the lock: quick at first (holders keep it for one append or one rewrite), then every 25 ms.
const RETRY_MIN_MS = 2;
const RETRY_MAX_MS = 25;

/**
 * Dead letters in a local JSON Lines file, one letter per line, for the laptop stack.
 *
 * `npm start` appends while `npm run redrive` reads and rewrites the same file from another process, so
 * every access takes a cross-process lock (proper-lockfile: an atomic `mkdir` of `<file>.lock`, refreshed
 * while held, taken over when a crashed holder left it stale). Without it a rewrite silently dropped
 * whatever was appended between its read and its rename. Within one process, accesses also queue on a
 * promise chain. Waiting longer than `lockWaitMs` refuses with DeadLetterFileLockedError: the hook then
 * logs the whole letter with its sealed code, and redrive stops with that message; nothing is lost.
 */
export class JsonlDeadLetterQueue implements DeadLetterQueue {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly lockWaitMs: number;
  private readonly staleLockMs: number;

  constructor(
    private readonly path: string,
    options: JsonlDeadLetterQueueOptions = {},
  ) {
    this.lockWaitMs = options.lockWaitMs ?? 5_000;
    this.staleLockMs = Math.max(2_000, options.staleLockMs ?? 10_000);
  }

  park(letter: DeadLetter): Promise<void> {
    return this.locked(() => this.append(`${JSON.stringify(letter)}\n`));
  }

  async receive(max: number): Promise<readonly (ReceivedDeadLetter | MalformedDeadLetter)[]> {
    const lines = await this.locked(() => this.readLines());
    return lines.slice(0, max).map((line, i) => {
      const reading = readDeadLetter(line);
      if (!reading.ok) return { malformed: true, ref: `${this.path}:${i + 1}`, issues: reading.issues };
      return {
        letter: reading.letter,
        // By content, not index: lines may have been added or removed since this read.
        delete: () => this.locked(() => this.remove(line)),
      };
    });
  }

  /** One write per letter; a line left unterminated by a crash is closed first, so it spoils only itself. */
  private async append(line: string): Promise<void> {
    const file = await open(this.path, 'a+');
    try {
      const { size } = await file.stat();
      let prefix = '';
      if (size > 0) {
        const last = Buffer.alloc(1);
        await file.read(last, 0, 1, size - 1);
        if (last[0] !== 0x0a) prefix = '\n';
      }
      await file.write(prefix + line);
    } finally {
      await file.close();
    }
  }

  private async readLines(): Promise<string[]> {
    try {
      const text = await readFile(this.path, 'utf8');
      return text.split('\n').filter((line) => line.trim() !== '');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }

  private async remove(line: string): Promise<void> {
    const lines = await this.readLines();
    const i = lines.indexOf(line);
    if (i < 0) return;
    lines.splice(i, 1);
    // Write-then-rename, so a crash mid-write never leaves a truncated file.
    const tmp = `${this.path}.${randomUUID()}.tmp`;
    await writeFile(tmp, lines.map((l) => `${l}\n`).join(''), 'utf8');
    await rename(tmp, this.path);
  }

  /** Runs `task` holding both the in-process turn and the cross-process lock on the file. */
  private locked<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(
      () => this.withFileLock(task),
      () => this.withFileLock(task),
    );
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async withFileLock<T>(task: () => Promise<T>): Promise<T> {
    await mkdir(dirname(this.path), { recursive: true });
    let compromised: Error | undefined;
    let release: () => Promise<void>;
    try {
      release = await lockfile.lock(this.path, {
        // The file need not exist yet; the lock is `<file>.lock` beside it.
        realpath: false,
        stale: this.staleLockMs,
        retries: {
          retries: Math.ceil(this.lockWaitMs / RETRY_MAX_MS),
          minTimeout: RETRY_MIN_MS,
          maxTimeout: RETRY_MAX_MS,
          factor: 1.5,
        },
        // Default: throw from a timer, i.e. crash the process. Report it to this call instead.
        onCompromised: (error) => {
          compromised = error;
        },
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ELOCKED') {
        throw new DeadLetterFileLockedError(
          `${this.path} stayed locked by another process for ${this.lockWaitMs} ms ` +
            '(npm start parking letters, or another npm run redrive); nothing was read or written',
          { cause: error },
        );
      }
      throw error;
    }
    let result: T;
    try {
      result = await task();
    } finally {
      await release().catch(() => undefined);
    }
    if (compromised) {
      // Someone took the lock over (we stalled past staleLockMs): what we did may have raced them.
      throw new DeadLetterFileLockedError(
        `the lock on ${this.path} was lost while held: ${compromised.message}`,
        {
          cause: compromised,
        },
      );
    }
    return result;
  }
}
