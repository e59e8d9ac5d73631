import { describe, expect, it } from 'vitest';
import {
  bundledLocales,
  bundledTemplates,
  bundledVoiceFallback,
  expiryFromI18nextKeys,
  I18nextTemplateStore,
  spokenLocale,
} from '../../adapters/i18n/i18next-template-store';
import { EXPIRY_UNITS } from '../../domain/expiry-phrase';
import { localeFallbackChain } from '../../domain/locale';
import { pluralCategoriesOf } from '../../domain/plural-rules';

// The languages issue 3 asks for by name.
const REQUIRED_LOCALES = [
  'en',
  'es',
  'fr',
  'de',
  'it',
  'pt',
  'pt-BR',
  'nl',
  'sv',
  'da',
  'nb',
  'fi',
  'pl',
  'cs',
  'sk',
  'hu',
  'ro',
  'bg',
  'el',
  'tr',
  'ru',
  'uk',
  'ar',
  'he',
  'hi',
  'bn',
  'ta',
  'th',
  'vi',
  'id',
  'ms',
  'tl',
  'ja',
  'ko',
  'zh-Hans',
  'zh-Hant',
  'fr-CA',
  'es-MX',
  'en-GB',
  'ca',
  'hr',
  'sr',
  'lt',
  'lv',
  'et',
  'sl',
];

const key = (t: { locale: string; purpose: string }) => `${t.locale}/${t.purpose}`;

describe('I18nextTemplateStore', () => {
  const store = new I18nextTemplateStore();

  it('returns every template of the chain × purposes on the channel, and nothing else', async () => {
    const found = await store.find({
      channel: 'sms',
      locales: localeFallbackChain('fr-CA'),
      purposes: ['password-reset', 'generic'],
    });
    expect(found.map(key).sort()).toEqual(
      [
        'en/generic',
        'en/password-reset',
        'fr-CA/generic',
        'fr-CA/password-reset',
        'fr/generic',
        'fr/password-reset',
      ].sort(),
    );
    expect(found.every((t) => t.channel === 'sms' && t.source === 'catalogue')).toBe(true);
    expect(found.find((t) => key(t) === 'fr-CA/password-reset')?.body).toContain('mot de passe');
  });

  it('skips locales and purposes the catalogue lacks instead of substituting another language', async () => {
    const found = await store.find({
      channel: 'sms',
      locales: ['pt-PT', 'pt', 'xx', 'en'],
      purposes: ['enrollment', 'generic'],
    });
    // pt has no enrollment wording and pt-PT no entry at all: only what exists comes back.
    expect(found.map(key).sort()).toEqual(['en/enrollment', 'en/generic', 'pt/generic']);
    expect(found.find((t) => t.locale === 'pt')?.body).toContain('código');
  });

  it('filters by channel: voice templates carry a voice id, SMS templates none', async () => {
    const query = { locales: ['ja', 'en'], purposes: ['generic'] as const };
    const voice = await store.find({ ...query, channel: 'voice' });
    const sms = await store.find({ ...query, channel: 'sms' });
    expect(voice.map((t) => [t.locale, t.channel, t.voiceId])).toEqual([
      ['ja', 'voice', 'MIZUKI'],
      ['en', 'voice', 'JOANNA'],
    ]);
    expect(sms.map((t) => [t.locale, t.channel, t.voiceId])).toEqual([
      ['ja', 'sms', undefined],
      ['en', 'sms', undefined],
    ]);
    expect(voice[0]?.body).not.toBe(sms[0]?.body);
  });

  it('answers in canonical case whatever case the query uses', async () => {
    const found = await store.find({ channel: 'sms', locales: ['ZH-HANT', 'pt-br'], purposes: ['generic'] });
    expect(found.map((t) => t.locale)).toEqual(['zh-Hant', 'pt-BR']);
  });

  it('returns nothing for an empty or unknown chain', async () => {
    expect(await store.find({ channel: 'voice', locales: [], purposes: ['generic'] })).toEqual([]);
    expect(await store.find({ channel: 'voice', locales: ['tlh'], purposes: ['generic'] })).toEqual([]);
  });
});

describe('bundled catalogue', () => {
  it('holds at least 40 locales including every one issue 3 names, each with a generic SMS and voice', () => {
    const locales = bundledLocales();
    expect(locales.length).toBeGreaterThanOrEqual(40);
    expect(locales).toEqual(expect.arrayContaining(REQUIRED_LOCALES));
    const generics = new Set(
      bundledTemplates()
        .filter((t) => t.purpose === 'generic')
        .map((t) => `${t.locale}/${t.channel}`),
    );
    for (const locale of locales) {
      expect(generics).toContain(`${locale}/sms`);
      expect(generics).toContain(`${locale}/voice`);
    }
  });

  it('keys every locale in canonical BCP 47 case, reachable through the fallback chain', () => {
    for (const locale of bundledLocales()) {
      expect(locale).toMatch(/^[a-z]{2,3}(-[A-Z][a-z]{3})?(-[A-Z]{2})?$/);
      // A key the chain never produces would be dead weight ("tl" is reached via "fil" too).
      expect(localeFallbackChain(locale.toUpperCase())).toContain(locale);
    }
  });

  it('has per-purpose wording for English and other big languages', () => {
    const purposes = (locale: string) =>
      bundledTemplates()
        .filter((t) => t.locale === locale && t.channel === 'sms')
        .map((t) => t.purpose);
    for (const locale of ['en', 'es', 'fr', 'de', 'it']) {
      expect(purposes(locale)).toEqual(
        expect.arrayContaining(['generic', 'enrollment', 'password-reset', 'account-unlock']),
      );
    }
    const enrollment = bundledTemplates().find((t) => key(t) === 'en/enrollment' && t.channel === 'sms');
    expect(enrollment?.body).toContain('to confirm your phone');
  });

  it('declares a voice fallback with a reason where Polly has no voice, and only there', () => {
    expect(bundledVoiceFallback('hi')).toMatchObject({
      locale: 'en-IN',
      reason: expect.stringContaining('Hindi'),
    });
    expect(bundledVoiceFallback('zh-Hant')?.locale).toBe('zh-Hans');
    expect(bundledVoiceFallback('fr-CA')).toBeUndefined();
    const hindiVoice = bundledTemplates().find((t) => t.locale === 'hi' && t.channel === 'voice');
    expect(hindiVoice && spokenLocale(hindiVoice)).toBe('en-IN');
  });
});

describe('expiry phrases in i18next plural keys', () => {
  it('regroups "<unit>_<category>" keys into phrases per unit and category', () => {
    expect(
      expiryFromI18nextKeys({
        minutes_one: '{{count}} minute',
        minutes_other: '{{count}} minutes',
        hours_other: '{{count}} hours',
      }),
    ).toEqual({
      minutes: { one: '{{count}} minute', other: '{{count}} minutes' },
      hours: { other: '{{count}} hours' },
    });
    // A typo is kept, so validation names it instead of the phrase silently vanishing.
    expect(expiryFromI18nextKeys({ minutes_fwe: 'x', weeks_one: 'y', minutes: 'z' })).toEqual({
      minutes: { fwe: 'x', '': 'z' },
      weeks: { one: 'y' },
    });
    expect(expiryFromI18nextKeys(undefined)).toBeUndefined();
  });

  it("gives every bundled template expiry phrases keyed by its wording language's own categories", () => {
    for (const t of bundledTemplates()) {
      const language = t.language ?? t.locale;
      const categories = pluralCategoriesOf(language);
      for (const [unit, forms] of Object.entries(t.expiry ?? {})) {
        expect(EXPIRY_UNITS, `${t.locale}/${t.channel}`).toContain(unit);
        for (const category of Object.keys(forms ?? {})) {
          expect(categories, `${t.locale}/${t.channel} ${unit}_${category}`).toContain(category);
        }
      }
    }
  });

  it('declares the spoken language of voice templates in a fallback language, so plurals follow it', () => {
    const voice = (locale: string) =>
      bundledTemplates().find((t) => t.locale === locale && t.channel === 'voice' && t.purpose === 'generic');
    expect(voice('lt')?.language).toBe('en-GB');
    expect(voice('ca')?.language).toBe('es');
    expect(voice('zh-Hant')?.language).toBe('zh-Hans');
    expect(voice('ru')?.language).toBeUndefined();
    expect(bundledTemplates().filter((t) => t.channel === 'sms' && t.language !== undefined)).toEqual([]);
  });
});
