import { CHANNELS, type Channel, PURPOSES } from '../domain/delivery-request';
import type { MessageTemplate, TemplatePurpose } from '../domain/message-template';
import { pluralCategories } from '../domain/plural-categories';

/**
 * The one module that knows a template's exact fields as an operator edits them. The console's editor,
 * preview, diff and save are written against what this module returns, so a new field in the template
 * format (e.g. a phrase per plural category) is one entry in TEMPLATE_FIELDS, and a field it does not
 * list yet is still shown and kept, generically.
 */

/** Which template: the table key. */
export interface TemplateKey {
  readonly locale: string;
  readonly channel: Channel;
  readonly purpose: TemplatePurpose;
}

/** A template as the import file holds it (TemplateFileItem), before validation: any field may be wrong. */
export type DraftItem = TemplateKey & { readonly [field: string]: unknown };

export type FieldKind =
  /** Text in the template's language, with {{placeholders}}. */
  | 'text'
  /** A Polly voice id (voice templates only). */
  | 'voice'
  /** One text per CLDR plural category of the template's language ("one", "few", "other", …). */
  | 'plural'
  /** Any other value the format may hold (a list, a nested object): edited as JSON, never dropped. */
  | 'json';

export interface FieldSpec {
  readonly name: string;
  readonly label: string;
  readonly kind: FieldKind;
  /** Only for these channels; every channel when absent. */
  readonly channels?: readonly Channel[];
  readonly help?: string;
}

export const TEMPLATE_FIELDS: readonly FieldSpec[] = [
  {
    name: 'body',
    label: 'Message',
    kind: 'text',
    help: 'Placeholders: {{code}} (SMS once, voice twice), {{minutes}}, {{brand}}, {{firstName}}. Voice: SSML.',
  },
  { name: 'voiceId', label: 'Voice', kind: 'voice', channels: ['voice'] },
];

// Not edited: the key says which template, the metadata is written by the store.
const KEY_FIELDS: ReadonlySet<string> = new Set(['locale', 'channel', 'purpose']);
const META_FIELDS: ReadonlySet<string> = new Set(['version', 'updatedAt', 'updatedBy', 'source']);
const TEMPLATE_PURPOSES: readonly TemplatePurpose[] = ['generic', ...PURPOSES];

/** One input of the editor. `name` is the form name ("field.body", "field.expiry.few"). */
export interface EditableField {
  readonly name: string;
  readonly label: string;
  readonly kind: FieldKind;
  readonly value: string;
  /** Written in the template's language: shown with its direction and `lang`. */
  readonly inTemplateLanguage: boolean;
  readonly multiline: boolean;
  readonly help?: string;
  /** For a plural field: which category of which group. */
  readonly group?: { readonly name: string; readonly label: string; readonly category: string };
}

const FIELD_PREFIX = 'field.';
const JSON_PREFIX = 'json.';

export function parseTemplateKey(raw: {
  locale?: unknown;
  channel?: unknown;
  purpose?: unknown;
}): TemplateKey | undefined {
  const { locale, channel, purpose } = raw;
  if (typeof locale !== 'string' || !/^[A-Za-z0-9-]{1,64}$/.test(locale)) return undefined;
  if (!CHANNELS.includes(channel as Channel)) return undefined;
  if (!TEMPLATE_PURPOSES.includes(purpose as TemplatePurpose)) return undefined;
  return { locale, channel: channel as Channel, purpose: purpose as TemplatePurpose };
}

function specsFor(channel: Channel): FieldSpec[] {
  return TEMPLATE_FIELDS.filter((f) => f.channels === undefined || f.channels.includes(channel));
}

/** The inputs for a template: the known fields for its channel, then any other field it carries. */
export function editableFields(item: DraftItem): EditableField[] {
  const fields: EditableField[] = [];
  const known = specsFor(item.channel);
  for (const spec of known) {
    const value = item[spec.name];
    if (spec.kind === 'plural') {
      const phrases = isStringRecord(value) ? value : {};
      const categories = pluralCategories(item.locale).map((c) => c.category as string);
      // A category the language does not have is still shown, so nothing stored is hidden or dropped.
      for (const category of [
        ...categories,
        ...Object.keys(phrases).filter((c) => !categories.includes(c)),
      ]) {
        fields.push(groupField(spec.name, spec.label, category, phrases[category] ?? '', spec.help));
      }
    } else {
      fields.push({
        name: `${FIELD_PREFIX}${spec.name}`,
        label: spec.label,
        kind: spec.kind,
        value: typeof value === 'string' ? value : '',
        inTemplateLanguage: spec.kind === 'text',
        multiline: spec.kind === 'text',
        ...(spec.help ? { help: spec.help } : {}),
      });
    }
  }
  const knownNames = new Set(known.map((s) => s.name));
  for (const [name, value] of Object.entries(item)) {
    if (KEY_FIELDS.has(name) || META_FIELDS.has(name) || knownNames.has(name)) continue;
    if (typeof value === 'string') {
      fields.push({
        name: `${FIELD_PREFIX}${name}`,
        label: name,
        kind: 'text',
        value,
        inTemplateLanguage: true,
        multiline: value.length > 60,
      });
    } else if (isStringRecord(value)) {
      for (const [category, text] of Object.entries(value))
        fields.push(groupField(name, name, category, text));
    } else if (value !== undefined) {
      // A shape this module does not know yet still round-trips: shown and saved as JSON.
      fields.push({
        name: `${JSON_PREFIX}${name}`,
        label: `${name} (JSON)`,
        kind: 'json',
        value: JSON.stringify(value, null, 2),
        inTemplateLanguage: false,
        multiline: true,
      });
    }
  }
  return fields;
}

function groupField(
  name: string,
  label: string,
  category: string,
  value: string,
  help?: string,
): EditableField {
  return {
    name: `${FIELD_PREFIX}${name}.${category}`,
    label: `${label} (${category})`,
    kind: 'plural',
    value,
    inTemplateLanguage: true,
    multiline: false,
    group: { name, label, category },
    ...(help ? { help } : {}),
  };
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((v) => typeof v === 'string')
  );
}

/**
 * The draft an editor form describes: the key, then every "field.*" input (and "json.*" ones). Empty optional inputs are
 * left out (no voiceId, no plural group whose phrases are all empty), as an export would leave them out.
 */
export function draftFromForm(key: TemplateKey, form: Readonly<Record<string, string>>): DraftItem {
  const item: Record<string, unknown> = { ...key };
  const groups = new Map<string, Record<string, string>>();
  for (const [name, raw] of Object.entries(form)) {
    if (name.startsWith(JSON_PREFIX)) {
      const field = name.slice(JSON_PREFIX.length);
      if (field === '' || KEY_FIELDS.has(field) || META_FIELDS.has(field) || raw.trim() === '') continue;
      try {
        item[field] = JSON.parse(raw);
      } catch {
        // Kept as text: the import rules then say what is wrong with it, and nothing is saved.
        item[field] = raw;
      }
      continue;
    }
    if (!name.startsWith(FIELD_PREFIX)) continue;
    // Browsers submit line breaks as CRLF; templates are written with LF, as the catalogue is.
    const value = raw.replace(/\r\n?/g, '\n');
    const path = name.slice(FIELD_PREFIX.length).split('.');
    const [field, category] = path;
    if (!field || KEY_FIELDS.has(field) || META_FIELDS.has(field) || path.length > 2) continue;
    if (category === undefined) {
      if (field === 'body' || value !== '') item[field] = field === 'voiceId' ? value.trim() : value;
    } else {
      const group = groups.get(field) ?? {};
      group[category] = value;
      groups.set(field, group);
    }
  }
  for (const [field, group] of groups) {
    if (Object.values(group).some((v) => v !== '')) item[field] = group;
  }
  return item as DraftItem;
}

/** A stored or bundled template as a draft (no `source`; metadata kept for the editor to show). */
export function draftFromTemplate(template: MessageTemplate): DraftItem {
  const { source: _source, ...rest } = template as MessageTemplate & Record<string, unknown>;
  return rest as DraftItem;
}

/** The draft as the send path sees it, however wrong it is, so it can be previewed. */
export function templateFromDraft(item: DraftItem): MessageTemplate {
  const { updatedAt: _at, updatedBy: _by, ...rest } = item;
  const body = typeof rest.body === 'string' ? rest.body : '';
  return { ...rest, body, source: 'dynamodb' } as MessageTemplate;
}

/** The draft as one item of an import file, with the version to write. */
export function fileItemFromDraft(item: DraftItem, version: number): Record<string, unknown> {
  const { updatedAt: _at, updatedBy: _by, version: _version, source: _source, ...rest } = item;
  return { ...rest, version };
}

/** The draft's edited content as "field name → text", for diffs and hidden form inputs. */
export function flattenFields(item: DraftItem): Map<string, string> {
  return new Map(editableFields(item).map((f) => [f.name, f.value]));
}

/** Labels for the flattened names, for a diff that says what changed in words. */
export function fieldLabels(item: DraftItem): Map<string, string> {
  return new Map(editableFields(item).map((f) => [f.name, f.label]));
}
