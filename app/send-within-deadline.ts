import { DeliveryError } from '../domain/errors';
import type { OutboundMessage } from '../domain/outbound-message';
import type { Clock } from '../ports/clock';
import type { MessageSender, SendReceipt } from '../ports/message-sender';

/**
 * Sends one message, aborting at `deadline` (epoch ms). The sender gets the abort signal and the
 * deadline; a sender that ignores them still cannot hold the caller past the deadline, because the
 * wait itself is raced against the abort.
 */
export async function sendWithinDeadline(
  sender: MessageSender,
  message: OutboundMessage,
  deadline: number,
  clock: Clock,
): Promise<SendReceipt> {
  const remaining = deadline - clock.now();
  if (remaining <= 0) throw new DeliveryError('deadline-exceeded', 'no time left to send');
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new DeliveryError('deadline-exceeded', 'send deadline passed')),
    remaining,
  );
  try {
    return await Promise.race([
      sender.send(message, { signal: controller.signal, deadline }),
      new Promise<never>((_, reject) => {
        controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
