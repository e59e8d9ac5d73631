/**
 * Domain errors carry a machine-readable reason; the edge (HTTP, Okta reply) decides how to show them.
 * Messages never contain the passcode.
 */
export class InvalidRequestError extends Error {
  override readonly name = 'InvalidRequestError';
  constructor(
    message: string,
    readonly issues: readonly string[] = [],
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export class TemplateError extends Error {
  override readonly name = 'TemplateError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

export class TemplateNotFoundError extends Error {
  override readonly name = 'TemplateNotFoundError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

export class TokenRejectedError extends Error {
  override readonly name = 'TokenRejectedError';
  constructor(
    /** Short machine-readable reason, e.g. "expired", "wrong-audience". Safe to log. */
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`token rejected: ${reason}`, options);
  }
}

/**
 * Why a send did not go through. `retryable` is decided by the provider adapter from the
 * provider's error type, never from message text.
 */
export type DeliveryFailureKind =
  | 'throttled'
  | 'provider-unavailable'
  | 'network'
  | 'timeout'
  | 'deadline-exceeded'
  | 'opted-out'
  | 'destination-blocked'
  | 'invalid-message'
  | 'quota-exceeded'
  | 'access-denied'
  | 'misconfigured'
  | 'unknown';

const RETRYABLE: ReadonlySet<DeliveryFailureKind> = new Set([
  'throttled',
  'provider-unavailable',
  'network',
  'timeout',
]);

export function isRetryable(kind: DeliveryFailureKind): boolean {
  return RETRYABLE.has(kind);
}

export class DeliveryError extends Error {
  override readonly name = 'DeliveryError';
  readonly retryable: boolean;
  constructor(
    readonly kind: DeliveryFailureKind,
    message: string,
    options?: ErrorOptions & { attempts?: number },
  ) {
    super(message, options);
    this.retryable = isRetryable(kind);
    this.attempts = options?.attempts ?? 1;
  }
  readonly attempts: number;
}
