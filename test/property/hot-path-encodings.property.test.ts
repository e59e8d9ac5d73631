import fc from 'fast-check';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import metadata from 'libphonenumber-js/metadata.min.json';
import { describe, expect, it } from 'vitest';
import { isIsoDateTime } from '../../adapters/okta/okta-hook-request';
import { fingerprintInput } from '../../domain/fingerprint-input';
import { countriesOf, countryOf } from '../../domain/phone-country';

/** The encoding as first written (a buffer per part, then a concat): idempotency keys depend on it. */
function chunkedFingerprintInput(parts: readonly string[]): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const bytes = Buffer.from(part, 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    chunks.push(length, bytes);
  }
  return Buffer.concat(chunks);
}

/** The date check as first written (a probe Date): the arithmetic one must agree with it everywhere. */
function probeIsIsoDateTime(value: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/.exec(
    value,
  );
  if (!m) return false;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  const probe = new Date(Date.UTC(y, mo - 1, d));
  return (
    probe.getUTCFullYear() === y &&
    probe.getUTCMonth() === mo - 1 &&
    probe.getUTCDate() === d &&
    h < 24 &&
    mi < 60 &&
    s < 60 &&
    Number.isFinite(Date.parse(value))
  );
}

const digits = (n: number, max: number) => fc.integer({ min: 0, max }).map((v) => String(v).padStart(n, '0'));

const dateTimeArb = fc
  .tuple(
    fc.oneof(digits(4, 9999), fc.constantFrom('0000', '0099', '0100', '1900', '2000', '2024', '2100')),
    digits(2, 14),
    digits(2, 32),
    digits(2, 25),
    digits(2, 61),
    digits(2, 61),
    fc.constantFrom('', '.5', '.123', '.123456789'),
    fc.constantFrom('Z', '+00:00', '-05:30', '+14:00', '+99:99', 'z', ''),
  )
  .map(([y, mo, d, h, mi, s, frac, zone]) => `${y}-${mo}-${d}T${h}:${mi}:${s}${frac}${zone}`);

/** The country lookup as first written: a parse on every call. */
function parsedCountries(e164: string): string[] {
  const parsed = parsePhoneNumberFromString(e164);
  if (!parsed) return [];
  const main: string | undefined = metadata.country_calling_codes[parsed.countryCallingCode]?.[0];
  return [...new Set([parsed.country, main].filter((c): c is string => c !== undefined))];
}

const phoneArb = fc.oneof(
  fc.constantFrom('+14155550123', '+447700900123', '+447781123456', '+80012345678', '+12', 'nonsense', ''),
  fc
    .tuple(
      fc.constantFrom('+1', '+44', '+33', '+49', '+81', '+91', '+55', '+7', '+800', '+882'),
      fc.stringMatching(/^[0-9]{4,12}$/),
    )
    .map(([cc, rest]) => cc + rest),
);

describe('hot-path encodings, rewritten for speed, keep their old results', () => {
  it('countriesOf / countryOf: remembered per number, the same answers as a parse every time', () => {
    fc.assert(
      fc.property(fc.array(phoneArb, { minLength: 1, maxLength: 4 }), (numbers) => {
        // Repeats included: the second ask of a number comes from the memo.
        for (const e164 of [...numbers, ...numbers]) {
          expect(countriesOf(e164)).toEqual(parsedCountries(e164));
          expect(countryOf(e164)).toBe(parsedCountries(e164)[0]);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('fingerprintInput: the same bytes as the chunked encoding, for any parts (keys never change)', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary' }), { maxLength: 6 }), (parts) => {
        expect(fingerprintInput(parts).equals(chunkedFingerprintInput(parts))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('isIsoDateTime: the same verdict as the probe-Date check, for any date-time-shaped string', () => {
    fc.assert(
      fc.property(fc.oneof(dateTimeArb, fc.string()), (value) => {
        expect(isIsoDateTime(value)).toBe(probeIsIsoDateTime(value));
      }),
      { numRuns: 2000 },
    );
  });

  it('isIsoDateTime: leap days and month ends', () => {
    expect(isIsoDateTime('2024-02-29T00:00:00Z')).toBe(true);
    expect(isIsoDateTime('2023-02-29T00:00:00Z')).toBe(false);
    expect(isIsoDateTime('2000-02-29T00:00:00Z')).toBe(true);
    expect(isIsoDateTime('1900-02-29T00:00:00Z')).toBe(false);
    expect(isIsoDateTime('2026-04-31T00:00:00Z')).toBe(false);
    expect(isIsoDateTime('0050-01-01T00:00:00Z')).toBe(false);
  });
});
