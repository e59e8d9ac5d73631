import type { DeliveryOutcome } from '../domain/delivery-outcome';
import type { CallOptions } from './call-options';

export type DeliveryState = 'in-progress' | 'sent' | 'failed';

export interface IdempotencyKeys {
  /** Derived from the IdP's event id. */
  readonly eventKey: string;
  /** Keyed fingerprint of (channel, phone, code): never the code or an unkeyed hash of it. */
  readonly codeKey: string;
}

export type ClaimResult =
  | { readonly claimed: true }
  | { readonly claimed: false; readonly state: DeliveryState; readonly outcome?: DeliveryOutcome };

/**
 * Makes each delivery happen at most once per event and per (channel, phone, code).
 * Records expire (TTL) when the passcode does.
 */
export interface IdempotencyStore {
  /**
   * Atomically claims both keys; if either is taken, returns what is recorded under it.
   * `expiresAt` is the passcode's expiry in epoch milliseconds; records live until then, and at least a
   * few minutes even for a passcode that already expired, so replays of it are deduplicated too.
   * A write the transport repeated (an answer lost, the request retried) is still this claim's own: a
   * claim never reports itself as somebody else's. `signal` aborts at the request's deadline; the
   * claim then rejects, and a half-made claim is at worst left "in progress" (duplicates get PENDING).
   */
  claim(keys: IdempotencyKeys, expiresAt: number, options?: CallOptions): Promise<ClaimResult>;
  /** Records how the claimed delivery ended, so a duplicate can replay the reply. */
  complete(
    keys: IdempotencyKeys,
    state: 'sent' | 'failed',
    outcome: DeliveryOutcome,
    options?: CallOptions,
  ): Promise<void>;
}
