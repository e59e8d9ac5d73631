import type { Clock } from '../ports/clock';
import type { CounterIncrement, RateCounterStore } from '../ports/rate-counter-store';

/** One counter (a field of a stored item) as this instance knows it. */
interface FieldState {
  /** The stored total the last flush returned; undefined until this instance has read it once. */
  known: number | undefined;
  /** Being written by the flush in flight (already counted locally, not yet in `known`). */
  inFlight: number;
  /** Counted here and not yet written; negative when take-backs outweigh new counts (see decrement). */
  pending: number;
}

interface ItemState {
  readonly key: string;
  expiresAt: number;
  /** When the last flush of this item started; -Infinity: never. */
  lastFlushAt: number;
  flushing: Promise<void> | undefined;
  readonly fields: Map<string, FieldState>;
}

/**
 * Fleet-wide counters (per-country velocity, daily spend) counted per instance and written to the store
 * at most once per `flushMs` per item, instead of one write per request. Every request adds its amount
 * here; the request that finds an item's interval passed (or a counter this instance has never read)
 * writes everything pending for that item with one increment, and waits for it beside its other calls,
 * so nothing is left running when Lambda freezes the instance. A decision reads
 * `last stored total + what this instance counted since`.
 *
 * The error of that estimate, against the exact count (README, "Brakes"):
 * - it misses exactly each other instance's counts since that instance's last write before this one's
 *   last read (which is less than `flushMs` old, or this request would read again): those counted before
 *   that read lie within one `flushMs` after the other's write (a later request there would have
 *   written them), those counted after it lie within the last `flushMs`. So it misses at most each
 *   other instance's requests of one interval plus the fleet's requests of the last interval: at a
 *   steady fleet-wide rate R, about 2·R·flushMs (test/property/coarse-counters.property.test.ts);
 * - counts still pending when an instance is shut down are lost (at most one interval of that instance's
 *   requests); a flush that times out after DynamoDB applied it is counted again (over, never under).
 * With one instance (or flushMs 0, which Brakes treats as exact counting) the decisions are exact.
 *
 * Take-backs (duplicates, unsent spend) are local: they lower `pending`, which may go negative when the
 * taken-back count was already written. A negative remainder is never written as such (the store only
 * adds): it offsets this instance's later counts in the same window, so the stored total overstates by
 * at most that remainder, the safe direction for a guard.
 */
export class CoarseCounters {
  private readonly items = new Map<string, ItemState>();

  constructor(
    private readonly store: RateCounterStore,
    private readonly clock: Clock,
    private readonly flushMs: number,
  ) {}

  /**
   * Counts `increments` here and resolves to each counter's estimated total, this request included.
   * Flushes the items whose interval has passed first (that write is this call's only I/O); rejects
   * when that write fails, with its amounts kept pending for the next flush.
   */
  async increment(
    increments: readonly CounterIncrement[],
    options: { signal?: AbortSignal } = {},
  ): Promise<number[]> {
    const now = this.clock.now();
    this.forgetClosedWindows(now);
    const touched = new Set<ItemState>();
    const states = increments.map((increment) => {
      assertAmount(increment.amount);
      const item = this.itemFor(increment);
      const field = fieldOf(item, increment.field);
      field.pending += increment.amount;
      touched.add(item);
      return field;
    });
    const flushes: Promise<void>[] = [];
    for (const item of touched) {
      const flush = this.flushIfDue(item, now, options.signal);
      if (flush) flushes.push(flush);
    }
    if (flushes.length > 0) await Promise.all(flushes);
    return states.map((field) => (field.known ?? 0) + field.inFlight + field.pending);
  }

  /** Takes earlier increments back, here only (no I/O). */
  decrement(increments: readonly CounterIncrement[]): void {
    for (const { key, field, amount } of increments) {
      assertAmount(amount);
      const state = this.items.get(key)?.fields.get(field ?? TOTAL);
      if (state) state.pending -= amount;
    }
  }

  /** Counts counted here and not yet stored, by item key and field (for tests and diagnostics). */
  unflushed(): Map<string, number> {
    const out = new Map<string, number>();
    for (const item of this.items.values())
      for (const [name, field] of item.fields)
        if (field.pending + field.inFlight !== 0)
          out.set(`${item.key}|${name}`, field.pending + field.inFlight);
    return out;
  }

  private itemFor({ key, expiresAt }: CounterIncrement): ItemState {
    let item = this.items.get(key);
    if (!item) {
      item = {
        key,
        expiresAt,
        lastFlushAt: Number.NEGATIVE_INFINITY,
        flushing: undefined,
        fields: new Map(),
      };
      this.items.set(key, item);
    } else if (expiresAt > item.expiresAt) item.expiresAt = expiresAt;
    return item;
  }

  /**
   * The flush this request waits for: a new one when the interval has passed or a counter is unread, the
   * one in flight when this request needs a counter it has not read yet, otherwise none.
   */
  private flushIfDue(item: ItemState, now: number, signal?: AbortSignal): Promise<void> | undefined {
    const unread = [...item.fields.values()].some((field) => field.known === undefined);
    if (item.flushing) {
      // One write per item at a time; a request that needs an unread counter waits for it, then reads.
      if (!unread) return undefined;
      return item.flushing.then(() => this.flushIfDue(item, this.clock.now(), signal));
    }
    if (!unread && now - item.lastFlushAt < this.flushMs) return undefined;
    const flush = this.flush(item, now, signal).finally(() => {
      item.flushing = undefined;
    });
    item.flushing = flush;
    return flush;
  }

  private async flush(item: ItemState, now: number, signal?: AbortSignal): Promise<void> {
    const names = [...item.fields.keys()];
    const fields = names.map((name) => item.fields.get(name) as FieldState);
    // A negative remainder is not written (see the class comment): it reads the total instead (ADD 0).
    for (const field of fields) {
      field.inFlight = Math.max(0, field.pending);
      field.pending -= field.inFlight;
    }
    item.lastFlushAt = now;
    try {
      const totals = await this.store.increment(
        names.map((name, i) => ({
          key: item.key,
          ...(name === TOTAL ? {} : { field: name }),
          amount: fields[i]?.inFlight ?? 0,
          expiresAt: item.expiresAt,
        })),
        signal ? { signal } : {},
      );
      fields.forEach((field, i) => {
        field.known = totals[i];
        field.inFlight = 0;
      });
    } catch (error) {
      // Not known to be stored: count it again next time (a write applied before its answer was lost is
      // then counted twice: over, never under). The next request may try at once.
      for (const field of fields) {
        field.pending += field.inFlight;
        field.inFlight = 0;
      }
      item.lastFlushAt = Number.NEGATIVE_INFINITY;
      throw error;
    }
  }

  /** A closed window decides nothing any more; its pending counts would only recreate an expired item. */
  private forgetClosedWindows(now: number): void {
    for (const [key, item] of this.items) if (item.expiresAt <= now && !item.flushing) this.items.delete(key);
  }
}

const TOTAL = 'total';

function fieldOf(item: ItemState, name = TOTAL): FieldState {
  let field = item.fields.get(name);
  if (!field) {
    field = { known: undefined, inFlight: 0, pending: 0 };
    item.fields.set(name, field);
  }
  return field;
}

function assertAmount(amount: number): void {
  if (!Number.isSafeInteger(amount) || amount < 0)
    throw new RangeError('amount must be a non-negative whole number');
}
