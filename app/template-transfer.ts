import * as v from 'valibot';
import type { DynamoDbTemplateStore, StoredTemplate } from '../adapters/dynamodb/dynamodb-template-store';
import { templatePk, templateSk } from '../adapters/dynamodb/template-table';
import { bundledVoiceFallback } from '../adapters/i18n/i18next-template-store';
import { isPollyVoiceId, POLLY_VOICES, voiceSpeaks, voicesFor } from '../adapters/i18n/polly-voices';
import { CHANNELS, PURPOSES } from '../domain/delivery-request';
import type { ExpiryForms } from '../domain/expiry-phrase';
import { pluralCoverage } from '../domain/expiry-validation';
import { localeKeyProblem } from '../domain/locale';
import type { MessageTemplate, TemplatePurpose } from '../domain/message-template';
import { templateProblems } from '../domain/template-validation';

/** The file `templates export` writes and `templates import` reads. */
export interface TemplateFile {
  readonly version: 1;
  readonly exportedAt: string;
  readonly templates: readonly TemplateFileItem[];
}

export interface TemplateFileItem {
  readonly locale: string;
  readonly channel: MessageTemplate['channel'];
  readonly purpose: TemplatePurpose;
  readonly body: string;
  /**
   * The `{{expiry}}` phrases: `{ "minutes": { "one": "{{count}} minute", "other": "{{count}} minutes" },
   * "hours": {…}, "days": {…} }`, one phrase per CLDR plural category of the template's language.
   */
  readonly expiry?: ExpiryForms;
  /** The wording's language when it is not the locale's (a voice template in a fallback language). */
  readonly language?: string;
  readonly voiceId?: string;
  readonly version?: number;
  readonly updatedAt?: string;
  readonly updatedBy?: string;
}

export interface TemplateFileProblem {
  /** Position in `templates`; undefined for a problem with the document itself. */
  readonly index?: number;
  /** "locale/channel/purpose", when the item names them. */
  readonly key?: string;
  readonly problem: string;
}

/** A template file that must not be imported; `problems` lists every item that is wrong, not just the first. */
export class TemplateFileError extends Error {
  override readonly name = 'TemplateFileError';
  constructor(readonly problems: readonly TemplateFileProblem[]) {
    super(
      `template file rejected, ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${problems
        .map(
          (p) =>
            `  ${p.index === undefined ? 'file' : `#${p.index}`}${p.key ? ` ${p.key}` : ''}: ${p.problem}`,
        )
        .join('\n')}`,
    );
  }
}

const TEMPLATE_PURPOSES = [...PURPOSES, 'generic'] as const satisfies readonly TemplatePurpose[];

// Strict: an export holds exactly these fields, so an unknown one ("voiceID") is a typo worth stopping on.
const ItemSchema = v.strictObject({
  locale: v.pipe(v.string(), v.nonEmpty('is empty')),
  channel: v.picklist(CHANNELS, `must be one of ${CHANNELS.join(', ')}`),
  purpose: v.picklist(TEMPLATE_PURPOSES, `must be one of ${TEMPLATE_PURPOSES.join(', ')}`),
  body: v.string(),
  // Only the shape here; units, categories and phrases are checked by the domain's rules, which name
  // the categories the template's language has.
  expiry: v.optional(
    v.record(
      v.string(),
      v.record(v.string(), v.string('must be a phrase (a string)'), 'must map plural categories to phrases'),
      'must map units (minutes, hours, days) to plural phrases',
    ),
  ),
  language: v.optional(v.pipe(v.string(), v.nonEmpty('is empty'))),
  voiceId: v.optional(v.pipe(v.string(), v.nonEmpty('is empty'))),
  version: v.optional(
    v.pipe(v.number(), v.integer('must be an integer'), v.minValue(1, 'must be at least 1')),
  ),
  updatedAt: v.optional(v.string()),
  updatedBy: v.optional(v.string()),
});

const FileSchema = v.object({
  version: v.literal(1, 'must be 1 (this tool reads version 1 template files)'),
  exportedAt: v.optional(v.string()),
  templates: v.array(v.unknown(), 'must be an array of templates'),
});

const SEED_BY = 'otp-courier seed';
const IMPORT_BY = 'otp-courier import';

/**
 * Writes the bundled catalogue into the table. Without `overwrite` only keys the table lacks are
 * written, so an operator's edits survive a re-seed (and a newly bundled language still arrives).
 */
export async function seedTemplates(
  store: DynamoDbTemplateStore,
  templates: readonly MessageTemplate[],
  opts: { overwrite?: boolean } = {},
): Promise<{ written: number; skipped: number }> {
  let toWrite = templates;
  if (!opts.overwrite) {
    const present = new Set((await store.listAllTemplates()).map(keyOf));
    toWrite = templates.filter((t) => !present.has(keyOf(t)));
  }
  const written = toWrite.length === 0 ? 0 : await store.putTemplates(toWrite, { updatedBy: SEED_BY });
  return { written, skipped: templates.length - toWrite.length };
}

/** Every template in the table as a versioned document, sorted so two exports diff cleanly. */
export async function exportTemplates(
  store: DynamoDbTemplateStore,
  now: Date = new Date(),
): Promise<TemplateFile> {
  const templates = [...(await store.listAllTemplates())].map(toFileItem).sort(compareItems);
  return { version: 1, exportedAt: now.toISOString(), templates };
}

/**
 * Reads a template file (already JSON-parsed) into templates ready to write. Checks the shape, every
 * template's rules, voice ids and duplicate keys, and throws one TemplateFileError listing all of it.
 * Plural gaps (a language's category with no phrase) do not stop an import: they come back as warnings.
 */
export function parseTemplateFile(json: unknown): {
  templates: MessageTemplate[];
  warnings: TemplateFileProblem[];
} {
  const file = v.safeParse(FileSchema, json);
  if (!file.success) {
    throw new TemplateFileError(
      file.issues.map((issue) => ({ problem: `${v.getDotPath(issue) ?? 'document'} ${issue.message}` })),
    );
  }
  const problems: TemplateFileProblem[] = [];
  const warnings: TemplateFileProblem[] = [];
  const templates: MessageTemplate[] = [];
  const firstIndexOf = new Map<string, number>();
  file.output.templates.forEach((raw, index) => {
    const item = v.safeParse(ItemSchema, raw);
    if (!item.success) {
      const key = describeRaw(raw);
      for (const issue of item.issues) {
        problems.push({
          index,
          ...(key ? { key } : {}),
          problem: `${v.getDotPath(issue) ?? 'item'} ${issue.message}`,
        });
      }
      return;
    }
    const { locale, channel, purpose, body, expiry, language, voiceId, version } = item.output;
    const key = `${locale}/${channel}/${purpose}`;
    const declared: MessageTemplate = {
      locale,
      channel,
      purpose,
      body,
      ...(expiry ? { expiry: expiry as ExpiryForms } : {}),
      ...(language ? { language } : {}),
      // The sender upper-cases voice ids anyway; storing them canonical keeps exports stable.
      ...(voiceId ? { voiceId: voiceId.toUpperCase() } : {}),
      source: 'dynamodb',
      ...(version !== undefined ? { version } : {}),
    };
    const voice = voiceProblems(declared);
    // Only a voice that may read this template tells which language it is written in.
    const template = voice.length === 0 ? withSpokenLanguage(declared) : declared;
    const itemProblems = [
      ...localeProblems(locale),
      ...(language === undefined ? [] : localeProblems(language, 'language')),
      ...voice,
      ...templateProblems(template),
    ];
    if (itemProblems.length === 0) {
      for (const gap of pluralCoverage(template).gaps) warnings.push({ index, key, problem: gap });
    }
    const earlier = firstIndexOf.get(keyOf(template));
    if (earlier !== undefined) itemProblems.push(`same locale, channel and purpose as #${earlier}`);
    else firstIndexOf.set(keyOf(template), index);
    for (const problem of itemProblems) problems.push({ index, key, problem });
    templates.push(template);
  });
  if (problems.length > 0) throw new TemplateFileError(problems);
  return { templates, warnings };
}

/**
 * A voice template whose voice does not speak its locale is written in the voice's language (the
 * catalogue's fallback, e.g. a "lt" call in British English): record that language, so plural forms
 * follow English rules and not Lithuanian ones ("21 minutes", not "21 minute").
 */
function withSpokenLanguage(t: MessageTemplate): MessageTemplate {
  if (t.channel !== 'voice' || t.language !== undefined || !t.voiceId || !isPollyVoiceId(t.voiceId)) return t;
  if (voiceSpeaks(t.voiceId, t.locale)) return t;
  return { ...t, language: POLLY_VOICES[t.voiceId].locale };
}

/**
 * Validates the whole file, then writes it (overwriting the same keys). Nothing is written when any
 * item is invalid: a half-imported language set is worse than none.
 */
export async function importTemplates(
  store: DynamoDbTemplateStore,
  file: unknown,
  opts: { updatedBy?: string } = {},
): Promise<{ written: number; warnings: TemplateFileProblem[] }> {
  const { templates, warnings } = parseTemplateFile(file);
  if (templates.length === 0) return { written: 0, warnings };
  const written = await store.putTemplates(templates, { updatedBy: opts.updatedBy ?? IMPORT_BY });
  return { written, warnings };
}

/** The table key, so "same template" means what DynamoDB means by it. */
function keyOf(t: Pick<MessageTemplate, 'channel' | 'locale' | 'purpose'>): string {
  return `${templatePk(t.channel, t.locale)}\u0000${templateSk(t.purpose)}`;
}

function localeProblems(locale: string, field: 'locale' | 'language' = 'locale'): string[] {
  const problem = localeKeyProblem(locale);
  if (problem === undefined) return [];
  return [field === 'locale' ? problem : problem.replace(/^locale /, `${field} `)];
}

/**
 * The catalogue's rule: a voice End User Messaging accepts, speaking the template's language; where
 * Polly has no voice for that language, the catalogue's declared fallback language, or (for a language
 * the catalogue does not know) any voice the operator chose.
 */
function voiceProblems(t: MessageTemplate): string[] {
  if (t.channel === 'sms') return t.voiceId ? ['voiceId is only for voice templates'] : [];
  if (!t.voiceId) {
    return [
      'voice template needs a voiceId (End User Messaging would read it with MATTHEW, an English voice)',
    ];
  }
  if (!isPollyVoiceId(t.voiceId)) {
    const suggestions = voicesFor(t.locale);
    return [
      `voiceId "${t.voiceId}" is not a voice End User Messaging supports${suggestions.length > 0 ? `; for ${t.locale}: ${suggestions.join(', ')}` : ''}`,
    ];
  }
  if (t.language !== undefined && t.language !== t.locale) {
    // A declared language: the voice must speak it.
    if (voiceSpeaks(t.voiceId, t.language)) return [];
    const suggestions = voicesFor(t.language);
    return [
      `voiceId ${t.voiceId} does not speak ${t.language}, the template's language${suggestions.length > 0 ? `; use one of ${suggestions.join(', ')}` : ''}`,
    ];
  }
  if (voiceSpeaks(t.voiceId, t.locale)) return [];
  const own = voicesFor(t.locale);
  if (own.length > 0)
    return [`voiceId ${t.voiceId} does not speak ${t.locale}; use one of ${own.join(', ')}`];
  const fallback = bundledVoiceFallback(t.locale);
  if (fallback && !voiceSpeaks(t.voiceId, fallback.locale)) {
    return [
      `no voice speaks ${t.locale}; the catalogue's fallback language is ${fallback.locale}, which ${t.voiceId} does not speak (${voicesFor(fallback.locale).join(', ')} do)`,
    ];
  }
  return [];
}

function toFileItem(t: StoredTemplate): TemplateFileItem {
  return {
    locale: t.locale,
    channel: t.channel,
    purpose: t.purpose,
    body: t.body,
    ...(t.expiry ? { expiry: t.expiry } : {}),
    ...(t.language ? { language: t.language } : {}),
    ...(t.voiceId ? { voiceId: t.voiceId } : {}),
    ...(t.version !== undefined ? { version: t.version } : {}),
    ...(t.updatedAt ? { updatedAt: t.updatedAt } : {}),
    ...(t.updatedBy ? { updatedBy: t.updatedBy } : {}),
  };
}

function compareItems(a: TemplateFileItem, b: TemplateFileItem): number {
  // Code-point order, not locale collation: the same table exports byte-identically on any machine.
  const cmp = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
  return (
    cmp(a.locale, b.locale) ||
    cmp(a.channel, b.channel) ||
    TEMPLATE_PURPOSES.indexOf(a.purpose) - TEMPLATE_PURPOSES.indexOf(b.purpose)
  );
}

/** "locale/channel/purpose" of an item that failed the schema, as far as it names them. */
function describeRaw(raw: unknown): string | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const r = raw as Record<string, unknown>;
  const part = (x: unknown) => (typeof x === 'string' && x.length <= 40 ? x : '?');
  return `${part(r.locale)}/${part(r.channel)}/${part(r.purpose)}`;
}
