import { describe, expect, it } from 'vitest';
import { type ExpiryForms, expiryAmount, renderExpiry } from '../../domain/expiry-phrase';
import { expiryProblems, pluralCoverage } from '../../domain/expiry-validation';
import type { MessageTemplate } from '../../domain/message-template';
import {
  countPluralCategories,
  countsInCategory,
  pluralCategoriesOf,
  pluralCategory,
  selectPluralForm,
} from '../../domain/plural-rules';
import { renderSms, renderVoiceSsml } from '../../domain/render-message';
import { speakCount } from '../../domain/spoken-number';
import { templateProblems } from '../../domain/template-validation';

const C = '{{count}}';
const EN: ExpiryForms = {
  minutes: { one: `${C} minute`, other: `${C} minutes` },
  hours: { one: `${C} hour`, other: `${C} hours` },
  days: { one: `${C} day`, other: `${C} days` },
};
const RU: ExpiryForms = {
  minutes: { one: `${C} минуту`, few: `${C} минуты`, many: `${C} минут`, other: `${C} минуты` },
};

const sms = (locale: string, body: string, expiry?: ExpiryForms, language?: string): MessageTemplate => ({
  locale,
  channel: 'sms',
  purpose: 'generic',
  body,
  source: 'dynamodb',
  ...(expiry ? { expiry } : {}),
  ...(language ? { language } : {}),
});
const values = (minutes: number) => ({ code: '123456', minutes, brand: 'Acme' });

describe('plural rules (Intl.PluralRules, as i18next resolves them)', () => {
  it('gives the CLDR category of a count', () => {
    expect([1, 2, 5, 11, 21, 22, 25, 101].map((n) => pluralCategory('ru', n))).toEqual([
      'one',
      'few',
      'many',
      'many',
      'one',
      'few',
      'many',
      'one',
    ]);
    expect([0, 1, 2, 3, 11, 100].map((n) => pluralCategory('ar', n))).toEqual([
      'zero',
      'one',
      'two',
      'few',
      'many',
      'other',
    ]);
    expect(pluralCategory('ja', 1)).toBe('other');
  });

  it('lists every category of a language, and those counts from 1 up need', () => {
    expect(pluralCategoriesOf('ar')).toEqual(['zero', 'one', 'two', 'few', 'many', 'other']);
    // 0 is never a count of minutes, so Arabic's "zero" is not needed; French "many" starts at a million.
    expect(countPluralCategories('ar')).toEqual(['one', 'two', 'few', 'many', 'other']);
    expect(pluralCategoriesOf('fr')).toEqual(['one', 'many', 'other']);
    expect(countPluralCategories('fr')).toEqual(['one', 'other']);
    // Russian "other" is for fractions, yet required: it is what any missing category falls back to.
    expect(countPluralCategories('ru')).toEqual(['one', 'few', 'many', 'other']);
    expect(countPluralCategories('lv')).toEqual(['zero', 'one', 'other']);
    expect(countPluralCategories('cy')).toEqual(['zero', 'one', 'two', 'few', 'many', 'other'].slice(1));
    expect(countPluralCategories('zh-Hant')).toEqual(['other']);
  });

  it('finds the 1..199 sample enough: the same categories and counts as up to 100,000', () => {
    for (const language of ['ar', 'ru', 'pl', 'cs', 'lt', 'lv', 'sl', 'ro', 'he', 'cy', 'ga', 'mt', 'br']) {
      const rules = new Intl.PluralRules(language);
      const seen = new Map<string, number>();
      for (let n = 1; n <= 100_000; n++) {
        const c = rules.select(n);
        seen.set(c, (seen.get(c) ?? 0) + 1);
      }
      const required = countPluralCategories(language);
      expect(new Set(required), language).toEqual(new Set([...seen.keys(), 'other']));
      for (const category of required) {
        const sole = countsInCategory(language, category).length === 1;
        expect(sole, `${language} ${category}`).toBe(seen.get(category) === 1);
      }
    }
  });

  it('counts in a category: Russian "one" is 1, 21, 31…, English "one" is 1 alone', () => {
    expect(countsInCategory('ru', 'one')).toEqual([1, 21, 31, 41]);
    expect(countsInCategory('en', 'one')).toEqual([1]);
    expect(countsInCategory('ar', 'zero')).toEqual([]);
  });

  it('falls back to "other" for a category the forms leave out', () => {
    expect(selectPluralForm({ one: 'a', other: 'b' }, 'ru', 5)).toBe('b');
    expect(selectPluralForm({ one: 'a', other: 'b' }, 'ru', 21)).toBe('a');
  });
});

describe('expiryAmount: the unit a validity is said in', () => {
  const all = EN;
  it.each([
    [1, 'minutes', 1],
    [59, 'minutes', 59],
    [60, 'hours', 1],
    [61, 'minutes', 61],
    [90, 'minutes', 90],
    [119, 'minutes', 119],
    [120, 'hours', 2],
    [179, 'hours', 2],
    [1439, 'hours', 23],
    [1440, 'days', 1],
    [1441, 'hours', 24],
    [2879, 'hours', 47],
    [2880, 'days', 2],
    [10_079, 'days', 6],
  ] as const)('%i minutes → %s %i (never more time than the code has)', (minutes, unit, count) => {
    expect(expiryAmount(minutes, all)).toEqual({ unit, count });
  });

  it('uses only the units the template gives', () => {
    expect(expiryAmount(1440, { minutes: EN.minutes })).toEqual({ unit: 'minutes', count: 1440 });
    expect(expiryAmount(2880, { minutes: EN.minutes, hours: EN.hours })).toEqual({
      unit: 'hours',
      count: 48,
    });
    expect(expiryAmount(2880, { minutes: EN.minutes, days: EN.days })).toEqual({ unit: 'days', count: 2 });
  });
});

describe('{{expiry}} in a message', () => {
  it('reads naturally in English for short and long validities', () => {
    const t = sms('en', 'Code {{code}}. It expires in {{expiry}}.', EN);
    expect(
      [1, 5, 60, 90, 120, 1440, 2880].map((m) => renderSms(t, values(m)).split('expires in ')[1]),
    ).toEqual(['1 minute.', '5 minutes.', '1 hour.', '90 minutes.', '2 hours.', '1 day.', '2 days.']);
  });

  it('picks the Russian form for 1, 2, 5, 21', () => {
    const t = sms('ru', 'Код {{code}}. Действует {{expiry}}.', RU);
    expect([1, 2, 5, 21].map((m) => renderSms(t, values(m)).split('Действует ')[1])).toEqual([
      '1 минуту.',
      '2 минуты.',
      '5 минут.',
      '21 минуту.',
    ]);
  });

  it('follows the declared language of the wording, not the locale', () => {
    // A Lithuanian-keyed call spoken in English: 21 is "one" in Lithuanian, "other" in English.
    const t = sms('lt', 'Code {{code}}, {{expiry}}.', EN, 'en-GB');
    expect(renderSms(t, values(21))).toBe('Code 123456, 21 minutes.');
    expect(renderSms({ ...t, language: undefined } as MessageTemplate, values(21))).toBe(
      'Code 123456, 21 minute.',
    );
  });

  it('keeps {{minutes}} as the bare number, so single-form templates render as before', () => {
    const t = sms('fr', 'Code {{code}}, {{minutes}} min.');
    expect(renderSms(t, values(4.2))).toBe('Code 123456, 5 min.');
  });

  it('voice: counts are cardinals where a numeral reads alone, plain digits where it agrees with the noun', () => {
    const en = {
      ...sms('en', 'Code {{code}}. Again {{code}}. In {{expiry}}.', EN),
      channel: 'voice' as const,
    };
    expect(renderVoiceSsml(en, values(5))).toContain(
      'In <say-as interpret-as="cardinal">5</say-as> minutes.',
    );
    const pt: MessageTemplate = {
      ...en,
      locale: 'pt-BR',
      body: 'Código {{code}}. De novo {{code}}. Expira em {{expiry}}. São {{minutes}} minutos.',
      expiry: {
        minutes: { one: 'um minuto', other: `${C} minutos` },
        hours: { one: 'uma hora', other: `${C} horas` },
      },
    };
    const ssml = renderVoiceSsml(pt, values(120));
    expect(ssml).toContain('Expira em 2 horas.');
    expect(ssml).toContain('São 120 minutos.');
    expect(speakCount(7, 'de-DE')).toBe('<say-as interpret-as="cardinal">7</say-as>');
    expect(speakCount(7, 'ru')).toBe('7');
  });

  it('voice: phrase text is XML-escaped, the count is not escaped twice', () => {
    const t: MessageTemplate = {
      locale: 'it',
      channel: 'voice',
      purpose: 'generic',
      source: 'dynamodb',
      body: 'Codice {{code}}, ripeto {{code}}. Scade tra {{expiry}}.',
      expiry: {
        minutes: { one: 'un minuto', other: `${C} minuti` },
        hours: { one: "un'ora", other: `${C} ore <x>` },
      },
    };
    expect(renderVoiceSsml(t, values(60))).toContain('Scade tra un&apos;ora.');
    expect(renderVoiceSsml(t, values(180))).toContain('Scade tra 3 ore &lt;x&gt;.');
  });

  it('renders the phrase with a custom escape and count writer', () => {
    expect(
      renderExpiry(
        RU,
        'ru',
        22,
        (n) => `[${n}]`,
        (s) => s.toUpperCase(),
      ),
    ).toBe('[22] МИНУТЫ');
  });
});

describe('expiry validation', () => {
  const problems = (t: MessageTemplate) => expiryProblems(t);

  it('accepts a single-form template and a full set of phrases', () => {
    expect(templateProblems(sms('en', 'Code {{code}} for {{minutes}} minutes'))).toEqual([]);
    expect(templateProblems(sms('en', 'Code {{code}}, {{expiry}}', EN))).toEqual([]);
    expect(templateProblems(sms('ru', 'Код {{code}}, {{expiry}}', RU))).toEqual([]);
  });

  it('requires phrases for {{expiry}}, and {{expiry}} for phrases', () => {
    expect(problems(sms('en', 'Code {{code}}, {{expiry}}'))).toEqual([
      '{{expiry}} needs expiry phrases: at least expiry.minutes with an "other" form',
    ]);
    expect(problems(sms('en', 'Code {{code}}', EN))).toEqual([
      'expiry phrases are given but the body has no {{expiry}}',
    ]);
  });

  it('names unknown units and categories, categories the language lacks, and a missing other', () => {
    const bad = {
      minutes: { one: `${C} minute`, fewer: `${C} minutes`, few: `${C} minutes` },
      weeks: { other: `${C} weeks` },
    } as unknown as ExpiryForms;
    expect(problems(sms('en', '{{code}} {{expiry}}', bad))).toEqual([
      'expiry has an unknown unit "weeks"; units: minutes, hours, days',
      'expiry.minutes has "fewer", which is not a CLDR plural category (zero, one, two, few, many, other)',
      'expiry.minutes has "few", a category en does not have (its categories: one, other)',
      'expiry.minutes needs an "other" form: it serves every count no other form covers',
    ]);
    expect(problems(sms('en', '{{code}} {{expiry}}', { hours: EN.hours }))).toEqual([
      'expiry.minutes is missing: every expiry under an hour is said in minutes',
    ]);
  });

  it('allows a phrase without the number only where its category holds one count', () => {
    const arabic: ExpiryForms = { minutes: { one: 'دقيقة واحدة', two: 'دقيقتين', other: `${C} دقيقة` } };
    expect(problems(sms('ar', '{{code}} {{expiry}}', arabic))).toEqual([]);
    const russian: ExpiryForms = { minutes: { one: 'минуту', other: `${C} минуты` } };
    expect(problems(sms('ru', '{{code}} {{expiry}}', russian))).toEqual([
      'expiry.minutes.one has no {{count}}, but in ru "one" covers 1, 21, 31, 41…: say the number with {{count}}',
    ]);
  });

  it('rejects phrases with other placeholders, braces, two counts, control characters or no text', () => {
    const t = sms('en', '{{code}} {{expiry}}', {
      minutes: { one: '{{brand}} minute', other: `${C} min ${C}` },
      hours: { one: '', other: `${C}\u0007 h {` },
    });
    expect(problems(t)).toEqual([
      'expiry.minutes.one may use {{count}} and no other placeholder or brace',
      'expiry.minutes.other has {{count}} 2 times; say the number once',
      'expiry.hours.one is empty',
      'expiry.hours.other contains a control character',
      'expiry.hours.other may use {{count}} and no other placeholder or brace',
    ]);
  });

  it('never throws on a hostile shape, for either channel', () => {
    const shapes = [
      null,
      'x',
      [],
      { minutes: 'x' },
      { minutes: { other: 5 } },
      { minutes: [] },
      { minutes: null },
    ];
    for (const expiry of shapes) {
      for (const channel of ['sms', 'voice'] as const) {
        const t = {
          ...sms('en', '{{code}} {{code}} {{expiry}}'),
          channel,
          voiceId: 'JOANNA',
          expiry,
        } as unknown as MessageTemplate;
        expect(problems(t).length, JSON.stringify(expiry)).toBeGreaterThan(0);
        expect(() => templateProblems(t)).not.toThrow();
        expect(() =>
          channel === 'sms' ? renderSms(t, values(90)) : renderVoiceSsml(t, values(90)),
        ).not.toThrow();
      }
    }
  });
});

describe('plural coverage', () => {
  it('is complete for full phrases and for a single-form language', () => {
    const c = pluralCoverage(sms('ru', '{{code}} {{expiry}}', RU));
    expect(c).toMatchObject({
      language: 'ru',
      required: ['one', 'few', 'many', 'other'],
      uses: 'expiry',
      covered: 4,
      complete: true,
      gaps: [],
    });
    expect(pluralCoverage(sms('ja', '{{code}} {{minutes}}分')).complete).toBe(true);
    expect(pluralCoverage(sms('ru', 'Код {{code}}')).uses).toBe('none');
  });

  it('reports a bare {{minutes}} in a language with several forms', () => {
    const c = pluralCoverage(sms('pl', 'Kod {{code}}, {{minutes}} minut'));
    expect(c).toMatchObject({ uses: 'minutes', covered: 1, complete: false });
    expect(c.gaps).toEqual([
      '{{minutes}} says every count with the same words, but pl has 4 plural forms (one, few, many, other): give expiry phrases per category and use {{expiry}}',
    ]);
  });

  it('names the categories a unit lacks and the counts that would read wrong', () => {
    const c = pluralCoverage(
      sms('ru', '{{code}} {{expiry}}', { minutes: { one: `${C} минуту`, other: `${C} минут` } }),
    );
    expect(c.units.minutes).toEqual({ covered: ['one', 'other'], missing: ['few', 'many'] });
    expect(c.covered).toBe(2);
    expect(c.gaps).toEqual([
      'expiry.minutes lacks few, many (ru needs one, few, many, other): few 2, 3, 4…; many 5, 6, 7… would read with the "other" form',
    ]);
  });
});
