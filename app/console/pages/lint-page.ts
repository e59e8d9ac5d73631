import type { LintReport, LintRow } from '../../template-lint';
import { html, type SafeHtml } from '../html';

function editLink(locale: string, channel: string, purpose: string): string {
  return `/edit?${new URLSearchParams({ locale, channel, purpose: purpose === '*' ? 'generic' : purpose })}`;
}

function rowsTable(id: string, rows: readonly LintRow[]): SafeHtml {
  return html`<div class="grid-wrap"><table class="lint-table" id="${id}">
<thead><tr><th scope="col">Locale</th><th scope="col">Channel</th><th scope="col">Purpose</th><th scope="col">Encoding</th><th scope="col">Segments</th><th scope="col">Units</th><th scope="col">Characters forcing UCS-2</th><th scope="col">Voice</th><th scope="col">Result</th></tr></thead>
<tbody>${rows.map(
    (r) => html`<tr>
<th scope="row"><a href="${editLink(r.locale, r.channel, r.purpose)}">${r.locale}</a></th><td>${r.channel}</td><td>${r.purpose}</td>
<td>${r.encoding ?? ''}</td><td>${r.segments ?? ''}</td><td>${r.units ?? ''}</td>
<td lang="${r.locale}">${r.ucs2Characters.length > 12 ? `${r.ucs2Characters.slice(0, 12).join('')}…` : r.ucs2Characters.join(' ')}</td>
<td>${r.voiceId ?? ''}${r.spokenLocale && r.spokenLocale !== r.locale ? ` (${r.spokenLocale})` : ''}</td>
<td class="${r.ok ? 'ok-cell' : 'fail-cell'}">${r.ok ? '✓ ok' : '✕ FAIL'}</td></tr>`,
  )}</tbody></table></div>`;
}

function reportSection(id: string, title: string, intro: string, report: LintReport): SafeHtml {
  const { summary } = report;
  return html`<section class="panel" aria-labelledby="${id}-heading">
<h2 id="${id}-heading">${title}</h2>
<p class="help">${intro}</p>
<p id="${id}-summary">${summary.templates} templates in ${summary.locales} locales; ${summary.oneSegmentLocales} locales fit every SMS in one segment (${summary.gsm7Locales} in GSM-7) with a code of ${summary.codeDigits} digits and a brand of ${summary.brandCharacters} characters; <strong>${summary.problems} problem(s)</strong>.</p>
${
  report.problems.length === 0
    ? html`<p class="all-clear">No problems.</p>`
    : html`<ul class="problems lint" id="${id}-problems">${report.problems.map(
        (p) =>
          html`<li><a href="${editLink(p.locale, p.channel, p.purpose)}">${p.locale}/${p.channel}/${p.purpose}</a>: ${p.message}</li>`,
      )}</ul>`
}
<details><summary>Every template (${report.rows.length})</summary>${rowsTable(`${id}-rows`, report.rows)}</details>
</section>`;
}

export function lintPage(catalogue: LintReport, table: LintReport): SafeHtml {
  return html`<h1>Lint</h1>
<p class="lead">The rules of <code>npm run templates -- lint</code>, by the same code: placeholders, SSML, voices,
and segment budgets with a worst-case sample (Latin-script SMS in one segment, others in two).</p>
${reportSection('table', 'Templates in the table', 'What operators saved or imported; these take precedence over the catalogue.', table)}
${reportSection('catalogue', 'Bundled catalogue', 'Exactly what npm run templates -- lint checks.', catalogue)}`;
}
