import type { CoverageKind } from '../../../domain/template-coverage';
import type { OverviewCell, OverviewRow, TemplateOverview } from '../../template-overview';
import { html, type SafeHtml } from '../html';

const SOURCE_LABEL: Readonly<Record<string, string>> = {
  dynamodb: 'DynamoDB',
  catalogue: 'Catalogue',
  idp: 'IdP text',
};
const CHANNEL_LABEL = { sms: 'SMS', voice: 'Voice' } as const;

function cellClass(cell: OverviewCell): string {
  if (cell.kind === 'exact') return `k-exact-${cell.template?.source ?? 'catalogue'}`;
  return `k-${cell.kind}`;
}

/** The short text in the cell and the full sentence a screen reader hears. */
function describe(cell: OverviewCell): { main: string; detail: string; sentence: string } {
  const t = cell.template;
  const source = t ? (SOURCE_LABEL[t.source] ?? t.source) : '';
  const which = t ? `${t.locale}/${t.purpose}` : '';
  const spoken = cell.spokenLocale ? `, spoken in ${cell.spokenLocale}` : '';
  const specific = t && t.purpose !== 'generic' ? 'purpose-specific' : '';
  const kinds: Readonly<Record<CoverageKind, () => { main: string; detail: string; sentence: string }>> = {
    exact: () => ({
      main: source,
      detail: [specific, cell.spokenLocale ? `spoken ${cell.spokenLocale}` : ''].filter(Boolean).join(' · '),
      sentence: `served its own ${source} template ${which}${spoken}`,
    }),
    related: () => ({
      main: `${t?.locale} · ${source}`,
      detail: [specific, cell.spokenLocale ? `spoken ${cell.spokenLocale}` : ''].filter(Boolean).join(' · '),
      sentence: `served the ${source} template ${which} of the same language${spoken}`,
    }),
    idp: () => ({
      main: '⚠ IdP text',
      detail: t ? `else ${t.locale} · ${source}` : 'else nothing',
      sentence: `missing: served the IdP's own text if it sends one, else ${t ? `the ${source} template ${which}` : 'nothing'}`,
    }),
    fallback: () => ({
      main: `⚠ ${t?.locale} · ${source}`,
      detail: 'fallback language',
      sentence: `missing: served the ${source} template ${which} in the default language`,
    }),
    none: () => ({
      main: '✕ nothing',
      detail: 'cannot be served',
      sentence: 'missing: nothing can be served',
    }),
  };
  return kinds[cell.kind]();
}

function editHref(cell: OverviewCell): string {
  const t = cell.template;
  // Covered: edit what is served. Missing: write a generic template in the row's own locale.
  const key =
    t && (cell.kind === 'exact' || cell.kind === 'related')
      ? { locale: t.locale, channel: t.channel, purpose: t.purpose }
      : { locale: cell.locale, channel: cell.channel, purpose: 'generic' };
  return `/edit?${new URLSearchParams(key)}`;
}

function row(r: OverviewRow): SafeHtml {
  return html`<tr>
  <th scope="row"><a href="/edit?${new URLSearchParams({ locale: r.locale, channel: 'sms', purpose: 'generic' }).toString()}" lang="${r.locale}" aria-label="${r.locale}: edit its own templates">${r.locale}</a><small class="locale-name">${r.languageName}</small></th>
  ${r.cells.map((cell, i) => {
    const d = describe(cell);
    const label = `${cell.locale} ${CHANNEL_LABEL[cell.channel]} ${cell.purpose}: ${d.sentence}. Edit.`;
    return html`<td class="cov${i % 4 === 0 ? ' channel-start' : ''}"><a class="${cellClass(cell)}" href="${editHref(cell)}" aria-label="${label}" title="${d.sentence}">${d.main}${d.detail ? html`<small>${d.detail}</small>` : ''}</a></td>`;
  })}
</tr>`;
}

export function gridPage(
  overview: TemplateOverview,
  options: { readonly query: string; readonly gapsOnly: boolean; readonly unknownLocale?: string },
): SafeHtml {
  const query = options.query.trim().toLowerCase();
  const rows = overview.rows.filter(
    (r) =>
      (!options.gapsOnly || r.missing > 0) &&
      (query === '' ||
        r.locale.toLowerCase().startsWith(query) ||
        r.languageName.toLowerCase().includes(query)),
  );
  const { counts } = overview;
  return html`<h1>Template coverage</h1>
<p class="lead">What each request would be served, by the same selection the hook runs: locale fallback chain,
DynamoDB before the bundled catalogue, purpose-specific before generic, the IdP's own SMS text before the
default language (<strong>${overview.defaultLocale}</strong>). Choose a cell to edit the template it is served, or to write one where coverage is missing.</p>
<div class="panel">
<form class="filters" method="get" action="/" role="search">
  <div><label for="q">Find or check a locale</label>
  <input type="search" id="q" name="q" value="${options.query}" placeholder="fr-CA, EN_us, Welsh…" aria-describedby="q-help"></div>
  <label class="checkbox"><input type="checkbox" name="gaps" value="1"${options.gapsOnly ? html` checked` : ''}> Only locales with missing coverage</label>
  <button type="submit">Show</button>
</form>
<p class="help" id="q-help">A locale nobody wrote for (e.g. <code>pt-PT</code>) is added as a row, resolved as a request for it would be.</p>
${options.unknownLocale ? html`<p class="notice error" role="alert">“${options.unknownLocale}” is not a locale.</p>` : ''}
</div>
<p>${counts.table} templates in the table, ${counts.catalogue} bundled. <strong>${counts.missingCells}</strong> of ${overview.rows.length * overview.columns.length} requests are not served in their own language.</p>
<ul class="legend" aria-label="Legend">
  <li><span class="tag k-exact-dynamodb">DynamoDB</span> operators' template</li>
  <li><span class="tag k-exact-catalogue">Catalogue</span> bundled template</li>
  <li><span class="tag k-related">pt · Catalogue</span> same language, parent locale</li>
  <li><span class="tag k-idp">⚠ IdP text</span> SMS: the IdP's text, else the default language</li>
  <li><span class="tag k-fallback">⚠ en · Catalogue</span> fallback language</li>
  <li><span class="tag k-none">✕ nothing</span> cannot be served</li>
</ul>
<div class="grid-wrap">
<table id="coverage">
<caption>Locales × channels × purposes (${rows.length} of ${overview.rows.length} locales shown)</caption>
<thead>
<tr><td></td><th scope="colgroup" colspan="4" class="channel-start">SMS</th><th scope="colgroup" colspan="4" class="channel-start">Voice</th></tr>
<tr><th scope="col">Locale</th>${overview.columns.map(
    (c, i) => html`<th scope="col"${i % 4 === 0 ? html` class="channel-start"` : ''}>${c.purpose}</th>`,
  )}</tr>
</thead>
<tbody>
${rows.map(row)}
</tbody>
</table>
</div>`;
}
