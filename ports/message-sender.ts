import type { OutboundMessage } from '../domain/outbound-message';

export interface SendReceipt {
  /** Provider name reported to the IdP, e.g. "aws-end-user-messaging". */
  readonly provider: string;
  /** The provider's message id. */
  readonly messageId: string;
  /** PENDING when the provider accepted the message but delivery is not confirmed. */
  readonly status: 'SUCCESSFUL' | 'PENDING';
  /** How many provider calls it took. */
  readonly attempts: number;
}

export interface SendOptions {
  /** Aborted when the request's deadline passes; the sender must stop and throw. */
  readonly signal: AbortSignal;
  /** Epoch ms by which the send must have finished. */
  readonly deadline: number;
}

/**
 * Sends one rendered message. Throws DeliveryError (domain) on failure, with `kind` telling
 * retryable from terminal; never throws an error whose message contains the body.
 */
export interface MessageSender {
  send(message: OutboundMessage, options: SendOptions): Promise<SendReceipt>;
}
