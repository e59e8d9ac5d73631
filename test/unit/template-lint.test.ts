import { describe, expect, it } from 'vitest';
import { bundledLocales, bundledTemplates } from '../../adapters/i18n/i18next-template-store';
import {
  formatLintReport,
  formatPluralCoverage,
  LINT_SAMPLE,
  lintBundledCatalogue,
  lintTemplates,
  scriptOf,
} from '../../app/template-lint';
import type { ExpiryForms } from '../../domain/expiry-phrase';
import type { PluralCoverage } from '../../domain/expiry-validation';
import type { MessageTemplate } from '../../domain/message-template';
import { renderSms } from '../../domain/render-message';

const sms = (
  locale: string,
  body: string,
  expiry?: ExpiryForms,
  purpose: MessageTemplate['purpose'] = 'generic',
): MessageTemplate => ({
  locale,
  channel: 'sms',
  purpose,
  body,
  source: 'dynamodb',
  ...(expiry ? { expiry } : {}),
});
const voice = (
  locale: string,
  voiceId: string | undefined,
  body = 'Code {{code}}. Again: {{code}}.',
): MessageTemplate => ({
  locale,
  channel: 'voice',
  purpose: 'generic',
  body,
  source: 'dynamodb',
  ...(voiceId === undefined ? {} : { voiceId }),
});
const problemsOf = (...templates: MessageTemplate[]) =>
  lintTemplates(templates.map((template) => ({ template }))).problems.map((p) => p.message);

describe('lint of the bundled catalogue', () => {
  const report = lintBundledCatalogue();

  it('passes with no problem', () => {
    expect(report.problems).toEqual([]);
    expect(report.rows.every((r) => r.ok)).toBe(true);
  });

  it('has a row per bundled template and SMS figures computed with an 8-digit code and a 20-character brand', () => {
    expect(report.rows).toHaveLength(bundledTemplates().length);
    expect(LINT_SAMPLE.code).toHaveLength(8);
    expect(LINT_SAMPLE.brand).toHaveLength(20);
    const enSms = report.rows.find(
      (r) => r.locale === 'en' && r.channel === 'sms' && r.purpose === 'generic',
    );
    expect(enSms).toMatchObject({ script: 'latin', encoding: 'GSM-7', segments: 1, ucs2Characters: [] });
    const ruSms = report.rows.find((r) => r.locale === 'ru' && r.channel === 'sms');
    expect(ruSms).toMatchObject({ script: 'other', encoding: 'UCS-2' });
    expect(report.rows.find((r) => r.locale === 'fr-CA' && r.channel === 'voice')?.voiceId).toBe('CHANTAL');
  });

  it('fits every bundled SMS in one segment, in GSM-7 for most Latin-script locales', () => {
    expect(report.summary.locales).toBe(bundledLocales().length);
    expect(report.summary.oneSegmentLocales).toBe(bundledLocales().length);
    const latinGsm = report.rows.filter((r) => r.script === 'latin' && r.encoding === 'GSM-7');
    expect(latinGsm.length).toBeGreaterThan(report.rows.filter((r) => r.script === 'latin').length / 2);
  });

  it('prints a table and a summary line', () => {
    const text = formatLintReport(report);
    expect(text).toMatch(/^locale\s+channel\s+purpose\s+encoding/);
    expect(text).toMatch(/^zh-Hant\s+voice\s+generic\s+.*ZHIYU \(zh-Hans\)\s+1\/1 mhd\s+ok$/m);
    expect(text).toMatch(/^ru\s+sms\s+generic\s+UCS-2\s+1\s+.*4\/4 mhd\s+ok$/m);
    expect(text).toContain(`${bundledLocales().length} locales fit every SMS in one segment`);
    expect(text).toContain('0 problem(s)');
  });
});

describe('lint of bad templates', () => {
  it('reports a template that fails validation', () => {
    expect(problemsOf(sms('en', 'Your code is ready'))).toContain('no {{code}} placeholder');
    expect(problemsOf(sms('en', 'Code {{code}} for {{user}}')).join()).toMatch(
      /unknown placeholder \{\{user\}\}/,
    );
    expect(problemsOf(voice('en', 'JOANNA', 'Your code is {{code}}.'))).toContain(
      'voice must contain {{code}} at least twice, found 1',
    );
  });

  it('fails a Latin-script SMS pushed over one segment by a curly apostrophe, naming the character', () => {
    const body =
      'Your {{brand}} verification code is {{code}}. It expires in {{minutes}} minutes. Don’t share it.';
    const [problem, ...rest] = problemsOf(sms('en', body));
    expect(rest).toEqual([]);
    expect(problem).toMatch(/2 segments \(UCS-2/);
    expect(problem).toMatch(/Latin-script SMS must fit 1/);
    expect(problem).toContain('’');
    // The same text with a straight apostrophe fits.
    expect(problemsOf(sms('en', body.replace('’', "'")))).toEqual([]);
  });

  it('allows two segments to a non-Latin script, not three', () => {
    const two = sms('ru', `Код {{code}}. ${'Действует недолго. '.repeat(4)}`);
    const three = sms('ru', `Код {{code}}. ${'Действует недолго. '.repeat(8)}`);
    expect(problemsOf(two)).toEqual([]);
    expect(problemsOf(three).join()).toMatch(/3 segments .* non-Latin-script SMS must fit 2/);
    const [row] = lintTemplates([{ template: two }]).rows;
    expect(row).toMatchObject({ script: 'other', segments: 2, ok: true });
  });

  it('rejects a voice id End User Messaging does not accept, or none', () => {
    expect(problemsOf(voice('hi', 'ADITI')).join()).toMatch(/"ADITI" is not a voice/);
    expect(problemsOf(voice('en', undefined))).toContain('voice template names no voiceId');
  });

  it('rejects a voice that does not speak the language, suggesting the right ones', () => {
    const [problem] = problemsOf(voice('fr-CA', 'HANS'));
    expect(problem).toMatch(/HANS speaks German, the template is in fr-CA; use one of CHANTAL, /);
    expect(problemsOf(voice('fi', 'JOANNA')).join()).toMatch(/Polly has no voice for it/);
  });

  it('accepts a fallback voice when the template is written in the declared fallback language', () => {
    const report = lintTemplates([{ template: voice('fi', 'AMY'), spokenLocale: 'en-GB' }]);
    expect(report.problems).toEqual([]);
    expect(report.rows[0]).toMatchObject({ voiceId: 'AMY', spokenLocale: 'en-GB', ok: true });
  });

  it('reports a locale × channel with purpose-specific templates but no generic one', () => {
    const report = lintTemplates([{ template: sms('de', 'Code {{code}}', undefined, 'password-reset') }]);
    expect(report.problems).toEqual([
      expect.objectContaining({
        locale: 'de',
        channel: 'sms',
        purpose: '*',
        message: expect.stringMatching(/generic/),
      }),
    ]);
    expect(formatLintReport(report)).toContain('FAIL de/sms/*:');
  });
});

describe('lint of plural coverage', () => {
  const report = lintBundledCatalogue();

  it('shows full coverage for every bundled template, with no warning', () => {
    expect(report.warnings).toEqual([]);
    expect(report.summary.fullPluralLocales).toBe(bundledLocales().length);
    expect(report.rows.every((r) => r.plurals.complete && r.plurals.uses === 'expiry')).toBe(true);
    const row = (locale: string, channel: 'sms' | 'voice') =>
      report.rows.find((r) => r.locale === locale && r.channel === channel && r.purpose === 'generic');
    expect(row('ar', 'sms')?.plurals).toMatchObject({
      required: ['one', 'two', 'few', 'many', 'other'],
      covered: 5,
    });
    expect(row('pl', 'voice')?.plurals.units.hours?.covered).toEqual(['one', 'few', 'many', 'other']);
    // The "uk" call is spoken in British English: English plural rules, two forms.
    expect(row('uk', 'voice')?.plurals).toMatchObject({ language: 'en-GB', required: ['one', 'other'] });
    // Spanish SMS say long validities in hours ("día" would force UCS-2).
    expect(formatPluralCoverage(row('es', 'sms')?.plurals as PluralCoverage)).toBe('2/2 mh');
  });

  it('checks segments over every validity up to a day, reporting the worst one', () => {
    const ru = report.rows.find((r) => r.locale === 'ru' && r.channel === 'sms');
    expect(ru).toMatchObject({ segments: 1, units: 70 });
    // 101 minutes is the longest Russian phrase: "101 минуту".
    expect(ru?.worstMinutes).toBeGreaterThan(100);
    // An English SMS that fits one segment up to 99 minutes, not with "100 minutes".
    const en: ExpiryForms = {
      minutes: { one: '{{count}} minute', other: '{{count}} minutes' },
      hours: { one: '{{count}} hour', other: '{{count}} hours' },
    };
    const body = (filler: string) => `Your {{brand}} code is {{code}}. It expires in {{expiry}}.${filler}`;
    const base = renderSms(sms('en', body(''), en), { ...LINT_SAMPLE, minutes: 1 }).length;
    const tight = sms('en', body(' '.repeat(158 - base)), en);
    expect(problemsOf(tight)).toEqual([
      expect.stringMatching(/^SMS takes 2 segments \(GSM-7, 161 units\) .* validity of 100 minutes;/),
    ]);
  });

  it('warns on a bare {{minutes}} in a language with several plural forms, not where there is one', () => {
    const report = lintTemplates([
      { template: sms('ru', 'Код {{code}}. Действует {{minutes}} минут.') },
      { template: sms('ja', '確認コード{{code}}、{{minutes}}分間有効です。') },
    ]);
    expect(report.problems).toEqual([]);
    expect(report.warnings).toEqual([
      expect.objectContaining({
        locale: 'ru',
        message: expect.stringMatching(/ru has 4 plural forms \(one, few, many, other\)/),
      }),
    ]);
    const text = formatLintReport(report);
    expect(text).toMatch(/^ru\s+sms\s+generic\s+.*1\/4 \{\{minutes\}\}\s+WARN$/m);
    expect(text).toMatch(/^ja\s+sms\s+generic\s+.*1\/1 \{\{minutes\}\}\s+ok$/m);
    expect(text).toContain('WARN ru/sms/generic: {{minutes}} says every count with the same words');
    expect(text).toContain('0 problem(s), 1 warning(s)');
  });

  it('warns on phrases that leave a category out, and fails phrases the language cannot have', () => {
    const partial = sms('cs', 'Kód {{code}}, platí {{expiry}}.', {
      minutes: { one: '{{count}} minutu', other: '{{count}} minut' },
    });
    const report = lintTemplates([{ template: partial }]);
    expect(report.rows[0]?.plurals).toMatchObject({ covered: 2, complete: false });
    expect(report.warnings.map((w) => w.message)).toEqual([
      'expiry.minutes lacks few (cs needs one, few, other): few 2, 3, 4… would read with the "other" form',
    ]);
    const wrong = sms('cs', 'Kód {{code}}, platí {{expiry}}.', {
      minutes: { one: '{{count}} minutu', two: '{{count}} minuty', other: '{{count}} minut' },
    });
    expect(problemsOf(wrong)).toEqual([
      'expiry.minutes has "two", a category cs does not have (its categories: one, few, many, other)',
    ]);
  });
});

describe('scriptOf', () => {
  it('decides by the wording, not the placeholders', () => {
    expect(scriptOf('Kód {{brand}}: {{code}}')).toBe('latin');
    expect(scriptOf('Код {{brand}}: {{code}}')).toBe('other');
    expect(scriptOf('【{{brand}}】验证码 {{code}}')).toBe('other');
    expect(scriptOf('{{code}}')).toBe('latin');
  });
});
