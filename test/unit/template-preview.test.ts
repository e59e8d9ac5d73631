import { describe, expect, it } from 'vitest';
import { previewTemplate, sampleCode, saveProblems } from '../../app/template-preview';
import { codePointLabel, gsm7Lookalike } from '../../domain/gsm7-lookalikes';
import { pluralCategories, pluralCategoryOf } from '../../domain/plural-categories';
import { textDirection } from '../../domain/text-direction';

const sample = { brand: 'Acme', firstName: 'Alex', minutes: 5, codeDigits: 6 };

describe('previewTemplate', () => {
  it('renders an SMS as sent, with a sample code, its encoding, segments and the characters forcing UCS-2', () => {
    const preview = previewTemplate(
      {
        locale: 'en',
        channel: 'sms',
        purpose: 'generic',
        body: 'Hi {{firstName}}, {{brand}} code {{code}} – don’t share',
      },
      sample,
    );
    expect(preview.sms).toMatchObject({
      text: 'Hi Alex, Acme code 123456 – don’t share',
      encoding: 'UCS-2',
      segments: 1,
      singleLimit: 70,
      latinScript: true,
    });
    expect(preview.sms?.ucs2Characters).toEqual([
      { character: '–', codePoint: 'U+2013', replacement: '-' },
      { character: '’', codePoint: 'U+2019', replacement: "'" },
    ]);
    expect(preview.saveProblems).toEqual([]);
    expect(preview.direction).toBe('ltr');
  });

  it('never uses anything but the sample code', () => {
    expect(sampleCode(6)).toBe('123456');
    expect(sampleCode(99)).toBe('1234567890');
    expect(sampleCode(1)).toBe('1234');
    expect(
      previewTemplate(
        { locale: 'en', channel: 'sms', purpose: 'generic', body: '{{code}}' },
        { ...sample, codeDigits: 8 },
      ).sms?.text,
    ).toBe('12345678');
  });

  it('reports the rules of import (blocking) and of lint (the same code as the CLI)', () => {
    const preview = previewTemplate(
      { locale: 'en', channel: 'sms', purpose: 'generic', body: 'Hello' },
      sample,
    );
    expect(preview.saveProblems).toContain('no {{code}} placeholder');
    expect(preview.lintProblems).toContain('no {{code}} placeholder');
    const long = previewTemplate(
      { locale: 'en', channel: 'sms', purpose: 'generic', body: `{{code}} ${'word '.repeat(40)}` },
      sample,
    );
    expect(long.saveProblems).toEqual([]);
    expect(long.lintProblems[0]).toMatch(/SMS takes 2 segments .* Latin-script SMS must fit 1/);
    expect(saveProblems({ locale: 'pt-br', channel: 'sms', purpose: 'generic', body: '{{code}}' })).toEqual([
      'locale "pt-br" must be written "pt-BR": requests look templates up by canonical tag, so "pt-br" would never be served',
    ]);
  });

  it('shows a voice message as SSML and as the words spoken, by its voice, right to left in Hebrew', () => {
    const preview = previewTemplate(
      {
        locale: 'he',
        channel: 'voice',
        purpose: 'generic',
        body: 'הקוד שלך הוא {{code}}. שוב: {{code}}.',
        voiceId: 'JOANNA',
      },
      sample,
    );
    expect(preview.voice?.ssml).toContain('<say-as interpret-as="digits">1</say-as>');
    expect(preview.voice?.voiceId).toBe('JOANNA');
    expect(preview.voice?.voiceLanguage).toBe('English (US)');
    expect(preview.direction).toBe('rtl');
    // Polly has no Hebrew voice: the catalogue's Hebrew calls are in English, so this is heard in English.
    expect(preview.voice?.spokenLocale).toBe('en-US');
    const wrongVoice = previewTemplate(
      {
        locale: 'fr',
        channel: 'voice',
        purpose: 'generic',
        body: 'Code {{code}}, {{code}}.',
        voiceId: 'HANS',
      },
      sample,
    );
    expect(wrongVoice.lintProblems.join()).toMatch(
      /voice HANS speaks German, the template is in fr; use one of /,
    );
    expect(wrongVoice.saveProblems.join()).toMatch(/voiceId HANS does not speak fr/);
    // Hindi calls may be written in the catalogue's declared fallback language, Indian English.
    const hindi = previewTemplate(
      {
        locale: 'hi',
        channel: 'voice',
        purpose: 'generic',
        body: 'Your code is {{code}}. Again, {{code}}.',
        voiceId: 'raveena',
      },
      sample,
    );
    expect(hindi.voice?.spokenLocale).toBe('en-IN');
    expect(hindi.saveProblems).toEqual([]);
    expect(hindi.lintProblems).toEqual([]);
    expect(hindi.plural.locale).toBe('en-IN');
  });

  it('lists the plural forms of the language, and the one the sample minutes take', () => {
    const ar = previewTemplate(
      { locale: 'ar', channel: 'sms', purpose: 'generic', body: '{{code}}' },
      { ...sample, minutes: 3 },
    );
    expect(ar.plural.categories.map((c) => c.category)).toEqual([
      'zero',
      'one',
      'two',
      'few',
      'many',
      'other',
    ]);
    expect(ar.plural.sampleCategory).toBe('few');
  });
});

describe('small pure helpers', () => {
  it('text direction from CLDR, with a list behind it', () => {
    expect(['ar', 'he', 'fa', 'ur', 'ar-EG'].map(textDirection)).toEqual(['rtl', 'rtl', 'rtl', 'rtl', 'rtl']);
    expect(['en', 'zh-Hant', 'az', 'not a locale'].map(textDirection)).toEqual(['ltr', 'ltr', 'ltr', 'ltr']);
  });

  it('plural categories in CLDR order with examples; fractions-only forms have none', () => {
    expect(pluralCategories('fr')).toEqual([
      { category: 'one', examples: [0, 1] },
      { category: 'many', examples: [1_000_000] },
      { category: 'other', examples: [2, 3, 4, 5] },
    ]);
    expect(pluralCategories('pl').find((c) => c.category === 'other')?.examples).toEqual([]);
    expect(pluralCategoryOf('ru', 21)).toBe('one');
    expect(pluralCategories('!!').map((c) => c.category)).toEqual(['one', 'other']);
  });

  it('GSM-7 look-alikes and code point labels', () => {
    expect(gsm7Lookalike('“')).toBe('"');
    expect(gsm7Lookalike('\u200b')).toBe('');
    expect(gsm7Lookalike('é')).toBeUndefined();
    expect(codePointLabel('😀')).toBe('U+1F600');
  });
});
