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
