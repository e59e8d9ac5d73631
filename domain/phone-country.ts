import { parsePhoneNumberFromString } from 'libphonenumber-js';
import metadata from 'libphonenumber-js/metadata.min.json';

import { remembered } from './remembered';

// One request asks this three times of the same number (the router, the sender, the metrics): a parse
// each time was most of their share of the CPU. Bounded like phone-destination's answers.
const countriesByNumber = remembered(10_000, parseCountries);

/**
 * The ISO 3166-1 alpha-2 country of an E.164 number; else the main country of its calling code (a
 * Jersey or Guernsey mobile counts as GB, a range newer than libphonenumber's metadata still has a
 * calling code); undefined for something that is not a phone number at all.
 */
export function countryOf(e164: string): string | undefined {
  return countriesOf(e164)[0];
}

/** The number's own country, and the main country of its calling code when that differs. */
export function countriesOf(e164: string): readonly string[] {
  return countriesByNumber(e164);
}

function parseCountries(e164: string): readonly string[] {
  const parsed = parsePhoneNumberFromString(e164);
  if (!parsed) return [];
  const main: string | undefined = metadata.country_calling_codes[parsed.countryCallingCode]?.[0];
  const own: string | undefined = parsed.country;
  return Object.freeze([...new Set([own, main].filter((c): c is string => c !== undefined))]);
}
