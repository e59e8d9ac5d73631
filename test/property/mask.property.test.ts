import fc from 'fast-check';
import { getCountries, getCountryCallingCode } from 'libphonenumber-js/min';
import { describe, expect, it } from 'vitest';
import { maskPhone } from '../../domain/mask';

const callingCodes = [...new Set(getCountries().map((c) => getCountryCallingCode(c)))];
const e164 = fc
  .tuple(fc.constantFrom(...callingCodes), fc.stringMatching(/^\d{4,12}$/))
  .map(([cc, subscriber]) => ({ cc, subscriber, phone: `+${cc}${subscriber}` }))
  .filter(({ phone }) => phone.length <= 16);

describe('maskPhone properties', () => {
  it('reveals at most the country code and the last two subscriber digits', () => {
    fc.assert(
      fc.property(e164, ({ cc, subscriber, phone }) => {
        const masked = maskPhone(phone);
        if (masked === '***') return;
        expect(masked).toBe(`+${cc}${'*'.repeat(subscriber.length - 2)}${subscriber.slice(-2)}`);
      }),
      { numRuns: 2000 },
    );
  });

  it('never reveals more than two digits beyond a calling code, whatever the input', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          e164.map((x) => x.phone),
          fc.stringMatching(/^\+\d{0,20}$/),
        ),
        (input) => {
          const masked = maskPhone(input);
          expect(masked === '***' || /^\+\d{1,3}\*{2,}\d{2}$/.test(masked)).toBe(true);
          const visible = masked.replace(/\D/g, '');
          expect(visible.length).toBeLessThanOrEqual(5);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
