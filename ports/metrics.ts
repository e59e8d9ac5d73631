/** The metrics otp-courier publishes; the catalogue (units, dimensions, meaning) is in app/metric-catalogue.ts. */
export type MetricName =
  | 'Requests'
  | 'ReplyTime'
  | 'CountryRequests'
  | 'SmsSegments'
  | 'EstimatedCost'
  | 'Receipts'
  | 'Delivered'
  | 'DeliveryLatency'
  | 'Cost'
  | 'Converted'
  | 'TimeToVerify'
  | 'LateConversions'
  | 'Verifications'
  | 'FeedbackErrors';

export type MetricUnit = 'Count' | 'Milliseconds' | 'None';

/** Dimension names; their values come from closed sets (domain/metric-labels.ts). */
export type DimensionName =
  | 'channel'
  | 'provider'
  | 'country'
  | 'localeSource'
  | 'outcome'
  | 'reason'
  | 'status'
  | 'result';

export type DimensionValues = Readonly<Partial<Record<DimensionName, string>>>;

export interface MetricValue {
  readonly name: MetricName;
  readonly unit: MetricUnit;
  readonly value: number;
}

/**
 * Measurements of one thing that happened (a request, a receipt, a verification), published together.
 * Each dimension set makes every value a metric aggregated over those dimensions only; the empty set is
 * the service-wide total. Sets name dimensions present in `dimensions`.
 */
export interface Measurement {
  readonly dimensions: DimensionValues;
  readonly sets: readonly (readonly DimensionName[])[];
  readonly values: readonly MetricValue[];
}

/**
 * Publishes measurements. Synchronous and cheap (one structured log line): it runs on the hot path, and
 * nothing may be left pending when a Lambda handler returns.
 */
export interface Metrics {
  publish(measurement: Measurement): void;
}
