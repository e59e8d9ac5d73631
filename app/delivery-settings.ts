/** What the deliver-OTP use case needs to know from configuration. */
export interface DeliverySettings {
  /** Brand name substituted for {{brand}}. */
  readonly brand: string;
  /** Language every fallback chain ends in. */
  readonly defaultLocale: string;
  /** Total time from arrival to reply, ms (Okta gives up at 3,000). */
  readonly deadlineMs: number;
  /**
   * Part of the deadline kept back for the failure path (seal, park, record) after a send is
   * abandoned, so the reply still leaves in time.
   */
  readonly failurePathReserveMs: number;
  /** How far in the past an OTP expiry may lie before we refuse to send it (clock skew). */
  readonly expirySkewMs: number;
}
