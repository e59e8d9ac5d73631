import type { FailureCertainty } from './delivery-certainty';
import type { ProviderTry } from './provider-try';

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
 * Why a send did not go through. The kind says what went wrong; the certainty (delivery-certainty.ts)
 * says whether the message may have reached the provider anyway. Both are decided by the provider
 * adapter from what happened on the wire and the provider's error type, never from message text.
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

// Failures that may pass by themselves; the others (opted out, blocked, misconfigured…) come back
// identically on every attempt.
const TRANSIENT: ReadonlySet<DeliveryFailureKind> = new Set([
  'throttled',
  'provider-unavailable',
  'network',
  'timeout',
]);

export function isTransient(kind: DeliveryFailureKind): boolean {
  return TRANSIENT.has(kind);
}

/**
 * Whether a failed send may be attempted again automatically: only when nothing can have reached the
 * provider (a second attempt cannot make a second message) and the failure may pass by itself.
 */
export function maySendAgain(failure: Pick<DeliveryError, 'kind' | 'certainty'>): boolean {
  return failure.certainty === 'not-sent' && isTransient(failure.kind);
}

export class DeliveryError extends Error {
  override readonly name = 'DeliveryError';
  readonly attempts: number;
  /** The providers tried, in order, when the failure comes from routing (empty from a single adapter). */
  readonly tries: readonly ProviderTry[];
  constructor(
    readonly kind: DeliveryFailureKind,
    readonly certainty: FailureCertainty,
    message: string,
    options?: ErrorOptions & { attempts?: number; tries?: readonly ProviderTry[] },
  ) {
    super(message, options);
    this.attempts = options?.attempts ?? 1;
    this.tries = options?.tries ?? [];
  }
}

/**
 * An IdP sent its secret encrypted (Cognito: AWS Encryption SDK under a KMS key) and it could not be
 * decrypted. `mayPass` says whether trying again can help: the key service was unreachable or throttled
 * (yes), or the ciphertext is malformed or under another key (no). The message never holds key material.
 */
export class SecretUnreadableError extends Error {
  override readonly name = 'SecretUnreadableError';
  constructor(
    message: string,
    readonly mayPass: boolean,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
