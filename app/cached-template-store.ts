import type { MessageTemplate } from '../domain/message-template';
import type { Clock } from '../ports/clock';
import type { Logger } from '../ports/logger';
import type { TemplateQuery, TemplateStore } from '../ports/template-store';

export interface TemplateCacheSettings {
  /** How long an answer is served without asking the inner store (default 300 s). */
  readonly ttlMs?: number;
  /** How old an answer may be and still be served while the inner store fails (default 1 h). */
  readonly maxStaleMs?: number;
  /**
   * After a failure, how long to answer from the last good result (or rethrow) without asking again
   * (default 5 s): a down store would otherwise cost every request its full timeout.
   */
  readonly errorBackoffMs?: number;
  /** Distinct queries kept (default 1000); locales come from callers, so the key space is open. */
  readonly maxEntries?: number;
}

interface Entry {
  templates?: readonly MessageTemplate[];
  fetchedAt: number;
  /** Set after a failure: no inner call before this time. */
  retryAt?: number;
  error?: unknown;
}

/**
 * Caches another TemplateStore per exact query, so a warm Lambda normally makes no call for templates,
 * and keeps serving the last good answer (bounded by maxStaleMs) while the inner store is down.
 * Concurrent misses for one query share a single inner call.
 */
export class CachedTemplateStore implements TemplateStore {
  private readonly entries = new Map<string, Entry>();
  private readonly inFlight = new Map<string, Promise<readonly MessageTemplate[]>>();
  private readonly ttlMs: number;
  private readonly maxStaleMs: number;
  private readonly errorBackoffMs: number;
  private readonly maxEntries: number;

  constructor(
    private readonly inner: TemplateStore,
    private readonly clock: Clock,
    private readonly logger: Logger,
    settings: TemplateCacheSettings = {},
  ) {
    this.ttlMs = settings.ttlMs ?? 300_000;
    this.maxStaleMs = settings.maxStaleMs ?? 3_600_000;
    this.errorBackoffMs = settings.errorBackoffMs ?? 5_000;
    this.maxEntries = settings.maxEntries ?? 1000;
  }

  find(query: TemplateQuery): Promise<readonly MessageTemplate[]> {
    const key = cacheKey(query);
    const now = this.clock.now();
    const entry = this.entries.get(key);
    if (entry?.templates && now - entry.fetchedAt < this.ttlMs) return Promise.resolve(entry.templates);
    if (entry?.retryAt !== undefined && now < entry.retryAt) return this.fallback(entry, now);

    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = this.refresh(key, query).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    return pending;
  }

  /**
   * Fills the cache for `queries` with one inner call for `superset`, which must cover each of them (its
   * channel, and every locale and purpose they ask for): each query is then answered with the templates
   * of the superset that match it, as the inner store would have. For the Lambda's init phase, so the
   * first requests find their templates cached. Rejects when the inner store fails; nothing is cached then.
   */
  async prime(superset: TemplateQuery, queries: readonly TemplateQuery[]): Promise<number> {
    for (const query of queries) {
      const covered =
        query.channel === superset.channel &&
        query.locales.every((l) => superset.locales.includes(l)) &&
        query.purposes.every((p) => superset.purposes.includes(p));
      if (!covered) throw new RangeError('prime: a query asks for more than the superset fetches');
    }
    const templates = await this.inner.find(superset);
    const fetchedAt = this.clock.now();
    for (const query of queries) {
      this.remember(cacheKey(query), {
        templates: templates.filter(
          (t) =>
            t.channel === query.channel &&
            query.locales.includes(t.locale) &&
            query.purposes.includes(t.purpose),
        ),
        fetchedAt,
      });
    }
    return templates.length;
  }

  private async refresh(key: string, query: TemplateQuery): Promise<readonly MessageTemplate[]> {
    try {
      const templates = await this.inner.find(query);
      this.remember(key, { templates, fetchedAt: this.clock.now() });
      return templates;
    } catch (error) {
      const now = this.clock.now();
      const previous = this.entries.get(key);
      const entry: Entry = previous?.templates
        ? {
            templates: previous.templates,
            fetchedAt: previous.fetchedAt,
            retryAt: now + this.errorBackoffMs,
            error,
          }
        : { fetchedAt: now, retryAt: now + this.errorBackoffMs, error };
      this.remember(key, entry);
      const staleMs = entry.templates ? now - entry.fetchedAt : null;
      this.logger.error('template store failed', {
        error: error instanceof Error ? error.name : 'unknown',
        message: error instanceof Error ? error.message : null,
        channel: query.channel,
        servingStale: staleMs !== null && staleMs <= this.maxStaleMs,
        staleMs,
      });
      return this.fallback(entry, now);
    }
  }

  private fallback(entry: Entry, now: number): Promise<readonly MessageTemplate[]> {
    if (entry.templates && now - entry.fetchedAt <= this.maxStaleMs) return Promise.resolve(entry.templates);
    return Promise.reject(entry.error);
  }

  private remember(key: string, entry: Entry): void {
    // Re-inserting moves the key to the end, so the first key is the least recently refreshed.
    this.entries.delete(key);
    this.entries.set(key, entry);
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }
}

function cacheKey(query: TemplateQuery): string {
  // JSON keeps the parts unambiguous whatever characters a locale string holds.
  return JSON.stringify([query.channel, query.locales, query.purposes]);
}
