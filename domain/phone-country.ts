import { parsePhoneNumberFromString } from 'libphonenumber-js';

/**
 * The ISO 3166-1 alpha-2 country of an E.164 number, or undefined when the number belongs to no single
 * country (a range newer than the metadata, a non-geographic code). Metrics use it as a dimension.
 */
export function countryOfPhone(e164: string): string | undefined {
  return parsePhoneNumberFromString(e164)?.country;
}
