import type { FailureCertainty } from '../domain/delivery-certainty';
import type { DeliveryOutcome } from '../domain/delivery-outcome';
import type { DeliveryRequest } from '../domain/delivery-request';
import type { OutboundMessage } from '../domain/outbound-message';
import type { CallOptions } from '../ports/call-options';
import type { SendReceipt } from '../ports/message-sender';

export interface SentReport {
  readonly request: DeliveryRequest;
  readonly message: OutboundMessage;
  readonly receipt: SendReceipt;
  readonly outcome: DeliveryOutcome;
  /** API Gateway's arrival stamp, epoch ms. */
  readonly receivedAt: number;
}

export interface NotSentReport {
  readonly request: DeliveryRequest;
  readonly outcome: DeliveryOutcome;
  readonly certainty: FailureCertainty;
  readonly message?: OutboundMessage;
}

/**
 * What DeliverOtp tells the rest of the system about each request: metrics, and the ledger record that
 * receipts and verifications later complete. Never throws, never holds the reply: `sent` runs alongside
 * recording the send and stops at the same cut-off.
 */
export interface DeliveryTelemetry {
  sent(report: SentReport, options?: CallOptions): Promise<void>;
  notSent(report: NotSentReport): void;
  duplicate(request: DeliveryRequest, outcome: DeliveryOutcome): void;
}

/** For compositions without metrics or a ledger (benchmarks, hand-built tests). */
export const NO_TELEMETRY: DeliveryTelemetry = {
  sent: async () => {},
  notSent: () => {},
  duplicate: () => {},
};
