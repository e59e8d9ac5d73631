import { describe, expect, it } from 'vitest';
import { localeFallbackChain, localeKeyProblem, localeLanguage, normaliseLocale } from '../../domain/locale';

describe('normaliseLocale', () => {
  it.each([
    ['EN-US', 'en-US'],
    ['en_us', 'en-US'],
    ['fr-ca', 'fr-CA'],
    ['zh-Hant-TW', 'zh-Hant-TW'],
    ['zh-hant-tw', 'zh-Hant-TW'],
    ['pt-br', 'pt-BR'],
    ['  de ', 'de'],
    ['en_US.UTF-8', 'en-US'],
    ['fr-CA,fr;q=0.9,en;q=0.8', 'fr-CA'],
    ['en-US-u-ca-gregory', 'en-US'],
    ['iw', 'he'],
  ])('%j → %s', (raw, expected) => {
    expect(normaliseLocale(raw)).toBe(expected);
  });

  it.each([
    '',
    '   ',
    'garbage',
    'und',
    'x-private',
    '!!',
    'en--US',
    '12',
    'e',
    'a'.repeat(200),
    `en-${'x'.repeat(80)}`,
  ])('rejects %j', (raw) => {
    expect(normaliseLocale(raw)).toBeUndefined();
  });

  it('rejects non-strings instead of throwing', () => {
    expect(normaliseLocale(undefined as unknown as string)).toBeUndefined();
    expect(normaliseLocale(42 as unknown as string)).toBeUndefined();
  });

  it('gives the language subtag', () => {
    expect(localeLanguage('PT_br')).toBe('pt');
    expect(localeLanguage('nonsense!')).toBeUndefined();
  });
});

describe('localeFallbackChain', () => {
  it.each([
    ['pt-BR', ['pt-BR', 'pt', 'en']],
    ['EN-US', ['en-US', 'en']],
    ['fr-ca', ['fr-CA', 'fr', 'en']],
    ['en', ['en']],
    ['', ['en']],
    ['garbage', ['en']],
    ['zh-TW', ['zh-TW', 'zh-Hant', 'zh', 'en']],
    ['zh-HK', ['zh-HK', 'zh-Hant', 'zh', 'en']],
    ['zh-MO', ['zh-MO', 'zh-Hant', 'zh', 'en']],
    ['zh-CN', ['zh-CN', 'zh-Hans', 'zh', 'en']],
    ['zh-SG', ['zh-SG', 'zh-Hans', 'zh', 'en']],
    ['zh', ['zh', 'zh-Hans', 'en']],
    ['zh-Hant-TW', ['zh-Hant-TW', 'zh-TW', 'zh-Hant', 'zh', 'en']],
    ['sr', ['sr', 'sr-Cyrl', 'en']],
    ['sr-ME', ['sr-ME', 'sr-Latn', 'sr', 'en']],
    // Latin Serbian must not fall through "sr-RS", which is Cyrillic.
    ['sr-Latn-RS', ['sr-Latn-RS', 'sr-Latn', 'sr', 'en']],
    ['de-DE-1996', ['de-DE-1996', 'de-DE', 'de', 'en']],
  ])('%j → %j', (raw, chain) => {
    expect(localeFallbackChain(raw)).toEqual(chain);
  });

  it('reaches catalogue keys that Intl canonicalises away', () => {
    expect(localeFallbackChain('tl')).toEqual(['fil', 'tl', 'en']);
    expect(localeFallbackChain('no')).toEqual(['no', 'nb', 'en']);
    expect(localeFallbackChain('nb-NO')).toEqual(['nb-NO', 'nb', 'no', 'en']);
  });

  it('ends with the default locale and its language', () => {
    expect(localeFallbackChain('pt-BR', 'en-GB')).toEqual(['pt-BR', 'pt', 'en-GB', 'en']);
    expect(localeFallbackChain('garbage', 'fr-CA')).toEqual(['fr-CA', 'fr']);
  });

  it('falls back to en when the default itself is unusable', () => {
    expect(localeFallbackChain('de', 'nonsense!')).toEqual(['de', 'en']);
  });
});

describe('localeKeyProblem (template keys)', () => {
  it.each([
    ['pt_BR', 'pt-BR'],
    ['PT_BR', 'pt-BR'],
    ['pt-br', 'pt-BR'],
    ['iw', 'he'],
    ['in', 'id'],
    ['en-US-u-ca-buddhist', 'en-US'],
    ['en_US.UTF-8', 'en-US'],
    ['zh-hant', 'zh-Hant'],
  ])('"%s" is never served: the error names "%s"', (key, canonical) => {
    expect(localeKeyProblem(key)).toContain(`must be written "${canonical}"`);
    expect(localeKeyProblem(canonical)).toBeUndefined();
  });

  it('accepts canonical tags and the aliases fallback chains look up', () => {
    for (const key of ['en', 'pt-BR', 'zh-Hant', 'zh-TW', 'sr-Latn', 'fil', 'tl', 'nb', 'no', 'he']) {
      expect(localeKeyProblem(key), key).toBeUndefined();
    }
  });

  it('rejects what is not a language tag', () => {
    expect(localeKeyProblem('garbage!')).toBe('locale "garbage!" is not a BCP 47 language tag');
    expect(localeKeyProblem('')).toMatch(/not a BCP 47/);
  });
});
