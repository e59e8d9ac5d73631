import metadata from 'libphonenumber-js/min/metadata';

const MASKED = '***';
// With fewer subscriber digits than this, showing the last two would reveal too much of the number.
const MIN_SUBSCRIBER_DIGITS = 4;

/**
 * A phone number safe for logs: the country calling code and the last two digits, the rest starred
 * ("+14155550123" → "+1********23"). The star count keeps the number's length, which helps support
 * spot a truncated number. Anything that is not an E.164 number becomes "***".
 */
export function maskPhone(e164: string): string {
  if (typeof e164 !== 'string' || !/^\+[1-9]\d{5,14}$/.test(e164)) return MASKED;
  const countryCode = callingCodeOf(e164);
  if (countryCode === undefined) return MASKED;
  const subscriber = e164.slice(1 + countryCode.length);
  if (subscriber.length < MIN_SUBSCRIBER_DIGITS) return MASKED;
  return `+${countryCode}${'*'.repeat(subscriber.length - 2)}${subscriber.slice(-2)}`;
}

/**
 * Calling codes are prefix-free (no code starts another), so the first 1 to 3 digits that are one are
 * the number's. A table lookup, not a full parse: this runs for every log line about a delivery.
 */
function callingCodeOf(e164: string): string | undefined {
  for (let length = 1; length <= 3; length += 1) {
    const prefix = e164.slice(1, 1 + length);
    if (Object.hasOwn(metadata.country_calling_codes, prefix)) return prefix;
  }
  return undefined;
}
