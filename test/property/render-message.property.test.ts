import fc from 'fast-check';
import { XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import type { MessageTemplate } from '../../domain/message-template';
import { renderSms, renderVoiceSsml, sanitiseFirstName } from '../../domain/render-message';
import { validateTemplate } from '../../domain/template-validation';

const code = fc.stringMatching(/^\d{4,10}$/);
const anyName = fc.option(
  fc.oneof(
    fc.string(),
    fc.string({ unit: 'binary' }),
    fc.string({ unit: 'grapheme' }),
    fc.constant('{{code}}'),
  ),
  { nil: undefined },
);
// Names that contain the code itself (or its digits in another script) are the interesting ones.
const codeAndName = code.chain((c) =>
  fc.tuple(
    fc.constant(c),
    fc.oneof(
      anyName,
      fc.tuple(fc.string(), fc.string()).map(([a, b]) => `${a}${c}${b}`),
      fc.constant(`{{code}}${c}`),
    ),
  ),
);
const anyBrand = fc.oneof(fc.string(), fc.constant('Acme 24/7 & <Co>'));
const minutes = fc.integer({ min: 1, max: 60 });

// Template text around the placeholders: any characters except digits (the test counts the code's
// digits), braces (reserved) and controls (rejected by validation).
const filler = fc
  .string({
    unit: fc.oneof(
      fc.constantFrom(' ', ' ', ',', '.', '’', 'é', '中', '&', '<', "'"),
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
    ),
  })
  .map((s) => s.replace(/[\p{Nd}{}\p{Cc}\p{Cs}]/gu, ''))
  .map((s) => `${s} `);
const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function body(placeholders: readonly string[], fillers: readonly string[]): string {
  return placeholders.map((p, i) => `${fillers[i] ?? ''}{{${p}}}`).join('') + (fillers.at(-1) ?? '');
}
const order = (codes: number) =>
  fc.shuffledSubarray(['minutes', 'brand', 'firstName']).chain((others) =>
    fc.shuffledSubarray([...others, ...Array.from({ length: codes }, () => 'code')], {
      minLength: others.length + codes,
    }),
  );

const smsTemplate = fc.tuple(order(1), fc.array(filler, { minLength: 5, maxLength: 5 })).map(
  ([p, f]): MessageTemplate => ({
    locale: 'en',
    channel: 'sms',
    purpose: 'generic',
    source: 'catalogue',
    body: body(p, f),
  }),
);
const voiceTemplate = fc
  .tuple(order(2), fc.array(filler.map(xmlEscape), { minLength: 6, maxLength: 6 }), fc.boolean())
  .map(([p, f, wrapped]): MessageTemplate => {
    const fragment = body(p, f);
    return {
      locale: 'en',
      channel: 'voice',
      purpose: 'generic',
      source: 'dynamodb',
      body: wrapped ? `<speak><p>${fragment}</p></speak>` : fragment,
    };
  });

const occurrences = (text: string, needle: string) => text.split(needle).length - 1;

describe('rendering properties', () => {
  it('for any 4-10 digit code and ANY first name, the SMS contains the code exactly once', () => {
    fc.assert(
      fc.property(smsTemplate, codeAndName, minutes, anyBrand, (template, [c, firstName], m, brand) => {
        validateTemplate(template);
        const out = renderSms(template, { code: c, minutes: m, brand, firstName });
        expect(occurrences(out, c)).toBe(1);
        expect(out).not.toMatch(/\{\{|\}\}/);
      }),
      { numRuns: 1000 },
    );
  });

  it('the SSML is well-formed XML and speaks every digit of the code, in order, twice', () => {
    fc.assert(
      fc.property(voiceTemplate, codeAndName, minutes, anyBrand, (template, [c, firstName], m, brand) => {
        validateTemplate(template);
        const out = renderVoiceSsml(template, { code: c, minutes: m, brand, firstName });
        expect(XMLValidator.validate(out)).toBe(true);
        expect(out.startsWith('<speak>') && out.endsWith('</speak>')).toBe(true);
        const spoken = Array.from(
          out.matchAll(/<say-as interpret-as="digits">(\d)<\/say-as>/g),
          (m) => m[1],
        ).join('');
        expect(spoken).toBe(c + c);
      }),
      { numRuns: 1000 },
    );
  });

  it('never throws for valid templates and any values', () => {
    fc.assert(
      fc.property(
        fc.oneof(smsTemplate, voiceTemplate),
        fc.oneof(code, fc.string()),
        fc.oneof(minutes, fc.double()),
        anyBrand,
        anyName,
        (template, c, m, brand, firstName) => {
          const values = { code: c, minutes: m, brand, firstName };
          expect(typeof renderSms(template, values)).toBe('string');
          expect(typeof renderVoiceSsml(template, values)).toBe('string');
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('first name sanitising', () => {
  // Numerals of every kind: ASCII and other-script digits, superscripts, circled and Roman numerals…
  const numeral = fc.constantFrom('7', '٣', '߂', '²', '₉', '①', '⑽', 'Ⅻ', 'ⅶ', '½', '〇', '𝟗', '𒐀', '፲');
  const nameWithNumerals = fc
    .array(fc.oneof(fc.string({ unit: 'grapheme', maxLength: 2 }), numeral), { maxLength: 12 })
    .map((parts) => parts.join(''));

  it('for any name, what is rendered holds no numeral at all (\\p{N})', () => {
    fc.assert(
      fc.property(fc.oneof(nameWithNumerals, fc.string({ unit: 'binary' })), (raw) => {
        expect(sanitiseFirstName(raw)).not.toMatch(/\p{N}/u);
        const out = renderSms(
          {
            locale: 'en',
            channel: 'sms',
            purpose: 'generic',
            source: 'catalogue',
            body: 'Hi {{firstName}} {{code}}',
          },
          { code: '1234', minutes: 5, brand: 'Acme', firstName: raw },
        );
        // The code is the only number in the message.
        expect(out.match(/\p{N}/gu)?.join('')).toBe('1234');
      }),
      { numRuns: 2000 },
    );
  });
});
