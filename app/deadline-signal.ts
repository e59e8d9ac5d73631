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
