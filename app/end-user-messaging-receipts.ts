import {
  receiptFromEndUserMessagingEvent,
  UnreadableEventError,
} from '../adapters/end-user-messaging/end-user-messaging-events';
import type { Logger } from '../ports/logger';
import type { ReceiptOutcome, RecordReceipts } from './record-receipts';

export type EventOutcome = ReceiptOutcome | 'ignored' | 'unreadable';

/**
 * One End User Messaging event, as its event destination delivers it (the JSON text of an SNS message),
 * through the receipts path. The Lambda and the local stack's simulated carrier both come through here.
 * A malformed event is logged and dropped (retrying cannot fix it); a failed ledger write throws, so the
 * delivery is retried.
 */
export async function recordEndUserMessagingEvent(
  message: string,
  receipts: RecordReceipts,
  logger: Logger,
): Promise<EventOutcome> {
  let event: unknown;
  try {
    event = JSON.parse(message);
  } catch {
    logger.error('delivery event is not JSON: dropped', { length: message.length });
    return 'unreadable';
  }
  let receipt: ReturnType<typeof receiptFromEndUserMessagingEvent>;
  try {
    receipt = receiptFromEndUserMessagingEvent(event);
  } catch (error) {
    if (!(error instanceof UnreadableEventError)) throw error;
    logger.error('delivery event unreadable: dropped', { reason: error.message });
    return 'unreadable';
  }
  if (!receipt) return 'ignored';
  return receipts.record(receipt);
}
