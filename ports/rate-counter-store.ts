/** One addition to one counter. */
export interface CounterIncrement {
  /** The stored item: opaque and complete (it names the dimension, the window and the fingerprinted subject). */
  readonly key: string;
  /**
   * The counter within the item (default "total"). Increments to several fields of one key are one
   * atomic write, which is how counters that share a subject cost one write.
   */
  readonly field?: string;
  /** A whole number, at least 0 (0 only reads the total). */
  readonly amount: number;
  /** Epoch milliseconds after which the counter may be deleted. */
  readonly expiresAt: number;
}

/**
 * Counters for the brakes (velocity limits and spend caps). Each counter is updated atomically on its
 * own; a set of them is not a transaction. Failures reject, and the caller decides whether that fails open
 * or closed.
 */
export interface RateCounterStore {
  /** Adds each amount and resolves to the new totals, in the order given. */
  increment(increments: readonly CounterIncrement[], options?: { signal?: AbortSignal }): Promise<number[]>;
  /**
   * Takes earlier increments back (a duplicate, or spend that was never sent). A counter never goes below
   * zero: a take-back larger than the total, or for a counter that is gone, changes nothing.
   */
  decrement(increments: readonly CounterIncrement[], options?: { signal?: AbortSignal }): Promise<void>;
}
