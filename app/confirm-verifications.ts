import type { PhoneVerification } from '../domain/phone-verification';
import type { CallOptions } from '../ports/call-options';
import type { Clock } from '../ports/clock';
import type { Fingerprinter } from '../ports/fingerprinter';
import type { Logger } from '../ports/logger';
import type { MessageFeedback } from '../ports/message-feedback';
import type { MessageLedger } from '../ports/message-ledger';
import type { MessageRecord } from '../ports/message-record';
import type { Metrics } from '../ports/metrics';
import {
  conversionMeasurement,
  feedbackErrorMeasurement,
  type VerificationResult,
  verificationMeasurement,
} from './metric-catalogue';

export interface ConfirmationSummary {
  readonly confirmed: number;
  readonly late: number;
  readonly duplicate: number;
  readonly unmatched: number;
  /** Providers that could not be told: the IdP should deliver the report again (it is idempotent). */
  readonly feedbackFailed: number;
}

/**
 * Turns the IdP's reports of successful phone verifications into conversion: each confirms the latest
 * message sent to that user on that channel (its code was alive when the user verified), tells its
 * provider the message was received (End User Messaging's PutMessageFeedback), and measures it. Reports
 * arrive at least once and out of order: a repeat finds the message already confirmed and only retries
 * the provider feedback if that had failed.
 */
export class ConfirmVerifications {
  constructor(
    private readonly ledger: MessageLedger,
    private readonly fingerprinter: Fingerprinter,
    /** Feedback per provider name; a provider without one (the local outbox) needs none. */
    private readonly feedback: ReadonlyMap<string, MessageFeedback>,
    private readonly metrics: Metrics,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  async confirm(
    verifications: readonly PhoneVerification[],
    options: CallOptions = {},
  ): Promise<ConfirmationSummary> {
    const results = await Promise.all(verifications.map((v) => this.confirmOne(v, options)));
    const count = (result: VerificationResult) => results.filter((r) => r.result === result).length;
    for (const result of ['confirmed', 'late', 'duplicate', 'unmatched'] as const) {
      const n = count(result);
      if (n > 0) this.publish(() => verificationMeasurement(result, n));
    }
    return {
      confirmed: count('confirmed'),
      late: count('late'),
      duplicate: count('duplicate'),
      unmatched: count('unmatched'),
      feedbackFailed: results.filter((r) => r.feedbackFailed).length,
    };
  }

  /** Counts reports that were not phone verifications, for the same metric. */
  ignored(count: number): void {
    if (count > 0) this.publish(() => verificationMeasurement('ignored', count));
  }

  private async confirmOne(
    verification: PhoneVerification,
    options: CallOptions,
  ): Promise<{ result: VerificationResult; feedbackFailed: boolean }> {
    const userKey = await this.fingerprinter.fingerprint(
      ['user', verification.idp, verification.userId],
      options,
    );
    const record = await this.ledger.findForVerification(
      userKey,
      verification.channel,
      verification.at,
      options,
    );
    if (!record) {
      // Okta's own fallback provider sent that code, or the message predates the ledger.
      this.logger.info('verification matches no message', {
        idp: verification.idp,
        reportId: verification.reportId,
        channel: verification.channel,
      });
      return { result: 'unmatched', feedbackFailed: false };
    }
    const confirmed = await this.ledger.confirm(record.messageId, verification.at, options);
    if (confirmed === 'confirmed')
      this.publish(() => conversionMeasurement(record, 'converted', verification.at));
    if (confirmed === 'late') this.publish(() => conversionMeasurement(record, 'late'));
    this.logger.info('verification confirmed a message', {
      messageId: record.messageId,
      eventId: record.eventId,
      reportId: verification.reportId,
      result: confirmed,
      country: record.country,
    });
    const feedbackFailed =
      confirmed === 'already' && record.feedbackAt !== undefined
        ? false
        : !(await this.tellProvider(record, options));
    return { result: confirmed === 'already' ? 'duplicate' : confirmed, feedbackFailed };
  }

  /** True when the provider knows (or needs no telling). */
  private async tellProvider(record: MessageRecord, options: CallOptions): Promise<boolean> {
    const feedback = this.feedback.get(record.provider);
    if (!feedback) return true;
    try {
      await feedback.received(record.messageId, options);
      await this.ledger.markFeedbackSent(record.messageId, this.clock.now(), options);
      return true;
    } catch (error) {
      this.publish(() => feedbackErrorMeasurement(record.provider));
      this.logger.warn('could not tell the provider the message was received', {
        messageId: record.messageId,
        provider: record.provider,
        error: error instanceof Error ? error.name : 'Error',
      });
      return false;
    }
  }

  private publish(build: () => Parameters<Metrics['publish']>[0]): void {
    try {
      this.metrics.publish(build());
    } catch (error) {
      this.logger.warn('could not publish metrics', { error: error instanceof Error ? error.name : 'Error' });
    }
  }
}
