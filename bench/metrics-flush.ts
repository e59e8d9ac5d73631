/**
 * `npx tsx bench/metrics-flush.ts > /dev/null`: what metrics cost each hook invocation. A delivery
 * publishes two EMF documents (by channel/provider/outcome, by country) through Powertools Metrics:
 * dimension sets, values, serialisation, and the flush to standard output that Lambda ships to
 * CloudWatch Logs. Measured as the hook does it (RecordedDeliveryTelemetry, no ledger), Powertools'
 * own flush to stdout (redirect it to /dev/null), after a warm-up. Results go to stderr.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { PowertoolsMetricsAdapter } from '../adapters/powertools/powertools-metrics';
import { RecordedDeliveryTelemetry } from '../app/recorded-delivery-telemetry';
import type { DeliveryRequest } from '../domain/delivery-request';

const N = Number(process.env.N ?? 20_000);
const telemetry = new RecordedDeliveryTelemetry(
  new PowertoolsMetricsAdapter({ namespace: 'otp-courier/bench', serviceName: 'otp-courier' }),
  undefined,
  { fingerprint: async () => 'k' },
  { now: Date.now },
  { debug() {}, info() {}, warn() {}, error() {} },
  {
    conversionIdps: new Set(['okta']),
    prices: { asOf: '', source: '', sms: { US: 0.0088 }, voice: {}, defaultSms: 0.05, defaultVoice: 0.1 },
  },
);
const phones = ['+14155550123', '+442079460958', '+33612345678', '+5511987654321', '+919876543210'];

async function once(i: number): Promise<void> {
  const request: DeliveryRequest = {
    eventId: `evt${i}`,
    idp: 'okta',
    purpose: 'verification',
    channel: 'sms',
    phone: phones[i % phones.length] as string,
    code: '123456',
    expiresAt: new Date(Date.now() + 300_000),
    requestedLocale: 'en',
  };
  await telemetry.sent({
    request,
    message: {
      eventId: request.eventId,
      purpose: 'verification',
      channel: 'sms',
      to: request.phone,
      locale: 'en',
      templateSource: 'dynamodb',
      body: 'x',
      bodyType: 'text',
      expiresAt: request.expiresAt,
      sms: { encoding: 'GSM-7', segments: 1 },
    },
    receipt: { provider: 'aws-end-user-messaging', messageId: `m${i}`, status: 'SUCCESSFUL', attempts: 1 },
    outcome: {
      status: 'SUCCESSFUL',
      eventId: request.eventId,
      channel: 'sms',
      provider: 'aws-end-user-messaging',
      transactionId: `m${i}`,
      durationMs: 40,
    },
    receivedAt: Date.now(),
  });
}

async function main(): Promise<void> {
  for (let i = 0; i < 2_000; i++) await once(i);
  const samples: number[] = [];
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  for (let i = 0; i < N; i++) {
    const t = process.hrtime.bigint();
    await once(i);
    samples.push(Number(process.hrtime.bigint() - t) / 1_000);
  }
  lag.disable();
  samples.sort((a, b) => a - b);
  const pct = (p: number) =>
    samples[Math.min(samples.length - 1, Math.floor(p * samples.length))]?.toFixed(1);
  process.stderr.write(
    `metrics per hook invocation (2 EMF documents, Powertools flush to stdout), n=${N}: ` +
      `p50 ${pct(0.5)} µs, p90 ${pct(0.9)} µs, p99 ${pct(0.99)} µs, max ${samples.at(-1)?.toFixed(1)} µs\n`,
  );
}

void main();
