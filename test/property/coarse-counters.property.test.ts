import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InMemoryRateCounterStore } from '../../adapters/local/in-memory-rate-counter-store';
import { CoarseCounters } from '../../app/coarse-counters';
import type { CounterIncrement, RateCounterStore } from '../../ports/rate-counter-store';
import '../support/fast-check-seed';

const START = Date.UTC(2026, 10, 30, 9, 0, 0);
const KEY = 'country#3600#1796029200#US';
const inc = (amount: number): CounterIncrement => ({ key: KEY, amount, expiresAt: START + 86_400_000 });

interface Step {
  readonly instance: number;
  readonly gapMs: number;
  readonly amount: number;
}

const step = (instances: number): fc.Arbitrary<Step> =>
  fc.record({
    instance: fc.integer({ min: 0, max: instances - 1 }),
    gapMs: fc.constantFrom(0, 10, 100, 400, 999, 1_000, 2_500),
    amount: fc.integer({ min: 0, max: 3 }),
  });

/** One instance's view of the shared store: records at which step it wrote. */
class Instance implements RateCounterStore {
  readonly writes: number[] = [];
  constructor(
    private readonly inner: InMemoryRateCounterStore,
    private readonly step: { index: number },
  ) {}
  async increment(increments: readonly CounterIncrement[]): Promise<number[]> {
    this.writes.push(this.step.index);
    return this.inner.increment(increments);
  }
  async decrement(increments: readonly CounterIncrement[]): Promise<void> {
    await this.inner.decrement(increments);
  }
}

describe('CoarseCounters on a fleet of instances, for any traffic', () => {
  it('never overstate, miss only what other instances counted within one interval, and lose nothing once each writes again', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .integer({ min: 2, max: 4 })
          .chain((n) =>
            fc.tuple(
              fc.constant(n),
              fc.constantFrom(100, 1_000),
              fc.array(step(n), { minLength: 1, maxLength: 60 }),
            ),
          ),
        async ([n, flushMs, steps]) => {
          const time = { now: START };
          const clock = { now: () => time.now };
          const inner = new InMemoryRateCounterStore(clock.now);
          const current = { index: -1 };
          const stores = Array.from({ length: n }, () => new Instance(inner, current));
          const fleet = stores.map((store) => new CoarseCounters(store, clock, flushMs));
          const history: { at: number; instance: number; amount: number }[] = [];
          let truth = 0;
          for (const [index, s] of steps.entries()) {
            time.now += s.gapMs;
            current.index = index;
            history.push({ at: time.now, instance: s.instance, amount: s.amount });
            truth += s.amount;
            const [estimate] = await (fleet[s.instance] as CoarseCounters).increment([inc(s.amount)]);
            // Never more than the truth: nothing is counted twice without a failed write.
            expect(estimate).toBeLessThanOrEqual(truth);
            // This instance last read the store at step `read`, less than an interval ago. It misses
            // exactly each other instance's counts since that one's last write before `read`: those
            // counted before `read` lie within one interval after that write (a later request would
            // have written them), those counted after lie within the last interval.
            const read = (stores[s.instance] as Instance).writes.at(-1) as number;
            expect(time.now - (history[read] as { at: number }).at).toBeLessThan(flushMs);
            let missed = 0;
            for (let j = 0; j < n; j++) {
              if (j === s.instance) continue;
              const written = (stores[j] as Instance).writes.filter((w) => w <= read).at(-1) ?? -1;
              history.forEach((h, k) => {
                if (h.instance !== j || k <= written) return;
                missed += h.amount;
                if (k <= read)
                  expect(h.at).toBeLessThan((history[written]?.at ?? Number.NEGATIVE_INFINITY) + flushMs);
                else expect(h.at).toBeGreaterThan(time.now - flushMs);
              });
            }
            expect(truth - (estimate as number)).toBe(missed);
          }
          // Counts pending on an instance reach the store with its next request after the interval.
          time.now += flushMs;
          for (const counters of fleet) await counters.increment([inc(0)]);
          expect(inner.total(KEY)).toBe(truth);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('with one instance, every estimate is the exact count, take-backs included', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            gapMs: fc.constantFrom(0, 300, 1_000),
            amount: fc.integer({ min: 0, max: 5 }),
            takeBack: fc.boolean(),
          }),
          { minLength: 1, maxLength: 50 },
        ),
        async (steps) => {
          const time = { now: START };
          const inner = new InMemoryRateCounterStore(() => time.now);
          const counters = new CoarseCounters(inner, { now: () => time.now }, 1_000);
          let truth = 0;
          for (const s of steps) {
            time.now += s.gapMs;
            const [estimate] = await counters.increment([inc(s.amount)]);
            truth += s.amount;
            expect(estimate).toBe(truth);
            if (s.takeBack) {
              counters.decrement([inc(s.amount)]);
              truth -= s.amount;
            }
          }
          // The store never holds less than the truth (a written count taken back stays written, offset
          // here), and never a negative.
          expect(inner.total(KEY)).toBeGreaterThanOrEqual(0);
          time.now += 1_000;
          await counters.increment([inc(0)]);
          expect(inner.total(KEY)).toBeGreaterThanOrEqual(truth);
        },
      ),
      { numRuns: 200 },
    );
  });
});
