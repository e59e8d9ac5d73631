import type { ReceiptFailure, ReceiptStatus } from '../domain/delivery-receipt';
import type { SentMessage } from './message-ledger';

/** Whether a message's code was used: awaiting, used (received), or expired unused. */
export type ConversionState = 'awaiting' | 'received' | 'unconfirmed';

/**
 * One message as recorded: what the hook knew when it was sent, plus what receipts and verifications
 * added since. A record created by a receipt alone (the send was never recorded) has only the receipt's
 * fields.
 */
export interface MessageRecord extends Partial<Omit<SentMessage, 'messageId' | 'provider'>> {
  readonly messageId: string;
  readonly provider: string;
  readonly status?: ReceiptStatus;
  readonly failure?: ReceiptFailure;
  readonly providerStatus?: string;
  /** When the latest applied receipt was reported, epoch ms. */
  readonly receiptAt?: number;
  /** Whether the message's fate is settled (counted in the delivery rate). */
  readonly settled?: boolean;
  /** When the provider received the send, epoch ms, as it reports it. */
  readonly requestedAt?: number;
  readonly priceUsd?: number;
  readonly parts?: number;
  readonly conversion?: ConversionState;
  readonly verifiedAt?: number;
  /** When the provider was told it was received. */
  readonly feedbackAt?: number;
  /** When it was settled as never used. */
  readonly unconfirmedAt?: number;
}
