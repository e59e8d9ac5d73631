import fc from 'fast-check';
import { XMLValidator } from 'fast-xml-parser';
import i18next from 'i18next';
import { describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../adapters/i18n/catalogue/index';
import { bundledLocales, bundledTemplates } from '../../adapters/i18n/i18next-template-store';
import { LINT_SAMPLE } from '../../app/template-lint';
import { EXPIRY_UNITS, type ExpiryForms, type ExpiryUnit } from '../../domain/expiry-phrase';
import type { MessageTemplate } from '../../domain/message-template';
import type { PLURAL_CATEGORIES } from '../../domain/plural-rules';
import { renderSms, renderVoiceSsml } from '../../domain/render-message';
import { analyseSms } from '../../domain/sms-segments';
import { speakCount } from '../../domain/spoken-number';
import { escapeXml } from '../../domain/ssml';
import { templateProblems } from '../../domain/template-validation';

/**
 * Issue 16: for every bundled locale and every validity from 1 minute to a day, the phrase sent is the
 * one of the CLDR category of its number, and every SMS still fits one segment.
 *
 * The oracles are independent of the rendering code: the unit rule restated from its documentation,
 * `new Intl.PluralRules(language).select(count)` for the category, and i18next's own plural resolution
 * (`t(key, { lng, count })` over the catalogue files) for the phrase.
 */
const i18n = i18next.createInstance();
i18n.init({
  resources: Object.fromEntries(Object.entries(CATALOGUE).map(([lng, r]) => [lng, { otp: r }])),
  ns: ['otp'],
  defaultNS: 'otp',
  fallbackLng: false,
  initAsync: false,
  interpolation: { escapeValue: false },
});

const VALIDITIES = Array.from({ length: 1440 }, (_, i) => i + 1);

/** The documented unit rule: a larger unit when exact, or when at least two of it (rounded down). */
function oracleUnit(minutes: number, forms: ExpiryForms): { unit: ExpiryUnit; count: number } {
  for (const [unit, size] of [
    ['days', 1440],
    ['hours', 60],
  ] as const) {
    if (forms[unit] && minutes >= size && (minutes % size === 0 || minutes >= 2 * size)) {
      return { unit, count: Math.floor(minutes / size) };
    }
  }
  return { unit: 'minutes', count: minutes };
}

const templatesByLocale = new Map<string, MessageTemplate[]>();
for (const t of bundledTemplates()) {
  templatesByLocale.set(t.locale, [...(templatesByLocale.get(t.locale) ?? []), t]);
}

describe('every bundled locale says every validity from 1 minute to 1 day in the right plural form', () => {
  it('covers all 50 bundled locales, each template through {{expiry}}', () => {
    expect(bundledLocales()).toHaveLength(50);
    for (const t of bundledTemplates()) {
      expect(t.body, `${t.locale}/${t.channel}/${t.purpose}`).toContain('{{expiry}}');
      expect(t.body).not.toContain('{{minutes}}');
    }
  });

  it.each(bundledLocales())('%s', (locale) => {
    // Mismatches are collected and asserted once: 1,440 validities × a few templates per locale.
    const failures: string[] = [];
    for (const t of templatesByLocale.get(locale) ?? []) {
      const language = t.language ?? t.locale;
      const rules = new Intl.PluralRules(language);
      const forms = t.expiry ?? {};
      const where = `${t.locale}/${t.channel}/${t.purpose}`;
      // Per (unit, count): the expected phrase, checked once against i18next; 1,440 validities share 142.
      const expected = new Map<string, { phrase: string; form: string } | undefined>();
      const segmentsOf = new Map<string, number>();
      for (const minutes of VALIDITIES) {
        const { unit, count } = oracleUnit(minutes, forms);
        const key = `${unit}${count}`;
        if (!expected.has(key)) {
          const category = rules.select(count) as (typeof PLURAL_CATEGORIES)[number];
          const form = forms[unit]?.[category];
          // Full coverage: the category's own phrase exists, "other" never stands in for it.
          if (form === undefined) failures.push(`${where}: no ${unit}.${category} for ${count}`);
          const phrase = String(form).replaceAll('{{count}}', String(count));
          // i18next, resolving the same catalogue file with its own plural handling, agrees.
          const viaI18next = i18n.t(`${t.channel}.expiry.${unit}`, { lng: t.locale, count });
          if (language === t.locale && viaI18next !== phrase) {
            failures.push(`${where}: ${count} ${unit}: i18next says "${viaI18next}", expected "${phrase}"`);
          }
          expected.set(key, form === undefined ? undefined : { phrase, form });
        }
        const want = expected.get(key);
        if (want === undefined) continue;
        const sample = { ...LINT_SAMPLE, minutes };
        if (t.channel === 'sms') {
          const text = renderSms(t, sample);
          const withPhrase = { ...t, body: t.body.replaceAll('{{expiry}}', want.phrase), expiry: undefined };
          if (text !== renderSms(withPhrase, sample)) failures.push(`${where} at ${minutes} min: ${text}`);
          // The segment budget: one segment with an 8-digit code and a 20-character brand.
          let segments = segmentsOf.get(text);
          if (segments === undefined) {
            segments = analyseSms(text).segments;
            segmentsOf.set(text, segments);
          }
          if (segments !== 1) failures.push(`${where} at ${minutes} min: ${segments} segments: ${text}`);
        } else {
          const spoken = escapeXml(want.form).split('{{count}}').join(speakCount(count, language));
          const ssml = renderVoiceSsml(t, sample);
          if (!ssml.includes(spoken)) failures.push(`${where} at ${minutes} min: ${ssml}`);
        }
      }
    }
    expect(failures.slice(0, 10)).toEqual([]);
  });
});

// Languages beyond the catalogue, with every CLDR category shape: Welsh has all six.
const LANGUAGES = [
  'cy',
  'ga',
  'gd',
  'mt',
  'br',
  'ar',
  'he',
  'sl',
  'lv',
  'lt',
  'ru',
  'pl',
  'ro',
  'fr',
  'en',
  'ja',
];

describe('operator phrases: whatever the language and validity, the form of its CLDR category', () => {
  it('picks the category phrase, or "other" where the phrases leave a category out', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...LANGUAGES),
        fc.integer({ min: 1, max: 99_999 }),
        fc.subarray([...EXPIRY_UNITS.slice(1)]),
        fc.boolean(),
        (language, minutes, largerUnits, complete) => {
          const categories = new Intl.PluralRules(language).resolvedOptions().pluralCategories;
          const unitForms = (unit: string) =>
            Object.fromEntries(
              categories.filter((c) => complete || c === 'other').map((c) => [c, `${unit}:${c}:{{count}}`]),
            );
          const expiry = Object.fromEntries(
            ['minutes', ...largerUnits].map((u) => [u, unitForms(u)]),
          ) as ExpiryForms;
          const template: MessageTemplate = {
            locale: language,
            channel: 'sms',
            purpose: 'generic',
            body: '{{code}} {{expiry}}',
            source: 'dynamodb',
            expiry,
          };
          const { unit, count } = oracleUnit(minutes, expiry);
          const category = complete ? new Intl.PluralRules(language).select(count) : 'other';
          expect(renderSms(template, { code: '1234', brand: 'B', minutes })).toBe(
            `1234 ${unit}:${category}:${count}`,
          );
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('any operator phrase: validated or refused, never thrown; what passes renders well-formed SSML', () => {
  const LOCALES = ['en', 'ru', 'ar', 'pl', 'ja', 'cy'];
  // Mostly well-shaped (so many pass validation and get rendered), sometimes anything at all.
  const text = fc
    .array(fc.constantFrom(' minutes', '<', '>', '&', "'", '"', 'één', 'دقيقة', '&amp;', ']]>'), {
      maxLength: 4,
    })
    .map((parts) => parts.join(''));
  const phrase = fc.oneof(
    { weight: 6, arbitrary: text.map((t) => `{{count}}${t}`) },
    { weight: 1, arbitrary: text },
    { weight: 1, arbitrary: fc.string() },
  );
  const formsFor = (locale: string) => {
    const categories = new Intl.PluralRules(locale).resolvedOptions().pluralCategories;
    return fc
      .tuple(fc.dictionary(fc.constantFrom(...categories, 'fewer'), phrase, { maxKeys: 3 }), phrase)
      .map(([some, other]) => ({ ...some, other }));
  };
  const template = fc.constantFrom(...LOCALES).chain((locale) =>
    fc.record({
      locale: fc.constant(locale),
      channel: fc.constantFrom('sms' as const, 'voice' as const),
      minutes: formsFor(locale),
      hours: fc.option(formsFor(locale), { nil: undefined }),
      days: fc.option(formsFor(locale), { nil: undefined }),
    }),
  );

  it('holds for SMS and voice', () => {
    let rendered = 0;
    fc.assert(
      fc.property(template, fc.integer({ min: 1, max: 5000 }), (t, minutes) => {
        const expiry = {
          minutes: t.minutes,
          ...(t.hours ? { hours: t.hours } : {}),
          ...(t.days ? { days: t.days } : {}),
        };
        const candidate: MessageTemplate = {
          locale: t.locale,
          channel: t.channel,
          purpose: 'generic',
          source: 'dynamodb',
          body: 'Code {{code}}, again {{code}}: {{expiry}}.',
          voiceId: 'JOANNA',
          expiry,
        };
        if (templateProblems(candidate).length > 0) return;
        rendered += 1;
        const values = { code: '1234', brand: 'B', minutes };
        if (t.channel === 'voice') {
          expect(XMLValidator.validate(renderVoiceSsml(candidate, values))).toBe(true);
        } else {
          expect(renderSms(candidate, values)).not.toMatch(/\{\{/);
        }
      }),
      { numRuns: 1500 },
    );
    // Not vacuous: a good share of the generated templates pass validation and are rendered.
    expect(rendered).toBeGreaterThan(75);
  });
});
