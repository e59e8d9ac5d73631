import type { CounterIncrement, RateCounterStore } from '../../ports/rate-counter-store';

/** Process-local counters for tests and benchmarks; the local stack and AWS use DynamoDB. */
export class InMemoryRateCounterStore implements RateCounterStore {
  private readonly counters = new Map<string, { total: number; expiresAt: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  async increment(increments: readonly CounterIncrement[]): Promise<number[]> {
    return increments.map(({ key, field, amount, expiresAt }) => {
      assertAmount(amount);
      const id = idOf(key, field);
      const counter = this.live(id) ?? { total: 0, expiresAt };
      counter.total += amount;
      counter.expiresAt = Math.max(counter.expiresAt, expiresAt);
      this.counters.set(id, counter);
      return counter.total;
    });
  }

  async decrement(increments: readonly CounterIncrement[]): Promise<void> {
    for (const { key, field, amount } of increments) {
      assertAmount(amount);
      const counter = this.live(idOf(key, field));
      if (counter && amount > 0 && counter.total >= amount) counter.total -= amount;
    }
  }

  /** The current total of a counter (0 if absent or expired). */
  total(key: string, field?: string): number {
    return this.live(idOf(key, field))?.total ?? 0;
  }

  /** Every live counter, for assertions. */
  snapshot(): Map<string, number> {
    const out = new Map<string, number>();
    for (const key of this.counters.keys()) {
      const counter = this.live(key);
      if (counter) out.set(key, counter.total);
    }
    return out;
  }

  private live(key: string) {
    const counter = this.counters.get(key);
    if (counter && counter.expiresAt <= this.now()) {
      this.counters.delete(key);
      return undefined;
    }
    return counter;
  }
}

const idOf = (key: string, field = 'total') => `${key}|${field}`;

function assertAmount(amount: number): void {
  if (!Number.isSafeInteger(amount) || amount < 0)
    throw new RangeError('amount must be a non-negative whole number');
}
