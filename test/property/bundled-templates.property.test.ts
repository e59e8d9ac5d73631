import fc from 'fast-check';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { bundledTemplates } from '../../adapters/i18n/i18next-template-store';
import { renderSms, renderVoiceSsml } from '../../domain/render-message';

const templates = bundledTemplates();
const smsTemplates = templates.filter((t) => t.channel === 'sms');
const voiceTemplates = templates.filter((t) => t.channel === 'voice');

const code = fc.stringMatching(/^\d{4,10}$/);
const firstName = fc.option(
  fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.constant('<Zoë & "Ann">')),
  {
    nil: undefined,
  },
);
const minutes = fc.integer({ min: 1, max: 60 });
const brand = fc.constantFrom('Acme', 'Northwind Traders Co', "Ben & Jerry's <Co>");

function occurrences(haystack: string, needle: string): number {
  let count = 0;
  for (let at = haystack.indexOf(needle); at >= 0; at = haystack.indexOf(needle, at + 1)) count += 1;
  return count;
}

// Every text node and element in document order, so the spoken digits can be read back as a listener hears them.
const parser = new XMLParser({ preserveOrder: true, ignoreAttributes: false });
type Node = Record<string, unknown>;
function spokenDigits(nodes: readonly Node[], inDigits = false): string {
  return nodes
    .map((node) => {
      if ('#text' in node) return inDigits ? String(node['#text']) : '';
      const name = Object.keys(node).find((k) => k !== ':@') ?? '';
      const attributes = (node[':@'] ?? {}) as Record<string, string>;
      const digits = inDigits || (name === 'say-as' && attributes['@_interpret-as'] === 'digits');
      return spokenDigits((node[name] ?? []) as Node[], digits);
    })
    .join('');
}

describe('every bundled template renders for any code and first name', () => {
  it('has templates for both channels', () => {
    expect(smsTemplates.length).toBeGreaterThanOrEqual(40);
    expect(voiceTemplates.length).toBeGreaterThanOrEqual(40);
  });

  it('SMS: the code appears exactly once and no placeholder is left', () => {
    fc.assert(
      fc.property(fc.constantFrom(...smsTemplates), code, firstName, minutes, brand, (t, c, name, m, b) => {
        const text = renderSms(t, {
          code: c,
          minutes: m,
          brand: b,
          ...(name === undefined ? {} : { firstName: name }),
        });
        expect(occurrences(text, c), `${t.locale}/${t.purpose}: ${text}`).toBe(1);
        expect(text).not.toMatch(/\{\{|\}\}/);
      }),
      { numRuns: 500 },
    );
  });

  it('voice: well-formed SSML that speaks the code twice, digit by digit, in order', () => {
    fc.assert(
      fc.property(fc.constantFrom(...voiceTemplates), code, firstName, minutes, brand, (t, c, name, m, b) => {
        const ssml = renderVoiceSsml(t, {
          code: c,
          minutes: m,
          brand: b,
          ...(name === undefined ? {} : { firstName: name }),
        });
        expect(XMLValidator.validate(ssml), `${t.locale}/${t.purpose}`).toBe(true);
        expect(ssml.startsWith('<speak>') && ssml.endsWith('</speak>')).toBe(true);
        expect(spokenDigits(parser.parse(ssml) as Node[])).toBe(`${c}${c}`);
        expect(ssml).not.toMatch(/\{\{|\}\}/);
      }),
      { numRuns: 500 },
    );
  });
});
