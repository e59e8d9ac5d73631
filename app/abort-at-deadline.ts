import type { Clock } from '../ports/clock';

/** Why a step was cut short: the request's deadline (epoch ms) passed. Carries no request data. */
export class DeadlineExceededError extends Error {
  override readonly name = 'DeadlineExceededError';
}

/**
 * Runs `work` with a signal that aborts at `deadline` (epoch ms), and stops waiting for it then even if
 * it ignores the signal. Every port call that talks to a remote service takes that signal, so the SDK
 * destroys the socket instead of leaving the call running after the reply.
 */
export async function abortAtDeadline<T>(
  deadline: number,
  clock: Clock,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const expire = () => controller.abort(new DeadlineExceededError('request deadline passed'));
  const remaining = deadline - clock.now();
  if (remaining <= 0) expire();
  const timer = remaining > 0 ? setTimeout(expire, remaining) : undefined;
  const { signal } = controller;
  try {
    signal.throwIfAborted();
    return await new Promise<T>((resolve, reject) => {
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
      work(signal).then(resolve, reject);
    });
  } finally {
    clearTimeout(timer);
  }
}
