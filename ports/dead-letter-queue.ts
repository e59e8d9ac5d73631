import type { DeadLetter } from '../domain/dead-letter';

export interface ReceivedDeadLetter {
  readonly letter: DeadLetter;
  /** Removes the letter from the queue once it has been handled. */
  delete(): Promise<void>;
}

/** Where requests that ended without a confirmed send are parked. */
export interface DeadLetterQueue {
  park(letter: DeadLetter): Promise<void>;
  /** Reads up to `max` letters for redrive; they stay queued until deleted. */
  receive(max: number): Promise<readonly ReceivedDeadLetter[]>;
}
