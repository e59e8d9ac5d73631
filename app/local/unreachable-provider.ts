import { DeliveryError } from '../../domain/errors';
import type { OutboundMessage } from '../../domain/outbound-message';
import type { ProviderCapabilities } from '../../domain/provider-capabilities';
import type { MessageProvider } from '../../ports/message-provider';
import type { SendOptions, SendReceipt } from '../../ports/message-sender';

/**
 * A provider that is down: every call is refused before anything is sent (as a refused connection is).
 * `LOCAL_PRIMARY=down npm start` puts it in End User Messaging's place, to watch failover to the Twilio
 * stand-in and the circuit opening, locally.
 */
export class UnreachableProvider implements MessageProvider {
  readonly capabilities: ProviderCapabilities = {
    channels: ['sms', 'voice'],
    senderTypes: ['phone-number', 'short-code', 'alphanumeric', 'pool'],
  };

  constructor(readonly name: string) {}

  async send(message: OutboundMessage, _options: SendOptions): Promise<SendReceipt> {
    throw new DeliveryError(
      'network',
      'not-sent',
      `${message.channel} send failed: ${this.name} is down (ECONNREFUSED)`,
      {
        attempts: 1,
      },
    );
  }
}
