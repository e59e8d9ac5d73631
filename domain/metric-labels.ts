import type { DeliveryStatus } from './delivery-outcome';
import type { ReceiptFailure, ReceiptStatus } from './delivery-receipt';
import { RECEIPT_FAILURES, RECEIPT_STATUSES } from './delivery-receipt';
import { CHANNELS } from './delivery-request';

/**
 * Metric dimension values, each from a closed set: a dimension with unbounded values (a phone number, an
 * event id, a free-form error) would mint a new CloudWatch metric per value, each billed monthly, and
 * make the dashboard unreadable. Anything outside a set becomes "other" (or "ZZ" for countries).
 */

/** How a request ended, for metrics. */
export type RequestOutcome = 'sent' | 'duplicate' | 'refused' | 'failed';

export const REQUEST_OUTCOMES: readonly RequestOutcome[] = ['sent', 'duplicate', 'refused', 'failed'];

/**
 * Failure reasons that are a deliberate "no" — from the provider (opted out, blocked, invalid, over
 * quota) or from our own policy (expired code, abuse limits) — rather than something going wrong.
 */
const REFUSALS: ReadonlySet<string> = new Set([
  'opted-out',
  'destination-blocked',
  'invalid-message',
  'quota-exceeded',
  'code-expired',
  'rate-limited',
  'abuse-blocked',
  'brakes',
  'brakes-absorbed',
]);

/** Every failure reason a metric may carry: DeliveryFailureKind, DeliverOtp's own, abuse brakes'. */
export const FAILURE_REASONS: readonly string[] = [
  'throttled',
  'provider-unavailable',
  'network',
  'timeout',
  'deadline-exceeded',
  'opted-out',
  'destination-blocked',
  'invalid-message',
  'quota-exceeded',
  'access-denied',
  'misconfigured',
  'unknown',
  'code-expired',
  'no-template',
  'idempotency-unavailable',
  'internal-error',
  'rate-limited',
  'abuse-blocked',
  'brakes',
  'brakes-absorbed',
  'other',
];
const REASON_SET: ReadonlySet<string> = new Set(FAILURE_REASONS);

/** Provider names the senders report; a new provider adds its name here. */
export const PROVIDERS: readonly string[] = [
  'aws-end-user-messaging',
  'twilio',
  'local-outbox',
  'otp-courier',
  'otp-courier-brakes',
  'other',
];
const PROVIDER_SET: ReadonlySet<string> = new Set(PROVIDERS);

export const LOCALE_SOURCES: readonly string[] = ['dynamodb', 'catalogue', 'idp', 'none', 'other'];
const LOCALE_SOURCE_SET: ReadonlySet<string> = new Set(LOCALE_SOURCES);

/** The country dimension for numbers no country claims, and for anything that is not a country code. */
export const UNKNOWN_COUNTRY = 'ZZ';

export function outcomeLabel(
  status: DeliveryStatus,
  options: { duplicate?: boolean; reason?: string } = {},
): RequestOutcome {
  if (options.duplicate) return 'duplicate';
  if (status !== 'FAILED') return 'sent';
  return REFUSALS.has(reasonLabel(options.reason)) ? 'refused' : 'failed';
}

/** The abuse brakes name their rules "refused.<rule>", some of them configured: one label for all. */
export function reasonLabel(reason: string | undefined): string {
  if (reason?.startsWith('refused.')) return 'brakes';
  return reason !== undefined && REASON_SET.has(reason) ? reason : 'other';
}

export function providerLabel(provider: string | undefined): string {
  return provider !== undefined && PROVIDER_SET.has(provider) ? provider : 'other';
}

export function channelLabel(channel: string | undefined): string {
  return channel !== undefined && (CHANNELS as readonly string[]).includes(channel) ? channel : 'other';
}

export function localeSourceLabel(source: string | undefined): string {
  if (source === undefined) return 'none';
  return LOCALE_SOURCE_SET.has(source) ? source : 'other';
}

/** ISO 3166-1 alpha-2 in upper case, or "ZZ" (the code ISO reserves for "unknown"). */
export function countryLabel(country: string | undefined): string {
  const upper = country?.toUpperCase();
  return upper !== undefined && /^[A-Z]{2}$/.test(upper) ? upper : UNKNOWN_COUNTRY;
}

export function receiptStatusLabel(status: ReceiptStatus, failure?: ReceiptFailure): string {
  if (!RECEIPT_STATUSES.includes(status)) return 'other';
  if (status !== 'failed') return status;
  return `failed-${failure !== undefined && RECEIPT_FAILURES.includes(failure) ? failure : 'unknown'}`;
}
