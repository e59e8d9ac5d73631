import type { CountryCode } from 'libphonenumber-js';

/** What the HTTP edge of the hook needs from configuration. */
export interface HookSettings {
  /** Region assumed for phone numbers Okta sends without a "+" (its samples do). */
  readonly defaultPhoneRegion: CountryCode;
  /** Largest body accepted, in bytes; Okta's requests are ~1–2 KB. */
  readonly maxBodyBytes: number;
  /** Same budget as DeliverySettings.deadlineMs: the reply leaves by then whatever happens. */
  readonly deadlineMs: number;
}
