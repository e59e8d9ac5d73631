import type { SealedSecret } from '../domain/dead-letter';
import type { Deadline } from '../domain/deadline';
import type { DeliveryOutcome } from '../domain/delivery-outcome';

/**
 * One delivery in progress, as the edge sees it: what has been decided so far, so that a last-resort
 * reply never contradicts it (a message the provider accepted is never answered FAILED), and the
 * means to stop whatever still runs before the reply leaves.
 */
export class DeliveryRun {
  // Built only when someone asks for `signal`: the use case listens through onAbort instead.
  private controller: AbortController | undefined;
  private abortReason: Error | undefined;
  private readonly abortListeners: ((reason: Error) => void)[] = [];
  private decidedOutcome: DeliveryOutcome | undefined;
  /** The sealed code, once sealed; a last-resort log line carries it when the letter is not parked. */
  sealedCode: SealedSecret | undefined;
  /** True once the dead letter is in the queue. */
  parked = false;
  /** The reply, once the delivery has ended (durably) or been cut short; never rejects. */
  readonly settled: Promise<DeliveryOutcome>;

  constructor(
    /** The IdP's deadline: the reply is due by then. */
    readonly deadline: Deadline,
    /**
     * When the reply leaves at the latest: the deadline, or later for a request that arrived with its
     * budget spent (it is never sent, but it is still claimed and parked within a bounded slot).
     */
    readonly replyBy: Deadline,
    /**
     * When the edge stops waiting and answers with what is known: one failure-path reserve after
     * `replyBy`, for a failure path that could only start late (event-loop lag, a call that ignored its
     * abort) and still gets its reserve to park the letter.
     */
    readonly lastResort: Deadline,
    deliver: (run: DeliveryRun) => Promise<DeliveryOutcome>,
  ) {
    this.settled = deliver(this);
  }

  /** The reply, once known. The first decision stands: the provider's acceptance is never taken back. */
  get decided(): DeliveryOutcome | undefined {
    return this.decidedOutcome;
  }

  decide(outcome: DeliveryOutcome): DeliveryOutcome {
    this.decidedOutcome ??= outcome;
    return this.decidedOutcome;
  }

  /** Fires when the edge gives up waiting: every call still running is aborted. */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.abortReason) this.controller.abort(this.abortReason);
    }
    return this.controller.signal;
  }

  /** Calls `listener` when the edge gives up (at once if it already has): the use case's own signals. */
  onAbort(listener: (reason: Error) => void): void {
    if (this.abortReason) listener(this.abortReason);
    else this.abortListeners.push(listener);
  }

  abort(reason: Error): void {
    if (this.abortReason) return;
    this.abortReason = reason;
    this.controller?.abort(reason);
    for (const listener of this.abortListeners) listener(reason);
  }
}
