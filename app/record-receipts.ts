import type { DeliveryReceipt } from '../domain/delivery-receipt';
import type { CallOptions } from '../ports/call-options';
import type { Logger } from '../ports/logger';
import type { MessageLedger } from '../ports/message-ledger';
import type { Metrics } from '../ports/metrics';
import { receiptMeasurements } from './metric-catalogue';

export type ReceiptOutcome = 'applied' | 'settled' | 'unchanged';

/**
 * Records delivery receipts from any provider (End User Messaging events, Twilio callbacks, the local
 * carrier) in the ledger and measures them. A receipt delivered twice, or older than the recorded one,
 * changes nothing and measures nothing but nothing: the ledger's conditional write decides, and the
 * delivery-rate sample is taken only by the receipt that settles the message.
 */
export class RecordReceipts {
  constructor(
    private readonly ledger: MessageLedger,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
  ) {}

  /** Throws when the ledger cannot be written: the caller's retry (SNS/Lambda, Twilio) redelivers it. */
  async record(receipt: DeliveryReceipt, options: CallOptions = {}): Promise<ReceiptOutcome> {
    const result = await this.ledger.applyReceipt(receipt, options);
    if (!result.applied) {
      this.logger.debug('receipt changed nothing', {
        messageId: receipt.messageId,
        providerStatus: receipt.providerStatus,
      });
      return 'unchanged';
    }
    try {
      for (const m of receiptMeasurements(receipt, result.record, result.settledNow)) this.metrics.publish(m);
    } catch (error) {
      this.logger.warn('could not publish metrics', { error: error instanceof Error ? error.name : 'Error' });
    }
    this.logger.info('receipt recorded', {
      messageId: receipt.messageId,
      eventId: result.record?.eventId,
      provider: receipt.provider,
      providerStatus: receipt.providerStatus,
      status: receipt.status,
      failure: receipt.failure,
      country: receipt.country ?? result.record?.country,
      priceUsd: receipt.priceUsd,
      settled: result.settledNow,
    });
    return result.settledNow ? 'settled' : 'applied';
  }
}
