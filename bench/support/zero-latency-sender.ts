import type { OutboundMessage } from '../../domain/outbound-message';
import type { MessageSender, SendOptions, SendReceipt } from '../../ports/message-sender';

/**
 * A provider that accepts every message at once, so the warm-path figure is the service's own cost
 * and nothing of the network's. It keeps a count so the benchmark can prove every request got here.
 */
export class ZeroLatencySender implements MessageSender {
  sent = 0;

  send(_message: OutboundMessage, _options: SendOptions): Promise<SendReceipt> {
    this.sent += 1;
    return Promise.resolve({
      provider: 'bench-zero-latency',
      messageId: `bench-${this.sent}`,
      status: 'SUCCESSFUL',
      attempts: 1,
    });
  }
}
