import type { FailureCertainty } from '../../domain/delivery-certainty';
import type { DeliveryFailureKind } from '../../domain/errors';
import type { WireObservation } from './wire-observation';

/**
 * The kind of failure, whether the message may have reached the provider, and a description safe to log
 * and to park (error name and reason, never SDK text).
 */
export interface ProviderErrorClass {
  readonly kind: DeliveryFailureKind;
  readonly certainty: FailureCertainty;
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
// Socket-level failures with no response. Kind 'network' says nothing about certainty: a reset after the
// request left is as likely to follow an accepted send as a refused one.
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EADDRNOTAVAIL',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
]);
// Failures that happen before a connection exists, so before a byte of the request left.
const NEVER_CONNECTED_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EADDRNOTAVAIL',
]);
// Raised on our side before any request is made.
const NEVER_SENT_NAMES = new Set(['CredentialsProviderError']);
const THROTTLING_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
]);
// A gateway between us and the service gave up waiting for it (bad gateway, gateway timeout): the service
// behind it may have accepted the request.
const GATEWAY_STATUSES = new Set([502, 504]);

interface SdkErrorShape {
  name?: unknown;
  code?: unknown;
  Reason?: unknown;
  $fault?: unknown;
  $retryable?: { throttling?: boolean } | undefined;
  $metadata?: { httpStatusCode?: number; requestId?: string } | undefined;
  $response?: unknown;
}

/**
 * Maps an error thrown by an SDK v3 client call to the domain's failure kind and delivery certainty, by
 * the error's class name, its modelled `Reason`, `$retryable`/`$fault`, its HTTP status, its socket error
 * code and what the call's socket did (`wire`) — never by its message, which is free text the service
 * may change (and may echo request fields).
 *
 * Certainty follows what was on the wire:
 * - the provider answered and refused (4xx, throttling, 500 InternalServerException, 503): not sent;
 * - the provider answered 2xx but the answer could not be read, or a gateway answered 502/504: uncertain;
 * - no answer, and no connection was ever made (refused, DNS, unreachable, or the socket never
 *   connected — a connect timeout, or an abort while connecting): not sent;
 * - no answer after the connection was made (reset, hang-up, timeout, abort): uncertain — the request
 *   may have been read and acted on before the answer was lost.
 */
export function classifyProviderError(error: unknown, wire?: WireObservation): ProviderErrorClass {
  const e = (typeof error === 'object' && error !== null ? error : {}) as SdkErrorShape;
  const name = typeof e.name === 'string' ? e.name : 'UnknownError';
  const reason = typeof e.Reason === 'string' ? e.Reason : undefined;
  const status = e.$metadata?.httpStatusCode;
  const code = typeof e.code === 'string' ? e.code : undefined;
  const detail = [name, reason, status === undefined ? undefined : `HTTP ${status}`, code]
    .filter((p): p is string => p !== undefined)
    .join(' ');
  return {
    kind: kindOf(name, reason, status, code, e),
    certainty: certaintyOf(name, status, code, e, wire),
    detail,
  };
}

function certaintyOf(
  name: string,
  status: number | undefined,
  code: string | undefined,
  e: SdkErrorShape,
  wire: WireObservation | undefined,
): FailureCertainty {
  const answered = typeof status === 'number' || e.$response !== undefined;
  if (answered) {
    if (status === undefined || (status >= 200 && status < 300)) return 'uncertain';
    return GATEWAY_STATUSES.has(status) ? 'uncertain' : 'not-sent';
  }
  if (NEVER_SENT_NAMES.has(name)) return 'not-sent';
  // The socket's own account beats the error code: it knows whether a connection ever existed.
  if (wire?.socketAssigned) return wire.connected ? 'uncertain' : 'not-sent';
  if (code !== undefined && NEVER_CONNECTED_CODES.has(code)) return 'not-sent';
  return 'uncertain';
}

function kindOf(
  name: string,
  reason: string | undefined,
  status: number | undefined,
  code: string | undefined,
  e: SdkErrorShape,
): DeliveryFailureKind {
  if (name === 'AbortError') return 'deadline-exceeded';
  // Before the timeout check: the SDK's Node handler renames ECONNRESET/EPIPE errors to TimeoutError.
  if (code !== undefined && NETWORK_CODES.has(code)) return 'network';
  if (name === 'TimeoutError' || code === 'ETIMEDOUT') return 'timeout';
  if (THROTTLING_NAMES.has(name) || e.$retryable?.throttling === true) return 'throttled';
  switch (name) {
    case 'ConflictException':
      if (reason !== undefined && OPTED_OUT.has(reason)) return 'opted-out';
      if (reason !== undefined && BLOCKED.has(reason)) return 'destination-blocked';
      // Other conflicts (resource not active, no origination identity, type mismatch) are our setup.
      return 'misconfigured';
    case 'ValidationException':
      if (reason !== undefined && BLOCKED.has(reason)) return 'destination-blocked';
      if (reason !== undefined && MISCONFIGURED_VALIDATION.has(reason)) return 'misconfigured';
      return 'invalid-message';
    case 'ServiceQuotaExceededException':
      return 'quota-exceeded';
    case 'AccessDeniedException':
      return 'access-denied';
    case 'ResourceNotFoundException':
      return 'misconfigured';
    case 'CredentialsProviderError':
    case 'UnrecognizedClientException':
    case 'InvalidSignatureException':
      return 'access-denied';
    case 'InternalServerException':
    case 'ServiceUnavailableException':
    case 'ServiceUnavailable':
      return 'provider-unavailable';
    default:
      break;
  }
  if (e.$fault === 'server' || (status !== undefined && status >= 500)) return 'provider-unavailable';
  return 'unknown';
}
