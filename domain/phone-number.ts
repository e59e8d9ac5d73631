import type { CountryCode } from 'libphonenumber-js';
import { parsePhoneNumberFromString } from 'libphonenumber-js';

/**
 * A phone number as an IdP sent it, in E.164 ("+14155550123"), or undefined when it is not a valid
 * number. Shared by every inbound adapter: libphonenumber's metadata is the rule, not any one IdP's habit.
 *
 * With "+" the number is read as international. Without it (Okta's samples omit it), the national reading
 * in `region` wins when valid (a US "4155550123" must not become a Swiss +41 number), otherwise the digits
 * are read as E.164 that lost its "+" ("447700900123").
 */
export function toE164(raw: string, region: CountryCode): string | undefined {
  const trimmed = raw.trim();
  if (trimmed.startsWith('+')) return valid(trimmed);
  return valid(trimmed, region) ?? valid(`+${trimmed.replace(/\D/g, '')}`);
}

/** The number in E.164 if libphonenumber finds it valid (a module function: no closure per request). */
function valid(candidate: string, country?: CountryCode): string | undefined {
  const parsed = parsePhoneNumberFromString(candidate, country);
  return parsed?.isValid() ? parsed.number : undefined;
}

/** Only digits, spaces, ( ) . - and a leading "+": anything else is not a phone number anyone typed. */
export const PHONE_CHARACTERS = /^\+?[0-9 ()./-]+$/;
export const MAX_PHONE_LENGTH = 32;
