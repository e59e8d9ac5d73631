import type { CountryCode } from 'libphonenumber-js';

/** What the HTTP edge of the hook needs from configuration. */
export interface HookSettings {
  /** Region assumed for phone numbers Okta sends without a "+" (its samples do). */
  readonly defaultPhoneRegion: CountryCode;
  /** Largest body accepted, in bytes; Okta's requests are ~1–2 KB. */
  readonly maxBodyBytes: number;
  /**
   * The budget from API Gateway's arrival stamp to the reply (Okta gives up at 3,000 ms). The edge turns
   * it into the request's one Deadline.
   */
  readonly deadlineMs: number;
  /**
   * How long an Auth0 phone code lives (Auth0's event carries no expiry); 5 minutes when unset. The
   * Auth0 adapter turns it into the request's expiry.
   */
  readonly auth0CodeValidityMinutes?: number;
}
