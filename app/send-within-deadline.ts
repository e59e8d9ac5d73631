import type { Deadline } from '../domain/deadline';
import { DeliveryError } from '../domain/errors';
import type { OutboundMessage } from '../domain/outbound-message';
import type { Clock } from '../ports/clock';
import type { MessageSender, SendOptions, SendReceipt } from '../ports/message-sender';

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
  if (deadline.passed(clock.now()) || signal?.aborted) throw noTimeLeft();
  // One controller that the deadline's timer or the caller's signal aborts: a listener on the caller's
  // signal costs a fraction of AbortSignal.any, which also leaves weak references for the collector.
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new Error('send deadline passed')),
    deadline.remaining(clock.now()),
  );
  const follow = () => controller.abort(signal?.reason);
  signal?.addEventListener('abort', follow, { once: true });
  try {
    return await sendUntilAborted(sender, message, deadline, clock, controller.signal, extra);
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', follow);
  }
}

/**
 * Sends one message under a `signal` the caller already fires by `deadline` (DeliverOtp's signals do),
 * so no timer of its own: as sendWithinDeadline otherwise. Once the signal fires, the sender gets
 * SETTLE_AFTER_ABORT_MS to say what it did before it is abandoned as uncertain.
 */
export async function sendUntilAborted(
  sender: MessageSender,
  message: OutboundMessage,
  deadline: Deadline,
  clock: Clock,
  signal: AbortSignal,
  extra: Pick<SendOptions, 'previousCalls'> = {},
): Promise<SendReceipt> {
  if (deadline.passed(clock.now()) || signal.aborted) throw noTimeLeft();
  let grace: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  try {
    return await Promise.race([
      sender.send(message, { ...extra, signal, deadline }),
      new Promise<never>((_, reject) => {
        onAbort = () => {
          grace = setTimeout(
            () =>
              reject(new DeliveryError('deadline-exceeded', 'uncertain', 'send abandoned at the deadline')),
            SETTLE_AFTER_ABORT_MS,
          );
        };
        signal.addEventListener('abort', onAbort, { once: true });
      }),
    ]);
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort);
    clearTimeout(grace);
  }
}

function noTimeLeft(): DeliveryError {
  return new DeliveryError('deadline-exceeded', 'not-sent', 'no time left to send', { attempts: 0 });
}
