import type { Channel } from './delivery-request';

/**
 * Where a sent message stands, as its provider's receipts tell it, in one vocabulary for every provider
 * (End User Messaging events, Twilio status callbacks, the local simulated carrier):
 *
 * - `pending`: queued, ringing, on its way;
 * - `accepted`: the recipient's carrier took it (End User Messaging's TEXT_SUCCESSFUL, Twilio's `sent`);
 *   in countries without handset receipts this is the last word, and the provider says so (`final`);
 * - `delivered`: the handset got it, or the call was answered;
 * - `failed`: it will not arrive (`failure` says why);
 * - `unknown`: the provider gave up asking (End User Messaging's UNKNOWN after 72 h).
 */
export type ReceiptStatus = 'pending' | 'accepted' | 'delivered' | 'failed' | 'unknown';

export const RECEIPT_STATUSES: readonly ReceiptStatus[] = [
  'pending',
  'accepted',
  'delivered',
  'failed',
  'unknown',
];

/** Why a message will not arrive; bounded, so it can be a metric dimension. */
export type ReceiptFailure =
  | 'blocked'
  | 'spam'
  | 'ttl-expired'
  | 'unreachable'
  | 'invalid'
  | 'opted-out'
  | 'no-answer'
  | 'busy'
  | 'carrier-failed'
  | 'unknown';

export const RECEIPT_FAILURES: readonly ReceiptFailure[] = [
  'blocked',
  'spam',
  'ttl-expired',
  'unreachable',
  'invalid',
  'opted-out',
  'no-answer',
  'busy',
  'carrier-failed',
  'unknown',
];

/** One delivery receipt, provider-neutral. Never carries the body, the code or the full phone number. */
export interface DeliveryReceipt {
  /** The provider name the sender reported (`SendReceipt.provider`), e.g. "aws-end-user-messaging". */
  readonly provider: string;
  /** The provider's message id, as the send returned it. */
  readonly messageId: string;
  readonly channel?: Channel;
  readonly status: ReceiptStatus;
  readonly failure?: ReceiptFailure;
  /** The provider's own status word (TEXT_DELIVERED, undelivered…), kept for the record. */
  readonly providerStatus: string;
  /** The provider says no later status will come for this message. */
  readonly final: boolean;
  /** When the provider reported it, epoch ms (when we received it, if the provider gives no time). */
  readonly at: number;
  /**
   * The provider gave no time (Twilio's messaging callbacks): `at` is when the report arrived, so it cannot
   * tell a newer report from the same one delivered again, and does not order receipts within a stage.
   */
  readonly untimed?: boolean;
  /** When the provider received the send request, epoch ms, if it says. */
  readonly requestedAt?: number;
  /** ISO 3166-1 alpha-2 of the destination, as the provider reports it. */
  readonly country?: string;
  /** What the provider billed for the message, in USD, if it says. */
  readonly priceUsd?: number;
  /** SMS parts billed. */
  readonly parts?: number;
  /** The IdP event id we attached to the send (End User Messaging's `context`). */
  readonly eventId?: string;
}

const RANK: Readonly<Record<ReceiptStatus, number>> = {
  pending: 1,
  accepted: 2,
  delivered: 3,
  failed: 3,
  unknown: 3,
};

// Epoch milliseconds stay below 10^13 until the year 2286, so rank × 10^13 + time orders by rank first.
const RANK_WEIGHT = 10_000_000_000_000;

/**
 * A single number that orders receipts: a later stage always wins (delivered beats accepted, whatever
 * order the events arrive in), and within a stage the later report wins. Storing it lets one conditional
 * write ("only if greater") make receipts idempotent and order-proof: a receipt delivered twice, or an
 * older one arriving late, changes nothing.
 */
export function receiptOrder(receipt: Pick<DeliveryReceipt, 'status' | 'at' | 'untimed'>): number {
  // Untimed: the first report of a stage stands, and the same report again is equal, so changes nothing.
  if (receipt.untimed) return RANK[receipt.status] * RANK_WEIGHT;
  return RANK[receipt.status] * RANK_WEIGHT + Math.max(0, Math.min(RANK_WEIGHT - 1, Math.floor(receipt.at)));
}

/**
 * Whether the receipt settles the message's fate: delivered, failed, unknown, or accepted by the carrier
 * when the provider says nothing more will come. A message is counted once, when it first settles.
 */
export function settles(receipt: Pick<DeliveryReceipt, 'status' | 'final'>): boolean {
  return receipt.status !== 'pending' && (receipt.status !== 'accepted' || receipt.final);
}

/** Whether a settled message counts as delivered for the delivery rate. */
export function countsAsDelivered(receipt: Pick<DeliveryReceipt, 'status' | 'final'>): boolean {
  return receipt.status === 'delivered' || (receipt.status === 'accepted' && receipt.final);
}
