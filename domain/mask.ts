import { parsePhoneNumberFromString } from 'libphonenumber-js/min';

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
  const parsed = parsePhoneNumberFromString(e164);
  if (parsed === undefined) return MASKED;
  const countryCode = String(parsed.countryCallingCode);
  const subscriber = e164.slice(1 + countryCode.length);
  if (!e164.startsWith(`+${countryCode}`) || subscriber.length < MIN_SUBSCRIBER_DIGITS) return MASKED;
  return `+${countryCode}${'*'.repeat(subscriber.length - 2)}${subscriber.slice(-2)}`;
}
