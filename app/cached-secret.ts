import type { Clock } from '../ports/clock';

/**
 * A value fetched once per cold start and kept: credentials read from Secrets Manager at init, say.
 * The fetch starts at once (`prefetch`), so the first request that needs it usually finds it ready.
 *
 * - Bounded: each fetch is aborted after `timeoutMs`; a caller waits no longer than its own signal.
 * - Never poisons the instance: a failed or timed-out fetch is forgotten, and the next caller (no sooner
 *   than `retryAfterMs` after the failure) starts a fresh one, so a secret store that was down at cold
 *   start is read again once it is back.
 * - Cached for the life of the execution environment once read: rotating the secret takes effect as
 *   instances are replaced (or at once with a deploy); keep the old credential valid for a while.
 */
export class CachedSecret<T> {
  private current: Promise<T> | undefined;
  private failedAt: number | undefined;

  constructor(
    private readonly fetch: (signal: AbortSignal) => Promise<T>,
    private readonly settings: {
      readonly timeoutMs: number;
      readonly retryAfterMs: number;
      readonly clock: Clock;
    },
  ) {}

  /** Starts fetching now (at init), if nothing is fetched or fetching. */
  prefetch(): this {
    this.start().catch(() => undefined);
    return this;
  }

  /** The value; waits for the fetch under way, no longer than `signal` allows. */
  async get(options: { signal?: AbortSignal } = {}): Promise<T> {
    const value = this.current ?? this.startUnlessResting();
    const signal = options.signal;
    if (!signal) return value;
    if (signal.aborted) throw abortError();
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => reject(abortError());
      signal.addEventListener('abort', onAbort, { once: true });
      value.then(
        (v) => {
          signal.removeEventListener('abort', onAbort);
          resolve(v);
        },
        (e: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(e);
        },
      );
    });
  }

  private startUnlessResting(): Promise<T> {
    const since =
      this.failedAt === undefined ? Number.POSITIVE_INFINITY : this.settings.clock.now() - this.failedAt;
    if (since < this.settings.retryAfterMs)
      return Promise.reject(new Error('secret unavailable; retrying shortly'));
    return this.start();
  }

  private start(): Promise<T> {
    if (this.current) return this.current;
    const controller = new AbortController();
    const timer = setTimeout(
      () => controller.abort(new Error('secret fetch timed out')),
      this.settings.timeoutMs,
    );
    const fetching = this.fetch(controller.signal).finally(() => clearTimeout(timer));
    this.current = fetching;
    fetching.then(
      () => {
        this.failedAt = undefined;
      },
      () => {
        // Forget the failure so a later call fetches again.
        if (this.current === fetching) this.current = undefined;
        this.failedAt = this.settings.clock.now();
      },
    );
    return fetching;
  }
}

function abortError(): Error {
  return Object.assign(new Error('aborted waiting for a secret'), { name: 'AbortError' });
}
