import { describe, expect, it } from 'vitest';
import { InMemoryRateCounterStore } from '../../adapters/local/in-memory-rate-counter-store';
import { CoarseCounters } from '../../app/coarse-counters';
import type { CounterIncrement, RateCounterStore } from '../../ports/rate-counter-store';
import { brakedDelivery } from '../support/braked-delivery';

const START = Date.UTC(2026, 10, 30, 9, 0, 0);
const EXPIRES = START + 3_600_000;
const KEY = 'country#3600#1796029200#US';
const inc = (amount = 1, field?: string, key = KEY): CounterIncrement => ({
  key,
  ...(field ? { field } : {}),
  amount,
  expiresAt: EXPIRES,
});

/** The in-memory store, with every write recorded. */
class RecordingStore implements RateCounterStore {
  readonly writes: CounterIncrement[][] = [];
  fail = false;
  constructor(readonly inner: InMemoryRateCounterStore) {}
  async increment(increments: readonly CounterIncrement[]): Promise<number[]> {
    this.writes.push([...increments]);
    if (this.fail) throw Object.assign(new Error('down'), { name: 'InternalServerError' });
    return this.inner.increment(increments);
  }
  async decrement(increments: readonly CounterIncrement[]): Promise<void> {
    await this.inner.decrement(increments);
  }
}

function setup(flushMs = 1000) {
  const time = { now: START };
  const clock = { now: () => time.now };
  const store = new RecordingStore(new InMemoryRateCounterStore(clock.now));
  const instance = () => new CoarseCounters(store, clock, flushMs);
  return { time, store, instance, counters: instance() };
}

describe('CoarseCounters', () => {
  it('reads a counter on first use, then writes at most once per interval, the sum of what it counted', async () => {
    const { time, store, counters } = setup();
    expect(await counters.increment([inc()])).toEqual([1]);
    expect(store.writes).toHaveLength(1);
    for (let i = 0; i < 5; i++) {
      time.now += 100;
      expect(await counters.increment([inc()])).toEqual([2 + i]);
    }
    // Nothing written within the interval: the five counts are pending here.
    expect(store.writes).toHaveLength(1);
    expect(store.inner.total(KEY)).toBe(1);
    expect(counters.unflushed()).toEqual(new Map([[`${KEY}|total`, 5]]));
    time.now = START + 1000;
    expect(await counters.increment([inc()])).toEqual([7]);
    expect(store.writes).toHaveLength(2);
    expect(store.writes[1]).toEqual([inc(6)]);
    expect(store.inner.total(KEY)).toBe(7);
    expect(counters.unflushed().size).toBe(0);
  });

  it('writes every field of an item in one increment, and reads a field it has never seen at once', async () => {
    const { time, store, counters } = setup();
    const spend = 'spend#86400#1795996800#*';
    expect(await counters.increment([inc(8_800, undefined, spend), inc(8_800, 'country.US', spend)])).toEqual(
      [8_800, 8_800],
    );
    time.now += 10;
    // Another country: its field is unread here, so this request reads it (and writes what is pending).
    expect(
      await counters.increment([inc(30_000, undefined, spend), inc(30_000, 'country.FR', spend)]),
    ).toEqual([38_800, 30_000]);
    expect(store.writes).toHaveLength(2);
    expect(store.writes[1]?.map(({ field, amount }) => [field, amount])).toEqual([
      [undefined, 30_000],
      ['country.US', 0],
      ['country.FR', 30_000],
    ]);
  });

  it('decides on the last stored total plus its own pending counts, missing only what others have not written', async () => {
    const { time, store, instance } = setup();
    const [a, b] = [instance(), instance()];
    expect(await a.increment([inc()])).toEqual([1]);
    expect(await b.increment([inc()])).toEqual([2]);
    time.now += 500;
    expect(await a.increment([inc()])).toEqual([2]); // misses nothing yet: b's count was written
    expect(await b.increment([inc()])).toEqual([3]); // misses a's pending one (true total 4)
    time.now += 500;
    expect(await a.increment([inc()])).toEqual([4]); // a writes its two: misses b's pending one (true 5)
    expect(await b.increment([inc()])).toEqual([6]); // b writes its two: exact
    time.now += 500;
    expect(await b.increment([inc()])).toEqual([7]);
    expect(await a.increment([inc()])).toEqual([5]); // misses b's write after its own (2) and b's pending one: true 8
    expect(store.inner.total(KEY)).toBe(6);
    // Once each has counted again after an interval, the store holds every count.
    time.now += 1000;
    await a.increment([inc(0)]);
    await b.increment([inc(0)]);
    expect(store.inner.total(KEY)).toBe(8);
  });

  it('takes back locally; a remainder already written is never written as a negative, it offsets later counts', async () => {
    const { time, store, counters } = setup();
    await counters.increment([inc(3)]);
    counters.decrement([inc(2)]);
    time.now += 1000;
    expect(await counters.increment([inc(0)])).toEqual([1]);
    // The store only adds: it read the total (ADD 0) and keeps the -2 here.
    expect(store.writes[1]).toEqual([inc(0)]);
    expect(store.inner.total(KEY)).toBe(3);
    time.now += 1000;
    expect(await counters.increment([inc(5)])).toEqual([6]);
    expect(store.writes[2]).toEqual([inc(3)]);
    expect(store.inner.total(KEY)).toBe(6);
    // A take-back before its count was written simply cancels it.
    await counters.increment([inc(4)]);
    counters.decrement([inc(4)]);
    time.now += 1000;
    expect(await counters.increment([inc(0)])).toEqual([6]);
    expect(store.writes.at(-1)).toEqual([inc(0)]);
  });

  it('keeps the counts of a failed write pending, rejects that request, and the next one writes them', async () => {
    const { time, store, counters } = setup();
    await counters.increment([inc()]);
    time.now += 200;
    await counters.increment([inc()]);
    time.now += 1000;
    store.fail = true;
    await expect(counters.increment([inc()])).rejects.toThrow('down');
    expect(counters.unflushed()).toEqual(new Map([[`${KEY}|total`, 2]]));
    store.fail = false;
    time.now += 1;
    expect(await counters.increment([inc()])).toEqual([4]);
    expect(store.inner.total(KEY)).toBe(4);
  });

  it('passes the abort signal to its write', async () => {
    const { counters } = setup();
    const seen: (AbortSignal | undefined)[] = [];
    const store: RateCounterStore = {
      increment: async (increments, options) => {
        seen.push(options?.signal);
        return increments.map(() => 0);
      },
      decrement: async () => {},
    };
    const signal = new AbortController().signal;
    await new CoarseCounters(store, { now: () => START }, 1000).increment([inc()], { signal });
    expect(seen).toEqual([signal]);
    expect(counters).toBeDefined();
  });

  it('one write per item at a time: concurrent requests do not write again, and one that needs an unread field waits for it', async () => {
    const time = { now: START };
    const inner = new InMemoryRateCounterStore(() => time.now);
    let release: () => void = () => {};
    let writes = 0;
    const store: RateCounterStore = {
      increment: async (increments) => {
        writes += 1;
        if (writes === 1) await new Promise<void>((resolve) => (release = resolve));
        return inner.increment(increments);
      },
      decrement: async () => {},
    };
    const counters = new CoarseCounters(store, { now: () => time.now }, 1000);
    const spend = (field?: string) => inc(1, field, 'spend#86400#1795996800#*');
    const first = counters.increment([spend(), spend('country.US')]);
    // While the first read is in flight: a request for the same counters does not write again…
    const second = counters.increment([spend(), spend('country.US')]);
    // …and one that needs a field nobody has read waits for that write, then reads its own.
    const third = counters.increment([spend(), spend('country.FR')]);
    await Promise.resolve();
    expect(writes).toBe(1);
    release();
    // Each estimate counts every request this instance has counted so far.
    expect(await first).toEqual([3, 2]);
    expect(await second).toEqual([3, 2]);
    expect(await third).toEqual([3, 1]);
    expect(writes).toBe(2);
    expect(inner.total('spend#86400#1795996800#*')).toBe(3);
    expect(inner.total('spend#86400#1795996800#*', 'country.US')).toBe(2);
  });

  it('forgets a window once it has expired, and never writes its pending counts', async () => {
    const { time, store, counters } = setup();
    await counters.increment([inc()]);
    await counters.increment([inc()]);
    time.now = EXPIRES + 1;
    const next = inc(1, undefined, 'country#3600#1796032800#US');
    await counters.increment([{ ...next, expiresAt: EXPIRES + 3_600_000 }]);
    expect(counters.unflushed().size).toBe(0);
    expect(store.writes.map((w) => w[0]?.key)).toEqual([KEY, 'country#3600#1796032800#US']);
  });

  it('refuses a negative or fractional amount', async () => {
    const { counters } = setup();
    await expect(counters.increment([inc(-1)])).rejects.toThrow(RangeError);
    expect(() => counters.decrement([inc(0.5)])).toThrow(RangeError);
  });

  it('in the brakes: when an exact counter fails, the coarse write in flight is aborted before the reply', async () => {
    const aborted: string[] = [];
    const store: RateCounterStore = {
      increment: (increments, options) => {
        const key = increments[0]?.key ?? '';
        if (!key.startsWith('country#') && !key.startsWith('spend#'))
          return Promise.reject(Object.assign(new Error('down'), { name: 'InternalServerError' }));
        return new Promise((_, reject) =>
          options?.signal?.addEventListener('abort', () => {
            aborted.push(key.split('#')[0] as string);
            reject(new Error('aborted'));
          }),
        );
      },
      decrement: async () => {},
    };
    const { deliver, sender } = brakedDelivery({ counters: store, coarseFlushMs: 1000 });
    const outcome = await deliver.execute({
      eventId: 'evt-abort',
      idp: 'okta',
      purpose: 'verification',
      channel: 'sms',
      phone: '+33612345678',
      code: '123456',
      expiresAt: new Date(START + 300_000),
      requestedLocale: 'en',
      clientIp: '198.51.100.20',
      userId: '00u1',
    });
    // Fails open, as with any counter failure, and leaves no write running.
    expect(outcome.status).toBe('SUCCESSFUL');
    expect(sender.sent).toHaveLength(1);
    expect(aborted.sort()).toEqual(['country', 'spend']);
  });
});
