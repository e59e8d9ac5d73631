import type { DeliveryReceipt } from '../domain/delivery-receipt';
import type { Channel, Purpose } from '../domain/delivery-request';
import type { CallOptions } from './call-options';
import type { MessageRecord } from './message-record';

/** What the hook knows of a message the provider accepted. No body, no code, no full phone number. */
export interface SentMessage {
  readonly messageId: string;
  readonly provider: string;
  readonly eventId: string;
  readonly idp: string;
  readonly purpose: Purpose;
  readonly channel: Channel;
  /** ISO 3166-1 alpha-2, when the number belongs to one country. */
  readonly country?: string;
  /** maskPhone() of the destination. */
  readonly maskedTo: string;
  readonly locale?: string;
  readonly templateSource?: string;
  readonly encoding?: string;
  readonly segments?: number;
  /** API Gateway's arrival stamp, epoch ms. */
  readonly receivedAt: number;
  /** When the provider accepted it, epoch ms. */
  readonly sentAt: number;
  /** When the passcode expires, epoch ms. */
  readonly codeExpiresAt: number;
  /**
   * Keyed fingerprint of (IdP, user id): set when the IdP reports verifications back, so the message
   * awaits confirmation and counts in the conversion rate.
   */
  readonly userKey?: string;
  readonly estimatedCostUsd?: number;
}

export interface ReceiptResult {
  /** False when the receipt changed nothing: a duplicate, or older than what is recorded. */
  readonly applied: boolean;
  /** True the one time a receipt settles the message's fate (counted in the delivery rate). */
  readonly settledNow: boolean;
  /** The record after the receipt, when it exists. */
  readonly record?: MessageRecord;
}

export type ConfirmResult =
  /** Awaiting confirmation until now: counted as converted. */
  | 'confirmed'
  /** Already settled as unconfirmed (the verification arrived after the sweep): counted as converted now. */
  | 'late'
  /** Confirmed before: a duplicate report. */
  | 'already';

/**
 * The life of every sent message after the reply: receipts, confirmation, conversion. Every write is
 * conditional, so a report delivered twice (SNS, Okta's at-least-once event hooks) changes nothing.
 */
export interface MessageLedger {
  recordSent(message: SentMessage, options?: CallOptions): Promise<void>;
  /** Applies a receipt if it is newer than what is recorded (see receiptOrder). */
  applyReceipt(receipt: DeliveryReceipt, options?: CallOptions): Promise<ReceiptResult>;
  /**
   * The latest message sent to this user (on this channel, when given) at or before `at`, whose code was
   * still valid at `at`, awaiting confirmation or not.
   */
  findForVerification(
    userKey: string,
    channel: Channel | undefined,
    at: number,
    options?: CallOptions,
  ): Promise<MessageRecord | undefined>;
  confirm(messageId: string, at: number, options?: CallOptions): Promise<ConfirmResult>;
  /** Notes that the provider was told the message was received (End User Messaging's feedback). */
  markFeedbackSent(messageId: string, at: number, options?: CallOptions): Promise<void>;
  /**
   * Settles up to `limit` messages still awaiting confirmation whose code expired before `before`: they
   * were never used. Returns those it settled (and nobody else did).
   */
  settleExpired(before: number, limit: number, options?: CallOptions): Promise<readonly MessageRecord[]>;
}
