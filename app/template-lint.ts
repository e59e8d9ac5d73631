import { bundledTemplates, spokenLocale } from '../adapters/i18n/i18next-template-store';
import { isPollyVoiceId, POLLY_VOICES, voiceSpeaks, voicesFor } from '../adapters/i18n/polly-voices';
import type { Channel } from '../domain/delivery-request';
import { EXPIRY_UNITS, expiryAmount } from '../domain/expiry-phrase';
import { type PluralCoverage, pluralCoverage } from '../domain/expiry-validation';
import type { MessageTemplate, TemplatePurpose, TemplateSource } from '../domain/message-template';
import { renderSms, type TemplateValues } from '../domain/render-message';
import { analyseSms, type SmsAnalysis, type SmsEncoding } from '../domain/sms-segments';
import { countPlaceholder, replacePlaceholders } from '../domain/template-placeholders';
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

/**
 * The validities an SMS must fit its segment budget with: every whole minute up to a day (Okta's codes
 * live 5 minutes, Cognito's up to a day). Each one picks its own unit and plural form, so the longest
 * phrase ("102 минуты", "119 minutes", "23 hours") is what counts.
 */
export const LINT_VALIDITY_MINUTES: readonly number[] = Array.from({ length: 1440 }, (_, i) => i + 1);

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
  /** SMS only: the validity (minutes) the segment figures are for, the worst of LINT_VALIDITY_MINUTES. */
  readonly worstMinutes?: number;
  readonly voiceId?: string;
  /** Voice only: the locale the call is spoken in. */
  readonly spokenLocale?: string;
  /** Which plural categories of its language the template covers where it says the validity. */
  readonly plurals: PluralCoverage;
  /** No problem (warnings allowed). */
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
  /** Locales whose every template has a phrase for every plural category its language needs. */
  readonly fullPluralLocales: number;
  readonly problems: number;
  readonly warnings: number;
  /** The sample the segment counts were computed with. */
  readonly codeDigits: number;
  readonly brandCharacters: number;
}

export interface LintReport {
  readonly rows: readonly LintRow[];
  readonly problems: readonly LintProblem[];
  /** Sent as it is, but not right for every count: plural categories without a phrase. */
  readonly warnings: readonly LintProblem[];
  readonly summary: LintSummary;
}

/** Letters other than Latin ones decide the script; placeholders are not part of the wording. */
export function scriptOf(body: string): ScriptClass {
  const wording = replacePlaceholders(body, () => ' ');
  const letters = wording.match(/\p{L}/gu) ?? [];
  return letters.every((c) => /\p{Script=Latin}/u.test(c)) ? 'latin' : 'other';
}

// A body that never says the validity renders the same for every one of them.
function validitiesFor(
  template: MessageTemplate,
  validities: readonly number[],
  fallback: number,
): readonly number[] {
  const body = template.body;
  const saysValidity = countPlaceholder(body, 'expiry') + countPlaceholder(body, 'minutes') > 0;
  return saysValidity && validities.length > 0 ? validities : [fallback];
}

function worstSms(
  template: MessageTemplate,
  sample: TemplateValues,
  validities: readonly number[],
): { analysis: SmsAnalysis; minutes: number } {
  let worst: { analysis: SmsAnalysis; minutes: number } | undefined;
  const bareMinutes = countPlaceholder(template.body, 'minutes') > 0;
  const seen = new Set<string>();
  for (const minutes of validitiesFor(template, validities, sample.minutes)) {
    // 120…1439 minutes are 22 distinct "N hours": render each phrase once, not 1,300 times.
    if (!bareMinutes && template.expiry !== undefined) {
      const { unit, count } = expiryAmount(minutes, template.expiry);
      if (seen.has(`${unit}${count}`)) continue;
      seen.add(`${unit}${count}`);
    }
    const analysis = analyseSms(renderSms(template, { ...sample, minutes }));
    const worse =
      worst === undefined ||
      analysis.segments > worst.analysis.segments ||
      (analysis.segments === worst.analysis.segments && analysis.units > worst.analysis.units);
    if (worse) worst = { analysis, minutes };
  }
  // validitiesFor never returns an empty list.
  return worst as { analysis: SmsAnalysis; minutes: number };
}

function lintSms(
  template: MessageTemplate,
  sample: TemplateValues,
  validities: readonly number[],
  problems: string[],
): Partial<LintRow> {
  const script = scriptOf(template.body);
  const { analysis, minutes } = worstSms(template, sample, validities);
  const limit = MAX_SEGMENTS[script];
  if (analysis.segments > limit) {
    const forcing =
      analysis.ucs2Characters.length > 0
        ? `; characters forcing UCS-2: ${analysis.ucs2Characters.join(' ')}`
        : '';
    problems.push(
      `SMS takes ${analysis.segments} segments (${analysis.encoding}, ${analysis.units} units) with a ` +
        `${sample.code.length}-digit code, a ${sample.brand.length}-character brand and a validity of ${minutes} minutes; ` +
        `${script === 'latin' ? 'Latin-script' : 'non-Latin-script'} SMS must fit ${limit}${forcing}`,
    );
  }
  return {
    script,
    encoding: analysis.encoding,
    segments: analysis.segments,
    units: analysis.units,
    ucs2Characters: analysis.ucs2Characters,
    worstMinutes: minutes,
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

/**
 * Lints templates: every rule of validateTemplate, segment budgets over every validity up to a day, voice
 * ids, a generic per locale × channel; and, as warnings, plural categories a phrase does not cover.
 */
export function lintTemplates(
  targets: readonly LintTarget[],
  sample: TemplateValues = LINT_SAMPLE,
  validities: readonly number[] = LINT_VALIDITY_MINUTES,
): LintReport {
  const rows: LintRow[] = [];
  const problems: LintProblem[] = [];
  const warnings: LintProblem[] = [];
  for (const { template: given, spokenLocale: spoken } of targets) {
    // A declared spoken language is the wording's language: plural rules follow it too.
    const template =
      spoken !== undefined && spoken !== given.locale && given.language === undefined
        ? { ...given, language: spoken }
        : given;
    const own = templateProblems(template);
    const extra =
      template.channel === 'sms'
        ? lintSms(template, sample, validities, own)
        : lintVoice(template, spoken ?? template.language ?? template.locale, own);
    const plurals = pluralCoverage(template);
    const { locale, channel, purpose, source } = template;
    rows.push({
      locale,
      channel,
      purpose,
      source,
      ucs2Characters: [],
      ...extra,
      plurals,
      ok: own.length === 0,
    });
    problems.push(...own.map((message) => ({ locale, channel, purpose, message })));
    warnings.push(...plurals.gaps.map((message) => ({ locale, channel, purpose, message })));
  }
  problems.push(...missingGenerics(targets.map((t) => t.template)));
  return { rows, problems, warnings, summary: summarise(rows, problems.length, warnings.length, sample) };
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

function summarise(
  rows: readonly LintRow[],
  problems: number,
  warnings: number,
  sample: TemplateValues,
): LintSummary {
  const byLocale = new Map<string, LintRow[]>();
  for (const row of rows) byLocale.set(row.locale, [...(byLocale.get(row.locale) ?? []), row]);
  let oneSegmentLocales = 0;
  let gsm7Locales = 0;
  let fullPluralLocales = 0;
  for (const localeRows of byLocale.values()) {
    if (localeRows.every((r) => r.plurals.complete)) fullPluralLocales += 1;
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
    fullPluralLocales,
    problems,
    warnings,
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

/**
 * Plural coverage in a table cell: "4/4 mhd" (categories covered of those needed; units with phrases),
 * "1/3 {{minutes}}" for a bare number in a language with several forms, "-" when no validity is said.
 */
export function formatPluralCoverage(c: PluralCoverage): string {
  if (c.uses === 'none') return '-';
  const units = EXPIRY_UNITS.filter((u) => c.units[u] !== undefined)
    .map((u) => u[0])
    .join('');
  const how = [c.uses !== 'minutes' ? units : '', c.uses !== 'expiry' ? '{{minutes}}' : '']
    .filter(Boolean)
    .join(' ');
  return `${c.covered}/${c.required.length} ${how}`.trimEnd();
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
    'plurals',
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
    formatPluralCoverage(r.plurals),
    r.ok ? (r.plurals.complete ? 'ok' : 'WARN') : 'FAIL',
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
    ...report.warnings.map((p) => `WARN ${p.locale}/${p.channel}/${p.purpose}: ${p.message}`),
    `${summary.templates} templates in ${summary.locales} locales; ${summary.oneSegmentLocales} locales fit ` +
      `every SMS in one segment (${summary.gsm7Locales} in GSM-7) with a code of ${summary.codeDigits} digits, ` +
      `a brand of ${summary.brandCharacters} characters and any validity up to a day; ` +
      `${summary.fullPluralLocales} locales have every plural form; ` +
      `${summary.problems} problem(s), ${summary.warnings} warning(s).`,
  ].join('\n');
}
