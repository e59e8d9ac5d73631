import type { DeliveryReceipt } from '../domain/delivery-receipt';
import { countsAsDelivered } from '../domain/delivery-receipt';
import {
  channelLabel,
  countryLabel,
  localeSourceLabel,
  providerLabel,
  type RequestOutcome,
  reasonLabel,
  receiptStatusLabel,
} from '../domain/metric-labels';
import type { MessageRecord } from '../ports/message-record';
import type { DimensionName, Measurement, MetricName, MetricUnit, MetricValue } from '../ports/metrics';

/**
 * Every metric otp-courier publishes (namespace `otp-courier/<stack>`, plus the `service` dimension
 * Powertools adds), with its unit, the dimension sets it is aggregated over, and what it means. Rates are
 * 0/1 samples, so their Average is the rate and their SampleCount the volume. The dashboard, the alarms,
 * the local summary (`npm run metrics`) and the tests read this list.
 */
export interface MetricDefinition {
  readonly name: MetricName;
  readonly unit: MetricUnit;
  readonly sets: readonly (readonly DimensionName[])[];
  readonly meaning: string;
}

const REQUEST_SETS: readonly (readonly DimensionName[])[] = [
  [],
  ['channel', 'provider', 'outcome'],
  ['channel', 'localeSource'],
  ['outcome', 'reason'],
];
const COUNTRY_SETS: readonly (readonly DimensionName[])[] = [['country', 'channel', 'outcome']];
const RECEIPT_SETS: readonly (readonly DimensionName[])[] = [
  [],
  ['channel'],
  ['country', 'channel'],
  ['provider', 'channel'],
];
const RECEIPT_STATUS_SETS: readonly (readonly DimensionName[])[] = [['channel', 'status']];
const CONVERSION_SETS: readonly (readonly DimensionName[])[] = [[], ['channel'], ['country', 'channel']];

export const METRIC_CATALOGUE: readonly MetricDefinition[] = [
  {
    name: 'Requests',
    unit: 'Count',
    sets: REQUEST_SETS,
    meaning:
      'delivery requests by outcome (sent, duplicate, refused, failed), channel, provider, locale source, reason',
  },
  {
    name: 'ReplyTime',
    unit: 'Milliseconds',
    sets: REQUEST_SETS,
    meaning: 'from API Gateway arrival to the reply',
  },
  {
    name: 'CountryRequests',
    unit: 'Count',
    sets: COUNTRY_SETS,
    meaning: 'delivery requests by destination country, channel and outcome',
  },
  { name: 'SmsSegments', unit: 'Count', sets: COUNTRY_SETS, meaning: 'SMS parts sent (billed per part)' },
  {
    name: 'EstimatedCost',
    unit: 'None',
    sets: COUNTRY_SETS,
    meaning: 'USD at send time, from the configured price estimates',
  },
  { name: 'Receipts', unit: 'Count', sets: RECEIPT_STATUS_SETS, meaning: 'receipts applied, by status' },
  {
    name: 'Delivered',
    unit: 'None',
    sets: RECEIPT_SETS,
    meaning: '1 delivered / 0 failed, once per message when its fate settles: Average = delivery rate',
  },
  {
    name: 'DeliveryLatency',
    unit: 'Milliseconds',
    sets: RECEIPT_SETS,
    meaning: 'from the provider accepting the send to the settling receipt',
  },
  { name: 'Cost', unit: 'None', sets: RECEIPT_SETS, meaning: 'USD the provider billed (receipts)' },
  {
    name: 'Converted',
    unit: 'None',
    sets: CONVERSION_SETS,
    meaning: '1 code used / 0 expired unused, once per message: Average = conversion rate',
  },
  { name: 'TimeToVerify', unit: 'Milliseconds', sets: CONVERSION_SETS, meaning: 'from send to verification' },
  {
    name: 'LateConversions',
    unit: 'Count',
    sets: CONVERSION_SETS,
    meaning: 'verifications that arrived after the message was settled as unused',
  },
  {
    name: 'Verifications',
    unit: 'Count',
    sets: [['result']],
    meaning: 'IdP verification reports: confirmed, late, duplicate, unmatched, ignored',
  },
  {
    name: 'FeedbackErrors',
    unit: 'Count',
    sets: [['provider']],
    meaning: 'calls telling the provider a message was received that failed',
  },
];

const v = (name: MetricName, value: number): MetricValue => {
  const unit = METRIC_CATALOGUE.find((m) => m.name === name)?.unit ?? 'None';
  return { name, unit, value };
};

export interface RequestFacts {
  readonly outcome: RequestOutcome;
  readonly channel: string;
  readonly provider?: string;
  readonly localeSource?: string;
  readonly reason?: string;
  readonly country?: string;
  readonly replyTimeMs: number;
  readonly segments?: number;
  readonly estimatedCostUsd?: number;
}

/** The two measurements of one delivery request: by channel/provider/outcome, and by country. */
export function requestMeasurements(facts: RequestFacts): Measurement[] {
  const channel = channelLabel(facts.channel);
  const byRequest: Measurement = {
    dimensions: {
      channel,
      provider: providerLabel(facts.provider),
      outcome: facts.outcome,
      localeSource: localeSourceLabel(facts.localeSource),
      reason: facts.outcome === 'sent' || facts.outcome === 'duplicate' ? 'none' : reasonLabel(facts.reason),
    },
    sets: REQUEST_SETS,
    values: [v('Requests', 1), v('ReplyTime', Math.max(0, facts.replyTimeMs))],
  };
  const byCountry: Measurement = {
    dimensions: { country: countryLabel(facts.country), channel, outcome: facts.outcome },
    sets: COUNTRY_SETS,
    values: [
      v('CountryRequests', 1),
      ...(facts.segments !== undefined ? [v('SmsSegments', facts.segments)] : []),
      ...(facts.estimatedCostUsd !== undefined ? [v('EstimatedCost', facts.estimatedCostUsd)] : []),
    ],
  };
  return [byRequest, byCountry];
}

/** What one applied receipt measures: its status, and, the one time it settles the message, the rate. */
export function receiptMeasurements(
  receipt: DeliveryReceipt,
  record: MessageRecord | undefined,
  settledNow: boolean,
): Measurement[] {
  const channel = channelLabel(record?.channel ?? receipt.channel);
  const measurements: Measurement[] = [
    {
      dimensions: { channel, status: receiptStatusLabel(receipt.status, receipt.failure) },
      sets: RECEIPT_STATUS_SETS,
      values: [v('Receipts', 1)],
    },
  ];
  if (!settledNow) return measurements;
  const sentAt = record?.sentAt ?? receipt.requestedAt;
  const price = receipt.priceUsd ?? record?.priceUsd;
  measurements.push({
    dimensions: {
      channel,
      country: countryLabel(receipt.country ?? record?.country),
      provider: providerLabel(record?.provider ?? receipt.provider),
    },
    sets: RECEIPT_SETS,
    values: [
      v('Delivered', countsAsDelivered(receipt) ? 1 : 0),
      ...(sentAt !== undefined && receipt.at >= sentAt ? [v('DeliveryLatency', receipt.at - sentAt)] : []),
      ...(price !== undefined ? [v('Cost', price)] : []),
    ],
  });
  return measurements;
}

/** A message's conversion: used (with the time it took), used after being settled unused, or unused. */
export function conversionMeasurement(
  record: MessageRecord,
  result: 'converted' | 'late' | 'unconfirmed',
  verifiedAt?: number,
): Measurement {
  const values: MetricValue[] =
    result === 'late'
      ? [v('LateConversions', 1)]
      : [
          v('Converted', result === 'converted' ? 1 : 0),
          ...(result === 'converted' && verifiedAt !== undefined && record.sentAt !== undefined
            ? [v('TimeToVerify', Math.max(0, verifiedAt - record.sentAt))]
            : []),
        ];
  return {
    dimensions: { channel: channelLabel(record.channel), country: countryLabel(record.country) },
    sets: CONVERSION_SETS,
    values,
  };
}

export type VerificationResult = 'confirmed' | 'late' | 'duplicate' | 'unmatched' | 'ignored';

export function verificationMeasurement(result: VerificationResult, count = 1): Measurement {
  return { dimensions: { result }, sets: [['result']], values: [v('Verifications', count)] };
}

export function feedbackErrorMeasurement(provider: string): Measurement {
  return {
    dimensions: { provider: providerLabel(provider) },
    sets: [['provider']],
    values: [v('FeedbackErrors', 1)],
  };
}
