import type { PriceTable } from '../domain/brake-policy';
import type { DeliveryOutcome } from '../domain/delivery-outcome';
import type { DeliveryRequest } from '../domain/delivery-request';
import { maskPhone } from '../domain/mask';
import { outcomeLabel } from '../domain/metric-labels';
import { countryOf } from '../domain/phone-country';
import type { CallOptions } from '../ports/call-options';
import type { Clock } from '../ports/clock';
import type { Fingerprinter } from '../ports/fingerprinter';
import type { Logger } from '../ports/logger';
import type { MessageLedger } from '../ports/message-ledger';
import type { Metrics } from '../ports/metrics';
import { untilAborted } from './deadline-signal';
import type { DeliveryTelemetry, NotSentReport, SentReport } from './delivery-telemetry';
import { requestMeasurements } from './metric-catalogue';

export interface TelemetrySettings {
  /**
   * IdPs whose verifications come back (Okta's event hook): their messages await confirmation and count
   * in the conversion rate. Messages of other IdPs would all look unused.
   */
  readonly conversionIdps: ReadonlySet<string>;
  /**
   * The brakes' price table (shipped estimates, BRAKES_PRICES overrides): the cost at send time is
   * estimated from the same figures the spend caps count. None: no estimate.
   */
  readonly prices?: PriceTable;
}

/** Publishes each request's metrics and records each sent message in the ledger. */
export class RecordedDeliveryTelemetry implements DeliveryTelemetry {
  constructor(
    private readonly metrics: Metrics,
    private readonly ledger: MessageLedger | undefined,
    private readonly fingerprinter: Fingerprinter,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly settings: TelemetrySettings,
  ) {}

  async sent(report: SentReport, options: CallOptions = {}): Promise<void> {
    const { request, message, receipt, outcome } = report;
    const country = countryOf(request.phone);
    const estimatedCostUsd = this.estimate(request, country, message.sms?.segments);
    this.publish(() =>
      requestMeasurements({
        outcome: 'sent',
        channel: request.channel,
        provider: receipt.provider,
        localeSource: message.templateSource,
        country,
        replyTimeMs: outcome.durationMs,
        ...(message.sms ? { segments: message.sms.segments } : {}),
        ...(estimatedCostUsd !== undefined ? { estimatedCostUsd } : {}),
      }),
    );
    if (!this.ledger) return;
    const signal = options.signal ?? new AbortController().signal;
    try {
      const userKey =
        request.userId !== undefined && this.settings.conversionIdps.has(request.idp)
          ? await untilAborted(
              this.fingerprinter.fingerprint(['user', request.idp, request.userId], { signal }),
              signal,
            )
          : undefined;
      await untilAborted(
        this.ledger.recordSent(
          {
            messageId: receipt.messageId,
            provider: receipt.provider,
            eventId: request.eventId,
            idp: request.idp,
            purpose: request.purpose,
            channel: request.channel,
            ...(country ? { country } : {}),
            maskedTo: maskPhone(request.phone),
            locale: message.locale,
            templateSource: message.templateSource,
            ...(message.sms ? { encoding: message.sms.encoding, segments: message.sms.segments } : {}),
            receivedAt: report.receivedAt,
            sentAt: this.clock.now(),
            codeExpiresAt: request.expiresAt.getTime(),
            ...(userKey ? { userKey } : {}),
            ...(estimatedCostUsd !== undefined ? { estimatedCostUsd } : {}),
          },
          { signal },
        ),
        signal,
      );
    } catch (error) {
      // The reply already says SUCCESSFUL; a missing record only costs its receipts and conversion.
      this.logger.warn('could not record the sent message', {
        eventId: request.eventId,
        messageId: receipt.messageId,
        error: error instanceof Error ? error.name : 'Error',
        cutShort: signal.aborted,
      });
    }
  }

  notSent(report: NotSentReport): void {
    const { request, outcome } = report;
    // A request the brakes absorbed is answered SUCCESSFUL, yet nothing was sent: a refusal.
    const absorbed = outcome.status !== 'FAILED';
    this.publish(() =>
      requestMeasurements({
        outcome: absorbed ? 'refused' : outcomeLabel(outcome.status, { reason: outcome.failureReason }),
        channel: request.channel,
        provider: outcome.provider,
        localeSource: outcome.templateSource,
        reason: absorbed ? 'brakes-absorbed' : outcome.failureReason,
        country: countryOf(request.phone),
        replyTimeMs: outcome.durationMs,
      }),
    );
  }

  duplicate(request: DeliveryRequest, outcome: DeliveryOutcome): void {
    this.publish(() =>
      requestMeasurements({
        outcome: 'duplicate',
        channel: request.channel,
        provider: outcome.provider,
        localeSource: outcome.templateSource,
        country: countryOf(request.phone),
        replyTimeMs: outcome.durationMs,
      }),
    );
  }

  private estimate(request: DeliveryRequest, country: string | undefined, segments?: number) {
    const prices = this.settings.prices;
    if (!prices) return undefined;
    const voice = request.channel === 'voice';
    const table = voice ? prices.voice : prices.sms;
    const unit = (country ? table[country] : undefined) ?? (voice ? prices.defaultVoice : prices.defaultSms);
    // SMS is billed per part; an OTP call is under a minute, billed as one.
    return Number((unit * (voice ? 1 : (segments ?? 1))).toFixed(6));
  }

  private publish(build: () => ReturnType<typeof requestMeasurements>): void {
    try {
      for (const measurement of build()) this.metrics.publish(measurement);
    } catch (error) {
      // A metric is never worth a request.
      this.logger.warn('could not publish metrics', { error: error instanceof Error ? error.name : 'Error' });
    }
  }
}
