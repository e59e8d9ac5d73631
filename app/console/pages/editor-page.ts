import { POLLY_VOICES, type PollyVoiceId, voicesFor } from '../../../adapters/i18n/polly-voices';
import { PURPOSES } from '../../../domain/delivery-request';
import type { CoverageCell } from '../../../domain/template-coverage';
import type { DraftItem, EditableField, TemplateKey } from '../../template-fields';
import { editableFields } from '../../template-fields';
import { languageName } from '../../template-overview';
import type { PreviewSample, TemplatePreview } from '../../template-preview';
import { MAX_CODE_DIGITS, MIN_CODE_DIGITS } from '../../template-preview';
import type { Baseline } from '../console-service';
import { attr, html, type SafeHtml } from '../html';
import { previewFragment, problemsFragment } from './preview-fragment';

export interface Notice {
  readonly kind: 'ok' | 'error' | 'warn';
  readonly text: string;
}

export interface EditorView {
  readonly key: TemplateKey;
  readonly draft: DraftItem;
  readonly baseline: Baseline;
  readonly preview: TemplatePreview;
  readonly served: readonly CoverageCell[];
  readonly sample: PreviewSample;
  readonly csrf: string;
  readonly notice?: Notice;
  /** Keys the table holds for this locale and channel, to mark them in the purpose tabs. */
  readonly stored: ReadonlySet<string>;
}

const CHANNEL_LABEL = { sms: 'SMS', voice: 'Voice' } as const;
const SOURCE_LABEL: Readonly<Record<string, string>> = {
  dynamodb: 'DynamoDB',
  catalogue: 'catalogue',
  idp: 'IdP',
};

export function keyQuery(key: TemplateKey): string {
  return new URLSearchParams({ locale: key.locale, channel: key.channel, purpose: key.purpose }).toString();
}

function fieldId(field: EditableField): string {
  return `f-${field.name.replace(/[^A-Za-z0-9-]/g, '-')}`;
}

function voiceSelect(field: EditableField, view: EditorView): SafeHtml {
  const spoken = view.preview.voice?.spokenLocale ?? view.key.locale;
  const own = [...new Set([...voicesFor(view.key.locale), ...voicesFor(spoken)])];
  const others = (Object.keys(POLLY_VOICES) as PollyVoiceId[]).filter((id) => !own.includes(id));
  const current = field.value.toUpperCase();
  const known = own.includes(current as PollyVoiceId) || others.includes(current as PollyVoiceId);
  const option = (id: string) =>
    html`<option value="${id}"${attr('selected', id === current)}>${id}${id in POLLY_VOICES ? ` — ${POLLY_VOICES[id as PollyVoiceId].language}` : ''}</option>`;
  return html`<label for="${fieldId(field)}">${field.label}</label>
<select id="${fieldId(field)}" name="${field.name}" aria-describedby="${fieldId(field)}-help">
  ${current === '' ? html`<option value="" selected>(none)</option>` : ''}
  ${!known && current !== '' ? html`<option value="${current}" selected>${current} (not a voice End User Messaging offers)</option>` : ''}
  ${own.length > 0 ? html`<optgroup label="Speaks ${languageName(spoken)}">${own.map(option)}</optgroup>` : ''}
  <optgroup label="Other voices">${others.map(option)}</optgroup>
</select>
<p class="help" id="${fieldId(field)}-help">Polly voices End User Messaging accepts; those speaking the template's language first.</p>`;
}

function textField(field: EditableField, view: EditorView): SafeHtml {
  const id = fieldId(field);
  const invalid = view.preview.saveProblems.length > 0 && field.name === 'field.body';
  const described = [field.help ? `${id}-help` : '', 'problems'].filter(Boolean).join(' ');
  const language = field.inTemplateLanguage
    ? html`${attr('lang', view.key.locale)}${attr('dir', view.preview.direction)}`
    : '';
  return html`<label for="${id}">${field.label}</label>
${
  field.multiline
    ? html`<textarea id="${id}" name="${field.name}" rows="${view.key.channel === 'voice' ? 8 : 5}" spellcheck="true"${language} aria-describedby="${described}"${attr('aria-invalid', invalid ? 'true' : undefined)}>${field.value}</textarea>`
    : html`<input type="text" id="${id}" name="${field.name}" value="${field.value}"${language} aria-describedby="${described}">`
}
${field.help ? html`<p class="help" id="${id}-help">${field.help}</p>` : ''}`;
}

function fields(view: EditorView): SafeHtml {
  // A plural field's phrases come one after another: one fieldset for them, one input per category.
  const blocks: (EditableField | EditableField[])[] = [];
  for (const field of editableFields(view.draft)) {
    const last = blocks.at(-1);
    if (field.group && Array.isArray(last) && last[0]?.group?.name === field.group.name) last.push(field);
    else blocks.push(field.group ? [field] : field);
  }
  return html`${blocks.map((block) =>
    Array.isArray(block)
      ? html`<fieldset><legend>${block[0]?.group?.label} — one phrase per plural form</legend>
${block.map((f) => textField({ ...f, label: f.group?.category ?? f.label }, view))}</fieldset>`
      : block.kind === 'voice'
        ? voiceSelect(block, view)
        : textField(block, view),
  )}`;
}

function baselineText(view: EditorView): string {
  const b = view.baseline;
  if (b.origin === 'table') {
    const s = b.stored;
    return `In the table: version ${b.version}${s?.updatedBy ? `, saved by ${s.updatedBy}` : ''}${s?.updatedAt ? ` at ${s.updatedAt}` : ''}.`;
  }
  if (b.origin === 'catalogue')
    return 'Not in the table: this is the bundled catalogue text, served today. Saving stores your version in the table, where it takes precedence.';
  if (b.origin === 'served') {
    const t = b.servedFrom;
    return `No ${view.key.locale} template yet: starting from the ${t?.locale}/${t?.purpose} text (${SOURCE_LABEL[t?.source ?? ''] ?? t?.source}) these requests get today. Translate it.`;
  }
  return 'No template yet, and nothing is served: write one.';
}

function servedList(view: EditorView): SafeHtml {
  return html`<ul class="problems">${view.served.map((cell) => {
    const t = cell.template;
    const served = t ? `${t.locale}/${t.purpose} (${SOURCE_LABEL[t.source] ?? t.source})` : 'nothing';
    const text =
      cell.kind === 'idp'
        ? `the IdP's own text if it sends one, else ${served}`
        : cell.kind === 'fallback'
          ? `${served}, the default language`
          : served;
    return html`<li>${cell.purpose}: ${text}</li>`;
  })}</ul>
<p class="help">Chain searched: ${view.served[0]?.chain.join(' → ') ?? ''}.</p>`;
}

function tabs(view: EditorView): SafeHtml {
  const { key } = view;
  const purposes = ['generic', ...PURPOSES] as const;
  return html`<nav aria-label="Purpose and channel"><ul class="tabs">
${purposes.map((purpose) => {
  const k = { ...key, purpose };
  const stored = view.stored.has(purpose);
  return html`<li><a href="/edit?${keyQuery(k)}"${attr('aria-current', purpose === key.purpose ? 'page' : undefined)}>${purpose}${stored ? html` <span aria-hidden="true">●</span><span class="sr-only"> (in the table)</span>` : ''}</a></li>`;
})}
<li><a href="/edit?${keyQuery({ ...key, channel: key.channel === 'sms' ? 'voice' : 'sms', purpose: 'generic' })}">${key.channel === 'sms' ? 'Voice' : 'SMS'} templates →</a></li>
</ul></nav>`;
}

export function sampleFields(sample: PreviewSample): SafeHtml {
  return html`<fieldset><legend>Sample values</legend>
<div class="inline-fields">
  <div><label for="s-brand">Brand</label><input type="text" id="s-brand" name="sample.brand" value="${sample.brand}" maxlength="20"></div>
  <div><label for="s-first">First name</label><input type="text" id="s-first" name="sample.firstName" value="${sample.firstName ?? ''}" maxlength="40"></div>
  <div><label for="s-minutes">Minutes</label><input type="number" id="s-minutes" name="sample.minutes" value="${sample.minutes}" min="1" max="1440"></div>
  <div><label for="s-digits">Code digits</label><input type="number" id="s-digits" name="sample.codeDigits" value="${sample.codeDigits}" min="${MIN_CODE_DIGITS}" max="${MAX_CODE_DIGITS}"></div>
</div></fieldset>`;
}

export function editorPage(view: EditorView): SafeHtml {
  const { key } = view;
  return html`<h1>${languageName(key.locale)} <span lang="${key.locale}">(${key.locale})</span> · ${CHANNEL_LABEL[key.channel]} · ${key.purpose}</h1>
${tabs(view)}
${view.notice ? html`<p class="notice${view.notice.kind === 'ok' ? '' : ` ${view.notice.kind}`}" role="${view.notice.kind === 'ok' ? 'status' : 'alert'}" id="notice">${view.notice.text}</p>` : ''}
<p class="meta" id="baseline">${baselineText(view)}</p>
<div class="editor">
<form class="panel" id="editor-form" method="post" action="/edit" data-live-preview>
  <input type="hidden" name="csrf" value="${view.csrf}">
  <input type="hidden" name="locale" value="${key.locale}">
  <input type="hidden" name="channel" value="${key.channel}">
  <input type="hidden" name="purpose" value="${key.purpose}">
  <input type="hidden" name="baseVersion" value="${view.baseline.version}">
  ${fields(view)}
  ${sampleFields(view.sample)}
  <div class="actions">
    <button type="submit" name="action" value="review" class="primary">Review changes…</button>
    <button type="submit" name="action" value="preview">Preview</button>
    <span class="help">Nothing is saved until you confirm on the next page.</span>
  </div>
  <p id="live-status" class="sr-only" aria-live="polite"></p>
  <section id="problems" aria-labelledby="problems-heading">${problemsFragment(view.preview)}</section>
</form>
<div>
<section class="panel" id="preview" aria-labelledby="preview-heading">${previewFragment(view.preview)}</section>
<section class="panel" aria-labelledby="served-heading"><h2 id="served-heading">Served today</h2>${servedList(view)}</section>
</div>
</div>`;
}
