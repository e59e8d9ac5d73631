import type { FieldDiff } from '../../template-diff';
import { type DraftItem, flattenFields, type TemplateKey } from '../../template-fields';
import { languageName } from '../../template-overview';
import type { PreviewSample, TemplatePreview } from '../../template-preview';
import type { Baseline } from '../console-service';
import { attr, html, type SafeHtml } from '../html';
import type { Notice } from './editor-page';
import { previewFragment, problemsFragment } from './preview-fragment';

export interface ReviewView {
  readonly key: TemplateKey;
  readonly draft: DraftItem;
  readonly baseline: Baseline;
  readonly diff: readonly FieldDiff[];
  readonly preview: TemplatePreview;
  readonly sample: PreviewSample;
  readonly csrf: string;
  readonly table: string;
  readonly notice?: Notice;
}

/** Word diff: struck-through removals, underlined additions, each also named for screen readers. */
export function diffBlock(diff: FieldDiff): SafeHtml {
  return html`<div class="diff" dir="auto">${diff.parts.map((part) =>
    part.change === 'added'
      ? html`<ins><span class="sr-only">[added: </span>${part.text}<span class="sr-only">]</span></ins>`
      : part.change === 'removed'
        ? html`<del><span class="sr-only">[removed: </span>${part.text}<span class="sr-only">]</span></del>`
        : html`${part.text}`,
  )}</div>`;
}

function comparedWith(view: ReviewView): string {
  const b = view.baseline;
  if (b.origin === 'table') return `Compared with version ${b.version} in the table.`;
  if (b.origin === 'catalogue')
    return 'Compared with the bundled catalogue text served today; the table has no template for this key yet.';
  return 'A new template: the table and the catalogue have none for this key.';
}

export function reviewPage(view: ReviewView): SafeHtml {
  const { key } = view;
  const changed = view.diff.filter((d) => d.changed);
  const unchanged = view.diff.filter((d) => !d.changed);
  const blocked = view.preview.saveProblems.length > 0;
  const nothingNew = changed.length === 0 && view.baseline.origin === 'table';
  return html`<h1>Review: ${languageName(key.locale)} (${key.locale}) · ${key.channel === 'sms' ? 'SMS' : 'Voice'} · ${key.purpose}</h1>
${view.notice ? html`<p class="notice ${view.notice.kind === 'ok' ? '' : view.notice.kind}" role="alert" id="notice">${view.notice.text}</p>` : ''}
<p class="meta">${comparedWith(view)}</p>
<div class="editor">
<div>
<section class="panel" aria-labelledby="diff-heading">
<h2 id="diff-heading">Changes</h2>
${
  changed.length === 0
    ? html`<p id="no-changes">No changes${view.baseline.origin === 'catalogue' ? ': saving stores a copy of the catalogue text in the table' : ''}.</p>`
    : changed.map((d) => html`<h3>${d.label}</h3>${diffBlock(d)}`)
}
${unchanged.length > 0 ? html`<p class="help">Unchanged: ${unchanged.map((d) => d.label).join(', ')}.</p>` : ''}
</section>
<section class="panel" id="problems" aria-labelledby="problems-heading">${problemsFragment(view.preview)}</section>
<form class="panel" method="post" action="/save">
  <input type="hidden" name="csrf" value="${view.csrf}">
  <input type="hidden" name="locale" value="${key.locale}">
  <input type="hidden" name="channel" value="${key.channel}">
  <input type="hidden" name="purpose" value="${key.purpose}">
  <input type="hidden" name="baseVersion" value="${view.baseline.version}">
  ${[...flattenFields(view.draft)].map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}
  <input type="hidden" name="sample.brand" value="${view.sample.brand}">
  <input type="hidden" name="sample.firstName" value="${view.sample.firstName ?? ''}">
  <input type="hidden" name="sample.minutes" value="${view.sample.minutes}">
  <input type="hidden" name="sample.codeDigits" value="${view.sample.codeDigits}">
  <p>Saving writes version ${view.baseline.version + 1} to <strong>${view.table}</strong>, validated exactly as <code>templates import</code> validates a file; nothing is written if it is invalid.</p>
  <div class="actions">
    <button type="submit" class="primary" id="save"${attr('disabled', blocked || nothingNew)}${attr('aria-describedby', blocked ? 'save-problems' : undefined)}>Save</button>
    <button type="submit" formaction="/edit" name="action" value="preview">Back to editing</button>
  </div>
</form>
</div>
<section class="panel" aria-labelledby="preview-heading">${previewFragment(view.preview)}</section>
</div>`;
}
