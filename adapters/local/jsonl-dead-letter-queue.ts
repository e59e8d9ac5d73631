import { randomUUID } from 'node:crypto';
import { appendFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type DeadLetter, readDeadLetter } from '../../domain/dead-letter';
import type { DeadLetterQueue, MalformedDeadLetter, ReceivedDeadLetter } from '../../ports/dead-letter-queue';

/**
 * Dead letters in a local JSON Lines file, one letter per line, for the laptop stack.
 * Single-process only: writes are serialised through one promise chain, not a file lock.
 */
export class JsonlDeadLetterQueue implements DeadLetterQueue {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly path: string) {}

  park(letter: DeadLetter): Promise<void> {
    return this.serialised(async () => {
      await mkdir(dirname(this.path), { recursive: true });
      await appendFile(this.path, `${JSON.stringify(letter)}\n`, 'utf8');
    });
  }

  async receive(max: number): Promise<readonly (ReceivedDeadLetter | MalformedDeadLetter)[]> {
    const lines = await this.serialised(() => this.readLines());
    return lines.slice(0, max).map((line, i) => {
      const reading = readDeadLetter(line);
      if (!reading.ok) return { malformed: true, ref: `${this.path}:${i + 1}`, issues: reading.issues };
      return {
        letter: reading.letter,
        // By content, not index: lines may have been added or removed since this read.
        delete: () => this.serialised(() => this.remove(line)),
      };
    });
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

  private serialised<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }
}
