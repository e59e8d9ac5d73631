import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DeadlineSignals, lazyDeadlineSignal } from '../../app/deadline-signal';
import { DeliveryRun } from '../../app/delivery-run';
import { Deadline } from '../../domain/deadline';
import type { Clock } from '../../ports/clock';

const clock: Clock = { now: () => Date.now() };
const T0 = 1_000_000;
const at = (ms: number) => Deadline.after(T0, ms);
const reason = (text: string) => () => new Error(text);

describe('DeadlineSignals: one timer for every deadline of a request', () => {
  beforeEach(() => vi.useFakeTimers({ now: T0 }));
  afterEach(() => vi.useRealTimers());

  it('fires each signal at its own instant, never before, with its own reason', async () => {
    const signals = new DeadlineSignals(clock);
    const claim = signals.at(at(2_000), reason('claim'));
    const cutoff = signals.at(at(2_475), reason('cutoff'));
    await vi.advanceTimersByTimeAsync(1_999);
    expect(claim.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(claim.aborted).toBe(true);
    expect((claim.reason as Error).message).toBe('claim');
    expect(cutoff.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(475);
    expect((cutoff.reason as Error).message).toBe('cutoff');
    signals.dispose();
  });

  it('keeps one timer at a time, however many instants, and re-arms for an earlier one asked later', async () => {
    const signals = new DeadlineSignals(clock);
    const late = signals.at(at(2_475), reason('late'));
    signals.at(at(2_000), reason('middle'));
    const early = signals.at(at(500), reason('early'));
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(500);
    expect(early.aborted).toBe(true);
    expect(late.aborted).toBe(false);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(late.aborted).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('gives one signal per instant', () => {
    const signals = new DeadlineSignals(clock);
    expect(signals.at(at(100), reason('a'))).toBe(signals.at(at(100), reason('b')));
    expect(signals.at(at(100), reason('a'))).not.toBe(signals.at(at(101), reason('a')));
    signals.dispose();
  });

  it('an instant already passed fires on the timer, not at once (as a timer signal did)', async () => {
    vi.setSystemTime(T0 + 5_000);
    const signals = new DeadlineSignals(clock);
    const passed = signals.at(at(1_000), reason('passed'));
    expect(passed.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(0);
    expect(passed.aborted).toBe(true);
    // Asked for again once fired: the same, aborted signal.
    expect(signals.at(at(1_000), reason('passed'))).toBe(passed);
    // A signal first asked for once its instant has fired (a task's) is born aborted.
    signals.schedule(at(4_000), { run: () => {} });
    await vi.advanceTimersByTimeAsync(0);
    expect(signals.at(at(4_000), reason('fired')).aborted).toBe(true);
    signals.dispose();
  });

  it('abort: every signal given out at once, with the reason, and every one asked for later', () => {
    const signals = new DeadlineSignals(clock);
    const a = signals.at(at(1_000), reason('a'));
    const b = signals.at(at(2_000), reason('b'));
    const forever = signals.untilAbort();
    const seen: string[] = [];
    a.addEventListener('abort', () => seen.push('a'));
    b.addEventListener('abort', () => seen.push('b'));
    forever.addEventListener('abort', () => seen.push('forever'));
    const gaveUp = new Error('reply deadline reached');
    signals.abort(gaveUp);
    expect(seen.sort()).toEqual(['a', 'b', 'forever']);
    expect(b.reason).toBe(gaveUp);
    expect(signals.at(at(3_000), reason('c')).reason).toBe(gaveUp);
    signals.dispose();
  });

  it('untilAbort arms no timer (an infinite delay would fire at once)', async () => {
    const signals = new DeadlineSignals(clock);
    const forever = signals.untilAbort();
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(10 * 365 * 24 * 3_600_000);
    expect(forever.aborted).toBe(false);
  });

  it('dispose: no timer left, and nothing fires afterwards', async () => {
    const signals = new DeadlineSignals(clock);
    const a = signals.at(at(1_000), reason('a'));
    const ran = vi.fn();
    signals.schedule(at(500), { run: ran });
    signals.dispose();
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(a.aborted).toBe(false);
    expect(ran).not.toHaveBeenCalled();
  });

  it('schedule: runs a task at its instant on the same timer; an abort does not run it', async () => {
    const signals = new DeadlineSignals(clock);
    signals.at(at(2_000), reason('claim'));
    const halfway = vi.fn();
    signals.schedule(at(1_000), { run: halfway });
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(999);
    expect(halfway).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(halfway).toHaveBeenCalledTimes(1);

    const other = new DeadlineSignals(clock);
    const never = vi.fn();
    other.schedule(at(3_000), { run: never });
    other.abort(new Error('gave up'));
    expect(never).not.toHaveBeenCalled();
    other.dispose();
  });

  it('until: a wait on one of its signals rejects as AbortError when it fires (time or abort), and not after settling', async () => {
    const signals = new DeadlineSignals(clock);
    const claim = signals.at(at(1_000), reason('claim'));
    const cutoff = signals.at(at(2_000), reason('cutoff'));
    const hung = signals.until(new Promise<never>(() => {}), claim);
    const done = signals.until(Promise.resolve('ok'), claim);
    const failed = signals.until(Promise.reject(new Error('own')), cutoff);
    await expect(done).resolves.toBe('ok');
    await expect(failed).rejects.toThrow('own');
    const caught = hung.catch((e: Error) => e);
    await vi.advanceTimersByTimeAsync(1_000);
    const error = await caught;
    expect(error).toMatchObject({ name: 'AbortError' });
    expect(((error as Error).cause as Error).message).toBe('claim');

    const onAbort = signals.until(new Promise<never>(() => {}), cutoff).catch((e: Error) => e);
    signals.abort(new Error('reply deadline reached'));
    expect(((await onAbort) as Error).cause).toMatchObject({ message: 'reply deadline reached' });
    // Already fired: rejects at once.
    await expect(signals.until(Promise.resolve(1), claim)).rejects.toMatchObject({ name: 'AbortError' });
    signals.dispose();
  });

  it('until: a signal it did not give out is waited on as untilAborted does', async () => {
    const signals = new DeadlineSignals(clock);
    const foreign = new AbortController();
    const waiting = signals.until(new Promise<never>(() => {}), foreign.signal).catch((e: Error) => e);
    foreign.abort(new Error('elsewhere'));
    expect(await waiting).toMatchObject({ name: 'AbortError' });
    signals.dispose();
  });

  it('a task and a signal at the same instant: the signal keeps its reason', async () => {
    const signals = new DeadlineSignals(clock);
    signals.schedule(at(1_000), { run: () => {} });
    const s = signals.at(at(1_000), reason('claim'));
    await vi.advanceTimersByTimeAsync(1_000);
    expect((s.reason as Error).message).toBe('claim');
  });
});

describe('lazyDeadlineSignal and DeliveryRun: nothing built unless asked for', () => {
  beforeEach(() => vi.useFakeTimers({ now: T0 }));
  afterEach(() => vi.useRealTimers());

  it('lazyDeadlineSignal arms no timer until its signal is read', async () => {
    const unread = lazyDeadlineSignal(at(1_000), clock, reason('reading'));
    expect(vi.getTimerCount()).toBe(0);
    unread.dispose();
    const read = lazyDeadlineSignal(at(1_000), clock, reason('reading'));
    const signal = read.signal;
    expect(read.signal).toBe(signal);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect((signal.reason as Error).message).toBe('reading');
  });

  it('DeliveryRun.abort reaches its listeners and its signal, read before or after', () => {
    const deadline = at(2_500);
    const run = new DeliveryRun(deadline, deadline, deadline, () => new Promise(() => {}));
    const before = run.signal;
    const heard: unknown[] = [];
    run.onAbort((r) => heard.push(r));
    const gaveUp = new Error('reply deadline reached');
    run.abort(gaveUp);
    run.onAbort((r) => heard.push(r));
    expect(heard).toEqual([gaveUp, gaveUp]);
    expect(before.reason).toBe(gaveUp);
    const fresh = new DeliveryRun(deadline, deadline, deadline, () => new Promise(() => {}));
    fresh.abort(gaveUp);
    expect(fresh.signal.reason).toBe(gaveUp);
  });
});
