/** What the deliver-OTP use case needs to know from configuration. */
export interface DeliverySettings {
  /** Brand name substituted for {{brand}}. */
  readonly brand: string;
  /** Language every fallback chain ends in. */
  readonly defaultLocale: string;
  /**
   * Part of the request's deadline kept back for the failure path (seal, park, record) after a send is
   * abandoned, so the letter is parked before the reply leaves in time. Sized from a measurement: see
   * the README ("Failure-path reserve"). The budget itself is not here: it arrives with each request as a
   * Deadline, set by the edge from the IdP's contract.
   */
  readonly failurePathReserveMs: number;
  /** How far in the past an OTP expiry may lie before we refuse to send it (clock skew). */
  readonly expirySkewMs: number;
}
