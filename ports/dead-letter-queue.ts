import type { DeadLetter } from '../domain/dead-letter';
import type { CallOptions } from './call-options';

export interface ReceivedDeadLetter {
  readonly letter: DeadLetter;
  /** Removes the letter from the queue once it has been handled. */
  delete(): Promise<void>;
}

/** A queued item that is not a valid dead letter: reported and left in the queue for an operator. */
export interface MalformedDeadLetter {
  readonly malformed: true;
  /** Where it is: the SQS message id, or the line of the local file. */
  readonly ref: string;
  /** What is wrong, by field; never the content. */
  readonly issues: readonly string[];
}

/** Where requests that ended without a confirmed send are parked. */
export interface DeadLetterQueue {
  park(letter: DeadLetter, options?: CallOptions): Promise<void>;
  /**
   * Reads up to `max` items for redrive; they stay queued until deleted. Each is checked on read
   * (readDeadLetter): one malformed item never hides the others.
   */
  receive(max: number): Promise<readonly (ReceivedDeadLetter | MalformedDeadLetter)[]>;
}
