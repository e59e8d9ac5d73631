import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyseSms } from '../../domain/sms-segments';

// Reference written from the GSM 03.38 table as published (code point by code point), independent of
// the domain's string-based sets, and a packer that builds the actual parts.
const BASIC_CODE_POINTS = [
  0x40, 0xa3, 0x24, 0xa5, 0xe8, 0xe9, 0xf9, 0xec, 0xf2, 0xc7, 0x0a, 0xd8, 0xf8, 0x0d, 0xc5, 0xe5, 0x394, 0x5f,
  0x3a6, 0x393, 0x39b, 0x3a9, 0x3a0, 0x3a8, 0x3a3, 0x398, 0x39e, 0xc6, 0xe6, 0xdf, 0xc9, 0x20, 0x21, 0x22,
  0x23, 0xa4, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f, 0xa1, 0xc4, 0xd6, 0xd1, 0xdc,
  0xa7, 0xbf, 0xe4, 0xf6, 0xf1, 0xfc, 0xe0,
];
const inRange = (cp: number, from: number, to: number) => cp >= from && cp <= to;
function referenceCost(cp: number): 1 | 2 | undefined {
  if (
    BASIC_CODE_POINTS.includes(cp) ||
    inRange(cp, 0x30, 0x3f) ||
    inRange(cp, 0x41, 0x5a) ||
    inRange(cp, 0x61, 0x7a)
  ) {
    return 1;
  }
  if ([0x0c, 0x5e, 0x7b, 0x7d, 0x5c, 0x5b, 0x7e, 0x5d, 0x7c, 0x20ac].includes(cp)) return 2;
  return undefined;
}

function reference(text: string) {
  const cps = [...text].map((c) => c.codePointAt(0) ?? 0);
  const gsm = cps.every((cp) => referenceCost(cp) !== undefined);
  const costs = cps.map((cp): number => (gsm ? (referenceCost(cp) ?? 0) : cp > 0xffff ? 2 : 1));
  const units = costs.reduce((a, b) => a + b, 0);
  const [single, part] = gsm ? [160, 153] : [70, 67];
  if (units <= single) return { encoding: gsm ? 'GSM-7' : 'UCS-2', units, segments: 1 };
  const parts: number[][] = [[]];
  for (const cost of costs) {
    const current = parts.at(-1) ?? [];
    if (current.reduce((a, b) => a + b, 0) + cost > part) parts.push([cost]);
    else current.push(cost);
  }
  return { encoding: gsm ? 'GSM-7' : 'UCS-2', units, segments: parts.length };
}

const gsmChar = fc.constantFrom(
  ...'@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./09:;<=>?¡AZÄÖÑÜ§¿azäöñüà^{}\\[~]|€\f',
);
const otherChar = fc.constantFrom('’', 'ó', 'ж', '中', '😀', '\u001b', 'ç', '\u00a0', '👍🏽');
const smsText = fc.oneof(
  fc.string({ unit: gsmChar, maxLength: 500 }),
  fc.string({
    unit: fc.oneof({ weight: 20, arbitrary: gsmChar }, { weight: 1, arbitrary: otherChar }),
    maxLength: 400,
  }),
  fc.string({ unit: 'grapheme', maxLength: 300 }),
  fc.string({ maxLength: 400 }),
);

describe('analyseSms properties', () => {
  it('matches the reference encoding, units and segments', () => {
    fc.assert(
      fc.property(smsText, (text) => {
        const r = analyseSms(text);
        expect({ encoding: r.encoding, units: r.units, segments: r.segments }).toEqual(reference(text));
      }),
      { numRuns: 3000 },
    );
  });

  it('lists exactly the distinct characters that force UCS-2', () => {
    fc.assert(
      fc.property(smsText, (text) => {
        const r = analyseSms(text);
        const expected = [
          ...new Set([...text].filter((c) => referenceCost(c.codePointAt(0) ?? 0) === undefined)),
        ];
        expect(r.ucs2Characters).toEqual(expected);
        expect(r.encoding === 'UCS-2').toBe(expected.length > 0);
      }),
      { numRuns: 2000 },
    );
  });

  it('appending text never lowers the segment count', () => {
    fc.assert(
      fc.property(smsText, smsText, (a, b) => {
        expect(analyseSms(a + b).segments).toBeGreaterThanOrEqual(analyseSms(a).segments);
      }),
    );
  });
});
