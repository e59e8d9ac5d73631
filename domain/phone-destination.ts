import { type CountryCode, type PhoneNumberType, parsePhoneNumberFromString } from 'libphonenumber-js/core';
// The full ("max") metadata: only it carries the per-type patterns (premium-rate, shared-cost, …) for
// every country; the default "min" set has them only where parsing needs them (+1, +44, …). Measured in
// the hook bundle (npm run bench / the Brakes notes in README): +156 KB minified, ~+7 ms init.
import metadata from 'libphonenumber-js/max/metadata';
import { remembered } from './remembered';

/**
 * libphonenumber's number types, plus UNKNOWN: a number the inbound parser accepted (its length and
 * general pattern are right) that matches no type in the full metadata, i.e. a range the numbering plan
 * does not list as assigned to anything.
 */
export type NumberKind = PhoneNumberType | 'UNKNOWN';

export const NUMBER_KINDS: readonly NumberKind[] = [
  'MOBILE',
  'FIXED_LINE',
  'FIXED_LINE_OR_MOBILE',
  'TOLL_FREE',
  'VOIP',
  'PREMIUM_RATE',
  'SHARED_COST',
  'PERSONAL_NUMBER',
  'UAN',
  'PAGER',
  'VOICEMAIL',
  'UNKNOWN',
];

/** ITU's code for numbers that belong to no country (+800, +808, +870, +881, +882, +883, +888, +979). */
export const NON_GEOGRAPHIC = '001';

export interface PhoneDestination {
  readonly kind: NumberKind;
  /** ISO 3166-1 alpha-2 region, or "001" for non-geographic numbers. */
  readonly country: string;
  readonly callingCode: string;
}

const destinations = remembered(10_000, classify);

/**
 * What kind of number an E.164 string is and where it rings. Memoised: a warm Lambda sees the same
 * phones again and again, and type detection runs a dozen regular expressions.
 */
export function destinationOf(e164: string): PhoneDestination {
  return destinations(e164);
}

function classify(e164: string): PhoneDestination {
  const parsed = parsePhoneNumberFromString(e164, metadata);
  if (!parsed) return { kind: 'UNKNOWN', country: regionOfCallingCode(e164), callingCode: '' };
  const callingCode = String(parsed.countryCallingCode);
  const country = parsed.country ?? (parsed.isNonGeographic() ? NON_GEOGRAPHIC : fallbackRegion(callingCode));
  return { kind: parsed.getType() ?? 'UNKNOWN', country, callingCode };
}

/** A +1 or +44 number in no listed range still belongs to the calling code's main country. */
function fallbackRegion(callingCode: string): string {
  const regions = metadata.country_calling_codes[callingCode] as CountryCode[] | undefined;
  return regions?.[0] ?? NON_GEOGRAPHIC;
}

function regionOfCallingCode(e164: string): string {
  for (let length = 1; length <= 3; length += 1) {
    const prefix = e164.slice(1, 1 + length);
    if (Object.hasOwn(metadata.country_calling_codes, prefix)) return fallbackRegion(prefix);
  }
  return NON_GEOGRAPHIC;
}

/** Every ISO region the metadata knows (what a protect configuration can name). */
export function knownRegions(): string[] {
  return Object.keys(metadata.countries).filter((code) => /^[A-Z]{2}$/.test(code));
}
