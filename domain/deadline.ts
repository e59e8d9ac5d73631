/**
 * The one budget of a request: when it started and by when its answer must leave, in epoch ms.
 * Every layer asks this value for the time left instead of keeping its own copy of the budget.
 * The domain has no clock, so "now" is always passed in.
 */
export class Deadline {
  private constructor(
    /** Epoch ms the budget counts from (the IdP's request reaching our edge). */
    readonly startedAt: number,
    /** Epoch ms by which the answer must leave. */
    readonly at: number,
  ) {}

  static after(startedAt: number, budgetMs: number): Deadline {
    return new Deadline(startedAt, startedAt + budgetMs);
  }

  /** Milliseconds left at `now`, never negative. */
  remaining(now: number): number {
    return Math.max(0, this.at - now);
  }

  passed(now: number): boolean {
    return now >= this.at;
  }

  /** The same budget ending `ms` sooner: the time left for a step that must leave room for what follows. */
  earlier(ms: number): Deadline {
    return new Deadline(this.startedAt, this.at - ms);
  }

  /** The same budget ending `ms` later. */
  later(ms: number): Deadline {
    return new Deadline(this.startedAt, this.at + ms);
  }

  /** Whichever of the two ends first. */
  earliest(other: Deadline): Deadline {
    return other.at < this.at ? other : this;
  }

  /**
   * This deadline, or `now + ms` if that is later: a step that must run even when the budget is spent
   * (parking what could not be sent) still gets a bounded slot of its own.
   */
  atLeast(now: number, ms: number): Deadline {
    return now + ms > this.at ? new Deadline(this.startedAt, now + ms) : this;
  }

  /** Milliseconds from the start to `now`. */
  elapsed(now: number): number {
    return now - this.startedAt;
  }
}
