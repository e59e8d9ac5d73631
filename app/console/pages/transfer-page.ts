import type { ImportCheck } from '../console-service';
import { attr, html, type SafeHtml } from '../html';
import type { Notice } from './editor-page';
import { diffBlock } from './review-page';

export interface TransferView {
  readonly csrf: string;
  readonly table: string;
  readonly deployed: boolean;
  /** The file as pasted or chosen, kept across a check so it can be imported as checked. */
  readonly fileText?: string;
  readonly check?: ImportCheck;
  readonly notice?: Notice;
}

function checkResult(check: ImportCheck): SafeHtml {
  if (check.kind === 'invalid') {
    return html`<div id="import-result"><p class="notice error" role="alert">The file would be refused: ${check.problems.length} problem(s). Nothing can be imported until every one is fixed.</p>
<ul class="problems blocking" id="import-problems">${check.problems.map((p) => html`<li>${p}</li>`)}</ul></div>`;
  }
  const count = (c: string) => check.items.filter((i) => i.change === c).length;
  const shown = check.items.filter((i) => i.change !== 'unchanged');
  return html`<div id="import-result"><p class="notice" role="status">Valid: ${check.items.length} template(s): ${count('new')} new, ${count('changed')} changed, ${count('unchanged')} unchanged.</p>
${shown.map(
  (i) =>
    html`<details${attr('open', shown.length <= 5)}><summary>${i.change}: ${i.key.locale}/${i.key.channel}/${i.key.purpose}</summary>
${i.diff.filter((d) => d.changed).map((d) => html`<h3>${d.label}</h3>${diffBlock(d)}`)}</details>`,
)}</div>`;
}

export function transferPage(view: TransferView): SafeHtml {
  const valid = view.check?.kind === 'valid';
  return html`<h1>Export &amp; import</h1>
<p class="lead">The same files as <code>npm run templates -- export</code> and <code>import</code>: version 1 JSON, one
item per locale × channel × purpose.</p>
${view.notice ? html`<p class="notice ${view.notice.kind === 'ok' ? '' : view.notice.kind}" role="${view.notice.kind === 'ok' ? 'status' : 'alert'}" id="notice">${view.notice.text}</p>` : ''}
<section class="panel" aria-labelledby="export-heading">
<h2 id="export-heading">Export</h2>
<p>Every template in ${view.table}, sorted so two exports diff cleanly.</p>
<p><a class="button" href="/export.json" download="templates.json" id="export-link">Download templates.json</a></p>
</section>
<section class="panel" aria-labelledby="import-heading">
<h2 id="import-heading">Import</h2>
<form method="post" action="/import" id="import-form">
  <input type="hidden" name="csrf" value="${view.csrf}">
  <label for="import-file">Choose a file</label>
  <input type="file" id="import-file" accept="application/json,.json" aria-describedby="import-file-help">
  <p class="help" id="import-file-help">Its text appears below; or paste it there.</p>
  <label for="import-text">Template file (JSON)</label>
  <textarea id="import-text" name="file" rows="10" spellcheck="false">${view.fileText ?? ''}</textarea>
  <div class="actions">
    <button type="submit" name="action" value="check"${attr('class', valid ? undefined : 'primary')}>Check and compare</button>
    ${valid ? html`<button type="submit" name="action" value="import" class="primary" id="import-button">Import into the table</button>` : ''}
  </div>
  <p class="help">Every item is validated first; nothing is written if any is invalid. Items replace the same locale, channel and purpose.</p>
</form>
${view.check ? checkResult(view.check) : ''}
</section>
<section class="panel" aria-labelledby="seed-heading">
<h2 id="seed-heading">Seed from the bundled catalogue</h2>
<form method="post" action="/seed">
  <input type="hidden" name="csrf" value="${view.csrf}">
  <p>Copies the catalogue into the table, as <code>npm run templates -- seed</code>: only keys the table lacks, so operators' edits stay.</p>
  <label class="checkbox"><input type="checkbox" name="overwrite" value="1"> Overwrite templates the table already has (operators' edits are lost)</label>
  <div class="actions"><button type="submit">Seed</button></div>
</form>
</section>`;
}
