import type { StoredTemplate } from '../../adapters/dynamodb/dynamodb-template-store';
import { bundledTemplates } from '../../adapters/i18n/i18next-template-store';
import { voicesFor } from '../../adapters/i18n/polly-voices';
import type { Purpose } from '../../domain/delivery-request';
import type { MessageTemplate } from '../../domain/message-template';
import { type CoverageCell, coverageOf } from '../../domain/template-coverage';
import type { TemplateTable } from '../cli/template-table';
import { diffTemplateFields, type FieldDiff } from '../template-diff';
import {
  type DraftItem,
  draftFromTemplate,
  fieldLabels,
  fileItemFromDraft,
  flattenFields,
  type TemplateKey,
} from '../template-fields';
import { importTemplates, parseTemplateFile, seedTemplates, TemplateFileError } from '../template-transfer';

/** What the console reads and writes, on top of the same functions the template CLI uses. */

export interface Templates {
  readonly table: readonly StoredTemplate[];
  readonly catalogue: readonly MessageTemplate[];
}

let catalogue: readonly MessageTemplate[] | undefined;

export async function loadTemplates(table: TemplateTable): Promise<Templates> {
  catalogue ??= bundledTemplates();
  return { table: await table.store.listAllTemplates(), catalogue };
}

function sameKey(t: TemplateKey, key: TemplateKey): boolean {
  return t.locale === key.locale && t.channel === key.channel && t.purpose === key.purpose;
}

/**
 * What the editor starts from and what a save is compared with:
 *   table      the stored template (its version guards against a concurrent edit);
 *   catalogue  not in the table: the bundled text, which is what is served today;
 *   served     neither: the text requests for this locale get today (another language), to translate;
 *   none       nothing at all.
 */
export interface Baseline {
  readonly origin: 'table' | 'catalogue' | 'served' | 'none';
  readonly draft: DraftItem;
  /** What a save replaces, for the diff: nothing unless the key already has a text. */
  readonly compareWith?: DraftItem;
  readonly stored?: StoredTemplate;
  /** The version the table holds for the key; 0 when it holds none. */
  readonly version: number;
  /** For `served`: the template it was taken from. */
  readonly servedFrom?: MessageTemplate;
}

export function baselineFor(templates: Templates, key: TemplateKey, defaultLocale: string): Baseline {
  const stored = templates.table.find((t) => sameKey(t, key));
  if (stored) {
    const draft = draftFromTemplate(stored);
    return { origin: 'table', draft, compareWith: draft, stored, version: stored.version ?? 1 };
  }
  const bundled = templates.catalogue.find((t) => sameKey(t, key));
  if (bundled) {
    const draft = draftFromTemplate(bundled);
    return { origin: 'catalogue', draft, compareWith: draft, version: 0 };
  }
  const purpose: Purpose = key.purpose === 'generic' ? 'verification' : key.purpose;
  const cell = coverageOf([...templates.table, ...templates.catalogue], { ...key, purpose }, defaultLocale);
  if (cell.template) {
    // Its text to translate, under this key; a voice that speaks this language, if Polly has one.
    const { locale: _l, channel: _c, purpose: _p, version: _v, ...fields } = draftFromTemplate(cell.template);
    const voice = key.channel === 'voice' ? voicesFor(key.locale)[0] : undefined;
    const draft: DraftItem = { ...fields, ...key, ...(voice ? { voiceId: voice } : {}) };
    return { origin: 'served', draft, version: 0, servedFrom: cell.template };
  }
  return { origin: 'none', draft: { ...key, body: '' }, version: 0 };
}

/** How requests for this key's locale and channel are served now, per purpose. */
export function servedNow(templates: Templates, key: TemplateKey, defaultLocale: string): CoverageCell[] {
  const candidates = [...templates.table, ...templates.catalogue];
  const purposes: Purpose[] =
    key.purpose === 'generic'
      ? ['enrollment', 'verification', 'account-unlock', 'password-reset']
      : [key.purpose];
  return purposes.map((purpose) => coverageOf(candidates, { ...key, purpose }, defaultLocale));
}

export function diffAgainst(baseline: DraftItem | undefined, draft: DraftItem): FieldDiff[] {
  const before = baseline ? flattenFields(baseline) : new Map<string, string>();
  const after = flattenFields(draft);
  const labels = new Map([...(baseline ? fieldLabels(baseline) : []), ...fieldLabels(draft)]);
  return diffTemplateFields(before, after, labels, draft.locale);
}

export type SaveResult =
  | { readonly kind: 'saved'; readonly version: number }
  | { readonly kind: 'invalid'; readonly problems: readonly string[] }
  | { readonly kind: 'conflict'; readonly current?: StoredTemplate };

/**
 * Saves one template exactly as `templates import` would import a file holding it (same parse, same
 * rules, same write), after checking nobody saved this key since the editor read version `baseVersion`.
 */
export async function saveTemplate(
  table: TemplateTable,
  draft: DraftItem,
  baseVersion: number,
  updatedBy: string,
): Promise<SaveResult> {
  const current = (await table.store.listAllTemplates()).find((t) => sameKey(t, draft));
  const currentVersion = current ? (current.version ?? 1) : 0;
  if (currentVersion !== baseVersion) return { kind: 'conflict', ...(current ? { current } : {}) };
  const version = currentVersion + 1;
  try {
    await importTemplates(
      table.store,
      { version: 1, templates: [fileItemFromDraft(draft, version)] },
      { updatedBy },
    );
  } catch (error) {
    if (error instanceof TemplateFileError)
      return { kind: 'invalid', problems: error.problems.map((p) => p.problem) };
    throw error;
  }
  return { kind: 'saved', version };
}

export interface ImportItemChange {
  readonly key: TemplateKey;
  readonly change: 'new' | 'changed' | 'unchanged';
  readonly diff: readonly FieldDiff[];
}

export type ImportCheck =
  | { readonly kind: 'invalid'; readonly problems: readonly string[] }
  | { readonly kind: 'valid'; readonly items: readonly ImportItemChange[] };

function problemLines(error: TemplateFileError): string[] {
  return error.problems.map(
    (p) => `${p.index === undefined ? 'file' : `#${p.index}`}${p.key ? ` ${p.key}` : ''}: ${p.problem}`,
  );
}

/** `templates import`'s validation, and what the file would change in the table. Writes nothing. */
export async function checkImport(table: TemplateTable, json: unknown): Promise<ImportCheck> {
  let parsed: { templates: MessageTemplate[] };
  try {
    parsed = parseTemplateFile(json);
  } catch (error) {
    if (error instanceof TemplateFileError) return { kind: 'invalid', problems: problemLines(error) };
    throw error;
  }
  const stored = await table.store.listAllTemplates();
  return {
    kind: 'valid',
    items: parsed.templates.map((t) => {
      const current = stored.find((s) => sameKey(s, t));
      const diff = diffAgainst(current && draftFromTemplate(current), draftFromTemplate(t));
      const change = !current ? 'new' : diff.some((d) => d.changed) ? 'changed' : 'unchanged';
      return { key: { locale: t.locale, channel: t.channel, purpose: t.purpose }, change, diff };
    }),
  };
}

export async function runImport(
  table: TemplateTable,
  json: unknown,
  updatedBy: string,
): Promise<{ kind: 'imported'; written: number } | { kind: 'invalid'; problems: readonly string[] }> {
  try {
    return { kind: 'imported', ...(await importTemplates(table.store, json, { updatedBy })) };
  } catch (error) {
    if (error instanceof TemplateFileError) return { kind: 'invalid', problems: problemLines(error) };
    throw error;
  }
}

export async function runSeed(table: TemplateTable, overwrite: boolean) {
  catalogue ??= bundledTemplates();
  return seedTemplates(table.store, catalogue, { overwrite });
}
