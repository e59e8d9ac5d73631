import { describe, expect, it } from 'vitest';
import { PowertoolsMetricsAdapter } from '../../adapters/powertools/powertools-metrics';
import { conversionMeasurement, receiptMeasurements, requestMeasurements } from '../../app/metric-catalogue';
import { formatMetricsSummary, parseEmfLine, summariseMetrics } from '../../app/metrics-summary';

describe('npm run metrics: summarising EMF as the dashboard would', () => {
  it('counts each request once whatever its dimension sets, and computes rates and cost by country', () => {
    const lines: string[] = [];
    const metrics = new PowertoolsMetricsAdapter({
      namespace: 'otp-courier/test',
      serviceName: 'otp-courier',
      sink: (l) => lines.push(l),
    });
    const publish = (ms: ReturnType<typeof requestMeasurements>) => {
      for (const m of ms) metrics.publish(m);
    };
    for (const [country, replyTimeMs] of [
      ['FR', 100],
      ['FR', 300],
      ['NG', 200],
    ] as const)
      publish(
        requestMeasurements({
          outcome: 'sent',
          channel: 'sms',
          provider: 'aws-end-user-messaging',
          localeSource: 'dynamodb',
          country,
          replyTimeMs,
          segments: 2,
          estimatedCostUsd: 0.1,
        }),
      );
    publish(
      requestMeasurements({
        outcome: 'refused',
        channel: 'sms',
        reason: 'refused.velocity.user',
        country: 'NG',
        replyTimeMs: 20,
      }),
    );
    const receipt = (country: string, status: 'delivered' | 'failed') => ({
      provider: 'aws-end-user-messaging',
      messageId: 'm',
      status,
      providerStatus: status,
      final: true,
      at: 10,
      country,
      priceUsd: 0.05,
    });
    const record = (country: string) => ({
      messageId: 'm',
      provider: 'aws-end-user-messaging',
      channel: 'sms' as const,
      country,
      sentAt: 1,
    });
    publish(receiptMeasurements(receipt('FR', 'delivered'), record('FR'), true));
    publish(receiptMeasurements(receipt('FR', 'failed'), record('FR'), true));
    publish(receiptMeasurements(receipt('NG', 'delivered'), record('NG'), false));
    metrics.publish(conversionMeasurement(record('FR'), 'converted', 5_000));
    metrics.publish(conversionMeasurement(record('NG'), 'unconfirmed'));

    const summary = summariseMetrics(lines.map(parseEmfLine).filter((d) => d !== undefined));
    expect(summary.requests).toEqual({ sent: 3, refused: 1 });
    expect(summary.reasons).toEqual({ 'refused: brakes': 1 });
    expect(summary.replyTime).toEqual({ p50: 100, p90: 300, p99: 300, max: 300 });
    expect(summary.delivery).toEqual({ samples: 2, sum: 1 });
    expect(summary.conversion).toEqual({ samples: 2, sum: 1 });
    const fr = summary.countries.find((c) => c.country === 'FR');
    expect(fr).toMatchObject({
      sent: 2,
      segments: 4,
      delivery: { samples: 2, sum: 1 },
      conversion: { samples: 1, sum: 1 },
    });
    expect(fr?.billedCost).toBeCloseTo(0.1, 6);
    expect(fr?.estimatedCost).toBeCloseTo(0.2, 6);
    expect(summary.countries.find((c) => c.country === 'NG')).toMatchObject({
      sent: 1,
      refused: 1,
      conversion: { samples: 1, sum: 0 },
    });
    expect(formatMetricsSummary(summary)).toMatch(/delivery rate\s+50\.0 % of 2/);
  });

  it('skips lines that are not EMF', () => {
    expect(parseEmfLine('{"level":"INFO","message":"otp sent"}')).toBeUndefined();
    expect(parseEmfLine('not json')).toBeUndefined();
  });
});
