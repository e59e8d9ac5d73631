import type { Channel } from './delivery-request';
import type { TemplateSource } from './message-template';
import type { ProviderTry } from './provider-try';

/** Okta's vocabulary happens to be the clearest one: sent and confirmed, sent but unconfirmed, not sent. */
export type DeliveryStatus = 'SUCCESSFUL' | 'PENDING' | 'FAILED';

export interface DeliveryOutcome {
  readonly status: DeliveryStatus;
  readonly eventId: string;
  readonly channel: Channel;
  /** Name of the provider that carried the message, e.g. "aws-end-user-messaging" or "local-outbox". */
  readonly provider: string;
  /** The provider's message id; empty when nothing was sent. */
  readonly transactionId: string;
  /** The template locale actually used, and where the template came from. */
  readonly locale?: string;
  readonly templateSource?: TemplateSource;
  /** Set when status is FAILED: a short, safe, machine-readable reason (a DeliveryFailureKind or similar). */
  readonly failureReason?: string;
  /** The providers tried, in order, and what each did (the one that sent last). */
  readonly tries?: readonly ProviderTry[];
  /** Set when this reply repeats an earlier delivery of the same code instead of sending again. */
  readonly duplicate?: boolean;
  readonly durationMs: number;
}

/**
 * The reply for a request that sent nothing and failed for `failureReason`: no provider of the message's
 * carried it (provider "otp-courier"), no message id.
 */
export function notSentOutcome(
  request: { readonly eventId: string; readonly channel: Channel },
  failureReason: string,
  durationMs: number,
): DeliveryOutcome {
  return {
    status: 'FAILED',
    eventId: request.eventId,
    channel: request.channel,
    provider: 'otp-courier',
    transactionId: '',
    failureReason,
    durationMs,
  };
}
