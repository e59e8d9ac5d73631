/** Time, injectable so deadlines and expiry are testable. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}
