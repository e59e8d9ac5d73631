import type { Deadline } from '../domain/deadline';
import { DeliveryError } from '../domain/errors';
import type { OutboundMessage } from '../domain/outbound-message';
import type { Clock } from '../ports/clock';
import type { MessageSender, SendOptions, SendReceipt } from '../ports/message-sender';

/** Ends the abort listener below once the send has settled; never seen by a sender. */
const SEND_SETTLED = new Error('send settled');

/**
 * How long a sender that was aborted gets to settle with its own account of what happened (it knows
 * whether the request ever left) before it is abandoned as uncertain.
 */
const SETTLE_AFTER_ABORT_MS = 10;

/**
 * Sends one message, aborting at `deadline` (or when `signal` fires). The sender gets the abort signal
 * and the deadline; a sender that ignores them still cannot hold the caller past the deadline, because
 * the wait itself is raced against the abort. A sender abandoned that way may have sent: uncertain.
 */
export async function sendWithinDeadline(
  sender: MessageSender,
  message: OutboundMessage,
  deadline: Deadline,
  clock: Clock,
  signal?: AbortSignal,
  extra: Pick<SendOptions, 'previousCalls'> = {},
): Promise<SendReceipt> {
  if (deadline.passed(clock.now()) || signal?.aborted) {
    throw new DeliveryError('deadline-exceeded', 'not-sent', 'no time left to send', { attempts: 0 });
  }
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new Error('send deadline passed')),
    deadline.remaining(clock.now()),
  );
  const aborted = signal ? AbortSignal.any([signal, controller.signal]) : controller.signal;
  let grace: NodeJS.Timeout | undefined;
  const done = new AbortController();
  try {
    return await Promise.race([
      sender.send(message, { ...extra, signal: aborted, deadline }),
      new Promise<never>((_, reject) => {
        aborted.addEventListener(
          'abort',
          () => {
            grace = setTimeout(
              () =>
                reject(new DeliveryError('deadline-exceeded', 'uncertain', 'send abandoned at the deadline')),
              SETTLE_AFTER_ABORT_MS,
            );
          },
          { once: true, signal: done.signal },
        );
      }),
    ]);
  } finally {
    // A reason given: abort() without one builds a DOMException, whose stack capture was the costliest
    // single step of a warm request's abort bookkeeping (CPU profile of the warm path).
    done.abort(SEND_SETTLED);
    clearTimeout(timer);
    clearTimeout(grace);
  }
}
