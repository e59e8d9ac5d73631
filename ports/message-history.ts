import type { MessageRecord } from './message-record';

/** Read side of the ledger, for operators (`npm run status`). */
export interface MessageHistory {
  get(messageId: string): Promise<MessageRecord | undefined>;
  /** Every message sent for an IdP event (one, or none when nothing was sent). */
  findByEventId(eventId: string): Promise<readonly MessageRecord[]>;
  /** The latest messages to numbers with this mask (maskPhone), newest first. */
  findByMaskedPhone(maskedTo: string, limit: number): Promise<readonly MessageRecord[]>;
}
