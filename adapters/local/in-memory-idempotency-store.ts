import type { DeliveryOutcome } from '../../domain/delivery-outcome';
import type {
  ClaimResult,
  DeliveryState,
  IdempotencyKeys,
  IdempotencyStore,
} from '../../ports/idempotency-store';

interface Entry {
  state: DeliveryState;
  outcome?: DeliveryOutcome;
  expiresAt: number;
}

/** Process-local idempotency for tests and benchmarks; the local stack and AWS use DynamoDB. */
export class InMemoryIdempotencyStore implements IdempotencyStore {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly now: () => number = Date.now,
    /** Records live at least this long, even for a passcode that already expired (as in DynamoDB). */
    private readonly minRetentionMs = 300_000,
  ) {}

  async claim(
    keys: IdempotencyKeys,
    expiresAt: number,
    options: { readonly signal?: AbortSignal } = {},
  ): Promise<ClaimResult> {
    // Synchronous from here on, so no transport can repeat the write: only the deadline applies.
    options.signal?.throwIfAborted();
    for (const key of [keys.eventKey, keys.codeKey]) {
      const existing = this.live(key);
      if (existing)
        return {
          claimed: false,
          state: existing.state,
          ...(existing.outcome ? { outcome: existing.outcome } : {}),
        };
    }
    // Replays of an expired event are deduplicated like any other.
    const entry: Entry = {
      state: 'in-progress',
      expiresAt: Math.max(expiresAt, this.now() + this.minRetentionMs),
    };
    this.entries.set(keys.eventKey, entry);
    this.entries.set(keys.codeKey, entry);
    return { claimed: true };
  }

  async complete(keys: IdempotencyKeys, state: 'sent' | 'failed', outcome: DeliveryOutcome): Promise<void> {
    for (const key of [keys.eventKey, keys.codeKey]) {
      const entry = this.entries.get(key);
      if (entry) {
        entry.state = state;
        entry.outcome = outcome;
      }
    }
  }

  private live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }
}
