import type { CountryRule } from '../../domain/brake-policy';
import type { Channel } from '../../domain/delivery-request';

/**
 * Where otp-courier may send, per channel: THE one place for country rules. The hook enforces it
 * before sending, and template.yaml's BrakesProtectConfiguration (AWS End User Messaging Protect) carries
 * the same rules as a second enforcement point. After editing, run `npm run brakes -- protect-rules` and
 * paste its output into template.yaml (test/unit/brakes-template.test.ts fails until they agree).
 *
 *   { mode: 'allow-all' }                                  the default: every country
 *   { mode: 'block', countries: ['CU', 'SO'] }             everything except these
 *   { mode: 'allow', countries: ['US', 'CA', 'GB'] }       only these
 *
 * Codes are ISO 3166-1 alpha-2; "001" stands for non-geographic numbers (+800, +881, +882, +979, …),
 * which a protect configuration cannot name, so only the hook enforces it. For a start, see
 * high-risk-destinations.ts, e.g. `voice: { mode: 'block', countries: [...HIGH_RISK_EXAMPLE] }`.
 */
export const COUNTRY_POLICY: Readonly<Record<Channel, CountryRule>> = {
  sms: { mode: 'allow-all' },
  voice: { mode: 'allow-all' },
};
