import type { DeadLetter } from '../../domain/dead-letter';
import type { DeadLetterQueue, ReceivedDeadLetter } from '../../ports/dead-letter-queue';

/** Parks letters in memory: what was parked, before the reply, is what is here. */
export class MemoryDeadLetters implements DeadLetterQueue {
  readonly letters: DeadLetter[] = [];
  async park(letter: DeadLetter): Promise<void> {
    this.letters.push(letter);
  }
  async receive(): Promise<readonly ReceivedDeadLetter[]> {
    return [];
  }
}
