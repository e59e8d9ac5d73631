import type { Deadline } from '../domain/deadline';
import type { Clock } from '../ports/clock';

/**
 * An AbortSignal that fires when `deadline` passes, and the means to drop its timer once the work is
 * done: a timer left behind is work left running when Lambda freezes the environment.
 */
export function deadlineSignal(
  deadline: Deadline,
  clock: Clock,
  reason: () => Error,
): { readonly signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(reason()), deadline.remaining(clock.now()));
  return {
    signal: controller.signal,
    dispose: () => clearTimeout(timer),
  };
}

/**
 * deadlineSignal, built only if someone reads `signal`: for a step that usually never calls out (Okta's
 * reader is synchronous), so that it pays for no controller and no timer.
 */
export function lazyDeadlineSignal(
  deadline: Deadline,
  clock: Clock,
  reason: () => Error,
): { readonly signal: AbortSignal; dispose(): void } {
  return new LazyDeadlineSignal(deadline, clock, reason);
}

/** A class rather than an object of closures: every HTTP request builds one. */
class LazyDeadlineSignal {
  private built: ReturnType<typeof deadlineSignal> | undefined;

  constructor(
    private readonly deadline: Deadline,
    private readonly clock: Clock,
    private readonly reason: () => Error,
  ) {}

  get signal(): AbortSignal {
    this.built ??= deadlineSignal(this.deadline, this.clock, this.reason);
    return this.built.signal;
  }

  dispose(): void {
    this.built?.dispose();
  }
}

interface Stage {
  /** Epoch ms; Infinity for the stage that only an abort ends. */
  readonly at: number;
  reason: () => Error;
  controller?: AbortController;
  /** Rejects when the signal fires (right after its abort event): what every `until` races against. */
  aborted?: Promise<never>;
  rejectWaits?: (error: Error) => void;
  tasks?: ScheduledTask[];
  fired: boolean;
}

/** Work for an instant of the request (`schedule`); an object, so scheduling builds no closure. */
export interface ScheduledTask {
  run(): void;
}

const ignore = () => undefined;

const NEVER: () => Error = () => new Error('aborted');

/**
 * The abort signals of one request, one per instant it asks about: each fires when its instant passes
 * or when the whole request is aborted (`abort`), whichever comes first — what a timer signal per
 * instant joined with `AbortSignal.any` to the request's own signal gives, without the cost. Signals
 * are built only when asked for, and one timer at a time, armed for the earliest instant still to
 * come, drives them all (and `schedule`d tasks). A later instant's signal is never fired before an
 * earlier one's. `dispose` drops the timer: nothing is left running once the request has ended.
 *
 * A CPU profile of the warm path put the per-request bookkeeping this replaces (a controller and a
 * timer per deadline, three `AbortSignal.any`, each keeping weak references the collector must trace)
 * first among the service's own costs.
 */
export class DeadlineSignals {
  /** Pending and fired stages, by instant (a handful per request: a linear scan beats a map). */
  private readonly stages: Stage[] = [];
  private timer: NodeJS.Timeout | undefined;
  private armedAt = Number.POSITIVE_INFINITY;
  private abortReason: Error | undefined;
  private disposed = false;

  constructor(private readonly clock: Clock) {}

  /** Fires when `deadline` passes (never earlier than the timer says) or at `abort`, whichever first. */
  at(deadline: Deadline, reason: () => Error): AbortSignal {
    return this.signalAt(deadline.at, reason);
  }

  /** Fires only at `abort`. */
  untilAbort(): AbortSignal {
    return this.signalAt(Number.POSITIVE_INFINITY, NEVER);
  }

  private signalAt(at: number, reason: () => Error): AbortSignal {
    const stage = this.stageAt(at, reason);
    if (!stage.controller) {
      stage.controller = new AbortController();
      if (this.abortReason) stage.controller.abort(this.abortReason);
      else if (stage.fired) stage.controller.abort(stage.reason());
    }
    return stage.controller.signal;
  }

  /**
   * untilAborted for a signal this object gave out: the same race, without an event listener per wait
   * (adding and removing one was most of a wait's cost). Any other signal goes to untilAborted.
   */
  until<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
    let stage: Stage | undefined;
    for (const s of this.stages) if (s.controller?.signal === signal) stage = s;
    if (!stage || signal.aborted) return untilAborted(work, signal);
    if (!stage.aborted) {
      // One promise per signal, shared by its waits, that rejects when it fires.
      stage.aborted = new Promise<never>((_, reject) => {
        (stage as Stage).rejectWaits = reject;
      });
      stage.aborted.catch(ignore);
    }
    return Promise.race([work, stage.aborted]);
  }

  /**
   * Runs `task` once `deadline` passes, unless disposed first; an abort does not run it. A task that
   * may be called off keeps its own flag (`run` then does nothing).
   */
  schedule(deadline: Deadline, task: ScheduledTask): void {
    const stage = this.stageAt(deadline.at, NEVER);
    if (stage.fired) queueMicrotask(() => task.run());
    else if (stage.tasks) stage.tasks.push(task);
    else stage.tasks = [task];
  }

  /** Aborts every signal given out, and every one asked for later, with `reason`: all at once. */
  abort(reason: Error): void {
    if (this.abortReason) return;
    this.abortReason = reason;
    for (const stage of this.stages) this.abortStage(stage, reason);
  }

  /** The request has ended: no signal fires by time and no task runs any more. */
  dispose(): void {
    this.disposed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private abortStage(stage: Stage, reason: Error): void {
    if (!stage.controller || stage.controller.signal.aborted) return;
    stage.controller.abort(reason);
    stage.rejectWaits?.(abortError(stage.controller.signal));
  }

  private stageAt(at: number, reason: () => Error): Stage {
    for (const stage of this.stages) {
      if (stage.at !== at) continue;
      // A task's stage asked for as a signal later: the signal's reason is the one to give.
      if (stage.reason === NEVER) stage.reason = reason;
      return stage;
    }
    const stage: Stage = { at, reason, fired: false };
    // Kept in order, so firing walks from the front.
    let i = this.stages.length;
    while (i > 0 && (this.stages[i - 1] as Stage).at > at) i -= 1;
    this.stages.splice(i, 0, stage);
    this.arm();
    return stage;
  }

  /** One timer, for the earliest instant still to fire; as the old one timer per deadline, never sooner. */
  private arm(): void {
    if (this.disposed) return;
    const next = this.stages.find((stage) => !stage.fired);
    if (!next || !Number.isFinite(next.at) || next.at >= this.armedAt) return;
    clearTimeout(this.timer);
    this.armedAt = next.at;
    this.timer = setTimeout(() => this.fire(), Math.max(0, next.at - this.clock.now()));
  }

  private fire(): void {
    const firedAt = this.armedAt;
    this.timer = undefined;
    this.armedAt = Number.POSITIVE_INFINITY;
    for (const stage of this.stages) {
      if (stage.at > firedAt) break;
      if (stage.fired) continue;
      stage.fired = true;
      if (stage.controller && !stage.controller.signal.aborted) this.abortStage(stage, stage.reason());
      for (const task of stage.tasks ?? []) task.run();
      stage.tasks = undefined;
    }
    this.arm();
  }
}

/**
 * Waits for `work`, but no longer than `signal` allows: a port call whose adapter ignores the signal
 * still cannot hold the request past its deadline. The abandoned call is left to its adapter's own
 * timeouts; honouring the signal is what keeps it from running on.
 */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(abortError(signal));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

function abortError(signal: AbortSignal): Error {
  return Object.assign(new Error('aborted at the deadline', { cause: signal.reason }), {
    name: 'AbortError',
  });
}
