import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { getCountries, getCountryCallingCode } from 'libphonenumber-js/min';
import { describe, expect, it } from 'vitest';
import { PowertoolsMetricsAdapter } from '../../adapters/powertools/powertools-metrics';
import {
  conversionMeasurement,
  receiptMeasurements,
  verificationMeasurement,
} from '../../app/metric-catalogue';
import { RecordedDeliveryTelemetry } from '../../app/recorded-delivery-telemetry';
import { RECEIPT_FAILURES, RECEIPT_STATUSES } from '../../domain/delivery-receipt';
import {
  FAILURE_REASONS,
  LOCALE_SOURCES,
  PROVIDERS,
  REQUEST_OUTCOMES,
  receiptStatusLabel,
} from '../../domain/metric-labels';
import type { DimensionName, Measurement } from '../../ports/metrics';
import { RecordingLogger } from '../support/recording-logger';
import { RecordingMetrics } from '../support/recording-metrics';

/**
 * Metric dimensions have bounded cardinality: whatever a request, a receipt or a verification carries —
 * any phone number, event id, provider name, failure text, country string — every dimension value comes
 * from a closed set, so no phone number, event id or free text ever becomes a CloudWatch metric.
 */
const ALLOWED: Record<DimensionName, (value: string) => boolean> = {
  channel: (v) => ['sms', 'voice', 'other'].includes(v),
  provider: (v) => PROVIDERS.includes(v),
  country: (v) => /^[A-Z]{2}$/.test(v),
  localeSource: (v) => LOCALE_SOURCES.includes(v),
  outcome: (v) => (REQUEST_OUTCOMES as readonly string[]).includes(v),
  reason: (v) => v === 'none' || FAILURE_REASONS.includes(v),
  status: (v) =>
    [
      ...RECEIPT_STATUSES.map((s) => receiptStatusLabel(s)),
      ...RECEIPT_FAILURES.map((f) => `failed-${f}`),
      'other',
    ].includes(v),
  result: (v) => ['confirmed', 'late', 'duplicate', 'unmatched', 'ignored'].includes(v),
};

const callingCodes = [...new Set(getCountries().map((c) => getCountryCallingCode(c)))];
const phone = fc.oneof(
  fc.tuple(fc.constantFrom(...callingCodes), fc.stringMatching(/^\d{6,11}$/)).map(([cc, n]) => `+${cc}${n}`),
  fc.string(),
);
const anything = fc.oneof(
  fc.string(),
  fc.constantFrom(...PROVIDERS, 'refused.velocity.user.1h', 'sms', 'voice'),
);
const eventId = fc.stringMatching(/^[A-Za-z0-9]{22}$/);

function checkBounded(measurement: Measurement, secrets: readonly string[]): void {
  for (const [name, value] of Object.entries(measurement.dimensions)) {
    expect(ALLOWED[name as DimensionName]?.(value as string), `${name}=${value}`).toBe(true);
  }
  for (const set of measurement.sets)
    for (const name of set) expect(measurement.dimensions[name]).toBeDefined();
  const text = JSON.stringify(measurement.dimensions);
  for (const secret of secrets) if (secret.length >= 8) expect(text).not.toContain(secret);
}

describe('metric dimensions are bounded', () => {
  it('requests: sent, not sent, duplicates, whatever the request carries', async () => {
    const metrics = new RecordingMetrics();
    const telemetry = new RecordedDeliveryTelemetry(
      metrics,
      undefined,
      { fingerprint: async () => 'k' },
      { now: () => 0 },
      new RecordingLogger(),
      { conversionIdps: new Set(['okta']) },
    );
    await fc.assert(
      fc.asyncProperty(
        phone,
        eventId,
        fc.constantFrom('sms' as const, 'voice' as const),
        anything,
        anything,
        anything,
        fc.integer({ min: 0, max: 10 }),
        async (to, id, channel, provider, reason, source, segments) => {
          metrics.measurements.length = 0;
          const request = {
            eventId: id,
            idp: 'okta',
            purpose: 'verification' as const,
            channel,
            phone: to,
            code: '123456',
            expiresAt: new Date(300_000),
            requestedLocale: 'en',
          };
          const outcome = {
            status: 'SUCCESSFUL' as const,
            eventId: id,
            channel,
            provider,
            transactionId: id,
            templateSource: source as never,
            durationMs: 12,
          };
          await telemetry.sent({
            request,
            message: {
              eventId: id,
              purpose: 'verification',
              channel,
              to,
              locale: 'en',
              templateSource: source as never,
              body: 'x',
              bodyType: 'text',
              expiresAt: new Date(300_000),
              sms: { encoding: 'GSM-7', segments },
            },
            receipt: { provider, messageId: id, status: 'SUCCESSFUL', attempts: 1 },
            outcome,
            receivedAt: 0,
          });
          telemetry.notSent({
            request,
            outcome: { ...outcome, status: 'FAILED', failureReason: reason },
            certainty: 'not-sent',
          });
          telemetry.duplicate(request, { ...outcome, duplicate: true });
          expect(metrics.measurements.length).toBe(6);
          for (const m of metrics.measurements) checkBounded(m, [id, to.replace(/\D/g, '')]);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('receipts and conversions, whatever the provider reports', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...RECEIPT_STATUSES),
        fc.option(fc.constantFrom(...RECEIPT_FAILURES), { nil: undefined }),
        fc.string(),
        anything,
        eventId,
        fc.boolean(),
        (status, failure, country, provider, id, settled) => {
          const receipt = {
            provider,
            messageId: id,
            status,
            ...(failure ? { failure } : {}),
            providerStatus: country,
            final: true,
            at: 10,
            country,
            eventId: id,
          };
          const record = {
            messageId: id,
            provider,
            country,
            channel: 'sms' as const,
            sentAt: 1,
            eventId: id,
          };
          for (const m of receiptMeasurements(receipt, record, settled)) checkBounded(m, [id]);
          for (const result of ['converted', 'late', 'unconfirmed'] as const)
            checkBounded(conversionMeasurement(record, result, 5), [id]);
          checkBounded(verificationMeasurement('unmatched'), [id]);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('the EMF documents Powertools writes carry those dimensions and nothing else of the request', () => {
    const lines: string[] = [];
    const adapter = new PowertoolsMetricsAdapter({
      namespace: 'otp-courier/test',
      serviceName: 'otp-courier',
      sink: (l) => lines.push(l),
    });
    const id = randomBytes(11).toString('hex');
    const record = {
      messageId: id,
      provider: 'aws-end-user-messaging',
      country: 'FR',
      channel: 'sms' as const,
      sentAt: 1,
    };
    adapter.publish(conversionMeasurement(record, 'converted', 900));
    const doc = JSON.parse(lines[0] ?? '{}');
    expect(doc._aws.CloudWatchMetrics[0]).toMatchObject({
      Namespace: 'otp-courier/test',
      Dimensions: [['service'], ['service', 'channel'], ['service', 'country', 'channel']],
    });
    expect(Object.keys(doc).sort()).toEqual([
      'Converted',
      'TimeToVerify',
      '_aws',
      'channel',
      'country',
      'service',
    ]);
    expect(lines.join('\n')).not.toContain(id);
  });
});
