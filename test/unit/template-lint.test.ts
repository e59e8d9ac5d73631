import { describe, expect, it } from 'vitest';
import { bundledLocales, bundledTemplates } from '../../adapters/i18n/i18next-template-store';
import {
  formatLintReport,
  LINT_SAMPLE,
  lintBundledCatalogue,
  lintTemplates,
  scriptOf,
} from '../../app/template-lint';
import type { MessageTemplate } from '../../domain/message-template';

const sms = (
  locale: string,
  body: string,
  purpose: MessageTemplate['purpose'] = 'generic',
): MessageTemplate => ({
  locale,
  channel: 'sms',
  purpose,
  body,
  source: 'dynamodb',
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
    const report = lintTemplates([{ template: sms('de', 'Code {{code}}', 'password-reset') }]);
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

describe('scriptOf', () => {
  it('decides by the wording, not the placeholders', () => {
    expect(scriptOf('Kód {{brand}}: {{code}}')).toBe('latin');
    expect(scriptOf('Код {{brand}}: {{code}}')).toBe('other');
    expect(scriptOf('【{{brand}}】验证码 {{code}}')).toBe('other');
    expect(scriptOf('{{code}}')).toBe('latin');
  });
});
