import { bundledTemplates, spokenLocale } from '../adapters/i18n/i18next-template-store';
import { isPollyVoiceId, POLLY_VOICES, voiceSpeaks, voicesFor } from '../adapters/i18n/polly-voices';
import type { Channel } from '../domain/delivery-request';
import type { MessageTemplate, TemplatePurpose, TemplateSource } from '../domain/message-template';
import { renderSms, type TemplateValues } from '../domain/render-message';
import { analyseSms, type SmsEncoding } from '../domain/sms-segments';
import { replacePlaceholders } from '../domain/template-placeholders';
import { templateProblems } from '../domain/template-validation';

/**
 * The sample a template must fit: segment budgets are stated with an 8-digit code, a 20-character brand
 * and a two-digit validity, the longest values the bundled wording was written for.
 */
export const LINT_SAMPLE: Required<TemplateValues> = {
  code: '12345678',
  brand: 'Northwind Traders Co',
  minutes: 10,
  firstName: 'Alexandra',
};

/** Latin-script text can always be written in GSM-7, so it gets no second segment; other scripts get two. */
export type ScriptClass = 'latin' | 'other';
const MAX_SEGMENTS: Readonly<Record<ScriptClass, number>> = { latin: 1, other: 2 };

export interface LintTarget {
  readonly template: MessageTemplate;
  /** Voice only: the locale the body is written in when it differs from the template's (a declared fallback). */
  readonly spokenLocale?: string;
}

export interface LintRow {
  readonly locale: string;
  readonly channel: Channel;
  readonly purpose: TemplatePurpose;
  readonly source: TemplateSource;
  /** SMS only. */
  readonly script?: ScriptClass;
  readonly encoding?: SmsEncoding;
  readonly segments?: number;
  readonly units?: number;
  /** SMS only: the characters that force UCS-2, empty for GSM-7. */
  readonly ucs2Characters: readonly string[];
  readonly voiceId?: string;
  /** Voice only: the locale the call is spoken in. */
  readonly spokenLocale?: string;
  readonly ok: boolean;
}

export interface LintProblem {
  readonly locale: string;
  readonly channel: Channel;
  readonly purpose: TemplatePurpose | '*';
  readonly message: string;
}

export interface LintSummary {
  readonly locales: number;
  readonly templates: number;
  /** Locales whose every SMS template fits one segment with the sample values. */
  readonly oneSegmentLocales: number;
  /** …of which every SMS is GSM-7. */
  readonly gsm7Locales: number;
  readonly problems: number;
  /** The sample the segment counts were computed with. */
  readonly codeDigits: number;
  readonly brandCharacters: number;
}

export interface LintReport {
  readonly rows: readonly LintRow[];
  readonly problems: readonly LintProblem[];
  readonly summary: LintSummary;
}

/** Letters other than Latin ones decide the script; placeholders are not part of the wording. */
export function scriptOf(body: string): ScriptClass {
  const wording = replacePlaceholders(body, () => ' ');
  const letters = wording.match(/\p{L}/gu) ?? [];
  return letters.every((c) => /\p{Script=Latin}/u.test(c)) ? 'latin' : 'other';
}

function lintSms(template: MessageTemplate, sample: TemplateValues, problems: string[]): Partial<LintRow> {
  const script = scriptOf(template.body);
  const analysis = analyseSms(renderSms(template, sample));
  const limit = MAX_SEGMENTS[script];
  if (analysis.segments > limit) {
    const forcing =
      analysis.ucs2Characters.length > 0
        ? `; characters forcing UCS-2: ${analysis.ucs2Characters.join(' ')}`
        : '';
    problems.push(
      `SMS takes ${analysis.segments} segments (${analysis.encoding}, ${analysis.units} units) with a ` +
        `${sample.code.length}-digit code and a ${sample.brand.length}-character brand; ` +
        `${script === 'latin' ? 'Latin-script' : 'non-Latin-script'} SMS must fit ${limit}${forcing}`,
    );
  }
  return {
    script,
    encoding: analysis.encoding,
    segments: analysis.segments,
    units: analysis.units,
    ucs2Characters: analysis.ucs2Characters,
  };
}

function lintVoice(template: MessageTemplate, spoken: string, problems: string[]): Partial<LintRow> {
  const voiceId = template.voiceId;
  if (voiceId === undefined || voiceId === '') {
    problems.push('voice template names no voiceId');
  } else if (!isPollyVoiceId(voiceId)) {
    problems.push(`voiceId "${voiceId}" is not a voice End User Messaging SMS and Voice v2 accepts`);
  } else if (!voiceSpeaks(voiceId, spoken)) {
    const candidates = voicesFor(spoken);
    problems.push(
      `voice ${voiceId} speaks ${POLLY_VOICES[voiceId].language}, the template is in ${spoken}; ` +
        (candidates.length > 0
          ? `use one of ${candidates.join(', ')}`
          : 'Polly has no voice for it: write the call in a fallback language and declare voiceFallback'),
    );
  }
  return { ...(voiceId ? { voiceId } : {}), spokenLocale: spoken };
}

/** Lints templates: every rule of validateTemplate, segment budgets, voice ids, a generic per locale × channel. */
export function lintTemplates(
  targets: readonly LintTarget[],
  sample: TemplateValues = LINT_SAMPLE,
): LintReport {
  const rows: LintRow[] = [];
  const problems: LintProblem[] = [];
  for (const { template, spokenLocale: spoken } of targets) {
    const own = templateProblems(template);
    const extra =
      template.channel === 'sms'
        ? lintSms(template, sample, own)
        : lintVoice(template, spoken ?? template.locale, own);
    const { locale, channel, purpose, source } = template;
    rows.push({ locale, channel, purpose, source, ucs2Characters: [], ...extra, ok: own.length === 0 });
    problems.push(...own.map((message) => ({ locale, channel, purpose, message })));
  }
  problems.push(...missingGenerics(targets.map((t) => t.template)));
  return { rows, problems, summary: summarise(rows, problems.length, sample) };
}

// Without a generic template, a purpose nobody wrote for falls through to another language.
function missingGenerics(templates: readonly MessageTemplate[]): LintProblem[] {
  const groups = new Map<string, { locale: string; channel: Channel; generic: boolean }>();
  for (const t of templates) {
    const key = `${t.source}\u0000${t.locale}\u0000${t.channel}`;
    const group = groups.get(key) ?? { locale: t.locale, channel: t.channel, generic: false };
    group.generic ||= t.purpose === 'generic';
    groups.set(key, group);
  }
  return [...groups.values()]
    .filter((g) => !g.generic)
    .map(({ locale, channel }) => ({
      locale,
      channel,
      purpose: '*' as const,
      message:
        'purpose-specific templates without a generic one: other purposes fall back to another language',
    }));
}

function summarise(rows: readonly LintRow[], problems: number, sample: TemplateValues): LintSummary {
  const byLocale = new Map<string, LintRow[]>();
  for (const row of rows) byLocale.set(row.locale, [...(byLocale.get(row.locale) ?? []), row]);
  let oneSegmentLocales = 0;
  let gsm7Locales = 0;
  for (const localeRows of byLocale.values()) {
    const sms = localeRows.filter((r) => r.channel === 'sms');
    if (sms.length === 0) continue;
    if (sms.every((r) => r.segments === 1)) oneSegmentLocales += 1;
    if (sms.every((r) => r.encoding === 'GSM-7')) gsm7Locales += 1;
  }
  return {
    locales: byLocale.size,
    templates: rows.length,
    oneSegmentLocales,
    gsm7Locales,
    problems,
    codeDigits: sample.code.length,
    brandCharacters: Array.from(sample.brand).length,
  };
}

/** The bundled catalogue, voice templates checked against the language they are actually spoken in. */
export function lintBundledCatalogue(sample: TemplateValues = LINT_SAMPLE): LintReport {
  return lintTemplates(
    bundledTemplates().map((template) => ({ template, spokenLocale: spokenLocale(template) })),
    sample,
  );
}

// Non-Latin scripts list most of their alphabet; the first few say enough in a table.
function abbreviate(characters: readonly string[]): string {
  return characters.length > 12 ? `${characters.slice(0, 12).join('')}…` : characters.join('');
}

/** A fixed-width table, one line per locale × channel × purpose, then the problems and a summary. */
export function formatLintReport(report: LintReport): string {
  const header = [
    'locale',
    'channel',
    'purpose',
    'encoding',
    'segs',
    'units',
    'UCS-2 characters',
    'voice',
    'ok',
  ];
  const lines = report.rows.map((r) => [
    r.locale,
    r.channel,
    r.purpose,
    r.encoding ?? '',
    r.segments === undefined ? '' : String(r.segments),
    r.units === undefined ? '' : String(r.units),
    abbreviate(r.ucs2Characters),
    r.voiceId === undefined
      ? ''
      : r.spokenLocale !== undefined && r.spokenLocale !== r.locale
        ? `${r.voiceId} (${r.spokenLocale})`
        : r.voiceId,
    r.ok ? 'ok' : 'FAIL',
  ]);
  // Pad by code points so accented and CJK rows line up as well as a terminal allows.
  const width = (s: string) => Array.from(s).length;
  const widths = header.map((h, i) => Math.max(width(h), ...lines.map((l) => width(l[i] ?? ''))));
  const format = (cells: readonly string[]) =>
    cells
      .map((c, i) => c + ' '.repeat((widths[i] ?? 0) - width(c)))
      .join('  ')
      .trimEnd();
  const { summary } = report;
  return [
    format(header),
    ...lines.map(format),
    '',
    ...report.problems.map((p) => `FAIL ${p.locale}/${p.channel}/${p.purpose}: ${p.message}`),
    `${summary.templates} templates in ${summary.locales} locales; ${summary.oneSegmentLocales} locales fit ` +
      `every SMS in one segment (${summary.gsm7Locales} in GSM-7) with a code of ${summary.codeDigits} digits ` +
      `and a brand of ${summary.brandCharacters} characters; ${summary.problems} problem(s).`,
  ].join('\n');
}
