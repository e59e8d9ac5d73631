import type { DeliveryFailureKind } from '../../domain/errors';

/** The kind of failure, and a description safe to log and to park (error name and reason, never SDK text). */
export interface ProviderErrorClass {
  readonly kind: DeliveryFailureKind;
  readonly detail: string;
}

// Reasons are the service's own enums (ConflictExceptionReason / ValidationExceptionReason), so matching
// them is matching the model, not message text.
const OPTED_OUT = new Set(['DESTINATION_PHONE_NUMBER_OPTED_OUT']);
const BLOCKED = new Set([
  'DESTINATION_COUNTRY_BLOCKED',
  'DESTINATION_COUNTRY_BLOCKED_BY_PROTECT_CONFIGURATION',
  'DESTINATION_PHONE_NUMBER_BLOCKED_BY_PROTECT_NUMBER_OVERRIDE',
  // Sandbox accounts may only send to verified numbers: the destination, not our request, is the problem.
  'DESTINATION_PHONE_NUMBER_NOT_VERIFIED',
  'COUNTRY_NOT_ENABLED',
]);
// Validation failures that no message text could fix: the account or settings are wrong.
const MISCONFIGURED_VALIDATION = new Set([
  'INVALID_ARN',
  'INVALID_IDENTITY_FOR_DESTINATION_COUNTRY',
  'SENDER_ID_NOT_REGISTERED',
  'SENDER_ID_NOT_SUPPORTED',
  'SENDER_ID_REQUIRES_REGISTRATION',
  'CHANNEL_NOT_ENABLED',
  'VOICE_CAPABILITY_NOT_AVAILABLE',
  'INTERNATIONAL_SENDING_NOT_SUPPORTED',
  'COUNTRY_CODE_MISMATCH',
  'PRICE_OVER_THRESHOLD',
  'RESOURCE_NOT_ACCESSIBLE',
]);
// Socket-level failures before a response. A reset is mostly Node's keep-alive race (the server closed an
// idle socket as we wrote to it), which is why they count as retryable.
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
]);
const THROTTLING_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
]);

interface SdkErrorShape {
  name?: unknown;
  code?: unknown;
  Reason?: unknown;
  $fault?: unknown;
  $retryable?: { throttling?: boolean } | undefined;
  $metadata?: { httpStatusCode?: number; requestId?: string } | undefined;
}

/**
 * Maps an error thrown by an SDK v3 client call to the domain's failure kind, by the error's class name,
 * its modelled `Reason`, `$retryable`/`$fault` and HTTP status — never by its message, which is free text
 * the service may change (and may echo request fields).
 *
 * Aborts are reported as 'deadline-exceeded' and the SDK's own timeouts as 'timeout'; a caller that knows
 * why it aborted may refine that.
 */
export function classifyProviderError(error: unknown): ProviderErrorClass {
  const e = (typeof error === 'object' && error !== null ? error : {}) as SdkErrorShape;
  const name = typeof e.name === 'string' ? e.name : 'UnknownError';
  const reason = typeof e.Reason === 'string' ? e.Reason : undefined;
  const status = e.$metadata?.httpStatusCode;
  const code = typeof e.code === 'string' ? e.code : undefined;
  const detail = [name, reason, status === undefined ? undefined : `HTTP ${status}`, code]
    .filter((p): p is string => p !== undefined)
    .join(' ');
  const is = (kind: DeliveryFailureKind): ProviderErrorClass => ({ kind, detail });

  if (name === 'AbortError') return is('deadline-exceeded');
  // Before the timeout check: the SDK's Node handler renames ECONNRESET/EPIPE errors to TimeoutError,
  // but a reset with no response is a refused request, not one that may still be in flight.
  if (code !== undefined && NETWORK_CODES.has(code)) return is('network');
  if (name === 'TimeoutError' || code === 'ETIMEDOUT') return is('timeout');
  if (THROTTLING_NAMES.has(name) || e.$retryable?.throttling === true) return is('throttled');
  switch (name) {
    case 'ConflictException':
      if (reason !== undefined && OPTED_OUT.has(reason)) return is('opted-out');
      if (reason !== undefined && BLOCKED.has(reason)) return is('destination-blocked');
      // Other conflicts (resource not active, no origination identity, type mismatch) are our setup.
      return is('misconfigured');
    case 'ValidationException':
      if (reason !== undefined && BLOCKED.has(reason)) return is('destination-blocked');
      if (reason !== undefined && MISCONFIGURED_VALIDATION.has(reason)) return is('misconfigured');
      return is('invalid-message');
    case 'ServiceQuotaExceededException':
      return is('quota-exceeded');
    case 'AccessDeniedException':
      return is('access-denied');
    case 'ResourceNotFoundException':
      return is('misconfigured');
    case 'CredentialsProviderError':
    case 'UnrecognizedClientException':
    case 'InvalidSignatureException':
      return is('access-denied');
    case 'InternalServerException':
    case 'ServiceUnavailableException':
    case 'ServiceUnavailable':
      return is('provider-unavailable');
    default:
      break;
  }
  if (e.$fault === 'server' || (status !== undefined && status >= 500)) return is('provider-unavailable');
  return is('unknown');
}
