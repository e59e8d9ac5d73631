import type { Deadline } from '../domain/deadline';
import type { OutboundMessage } from '../domain/outbound-message';
import type { ProviderTry } from '../domain/provider-try';

export interface SendReceipt {
  /** Provider name reported to the IdP, e.g. "aws-end-user-messaging". */
  readonly provider: string;
  /** The provider's message id. */
  readonly messageId: string;
  /** PENDING when the provider accepted the message but delivery is not confirmed. */
  readonly status: 'SUCCESSFUL' | 'PENDING';
  /** How many provider calls it took. */
  readonly attempts: number;
  /** What the provider says it charged, when its answer says (Twilio's `price`, often known only later). */
  readonly price?: { readonly amount: string; readonly currency: string };
  /** Set by a router: every provider tried, in order, the one that sent last. */
  readonly tries?: readonly ProviderTry[];
}

export interface SendOptions {
  /** Aborted when the send's deadline passes; the sender must stop and throw. */
  readonly signal: AbortSignal;
  /** By when the send must have finished; ask it for the time left. */
  readonly deadline: Deadline;
  /**
   * Provider calls already made for this message, by any provider. A provider that can be told (Twilio's
   * `Attempt`) is; none may use it to decide anything.
   */
  readonly previousCalls?: number;
}

/**
 * Sends one rendered message. Throws DeliveryError (domain) on failure, with `kind` saying what went
 * wrong and `certainty` whether the message may have reached the provider anyway (decided from what
 * happened on the wire); never throws an error whose message contains the body.
 */
export interface MessageSender {
  send(message: OutboundMessage, options: SendOptions): Promise<SendReceipt>;
}
