import { html, type SafeHtml } from '../html';

export type Section = 'coverage' | 'lint' | 'transfer';

export interface LayoutOptions {
  readonly title: string;
  readonly section?: Section;
  /** Which table the console writes to, always in view: a deployed table is flagged. */
  readonly table: { readonly description: string; readonly deployed: boolean };
  readonly csrf: string;
  readonly body: SafeHtml;
}

const NAV: readonly { readonly section: Section; readonly href: string; readonly label: string }[] = [
  { section: 'coverage', href: '/', label: 'Coverage' },
  { section: 'lint', href: '/lint', label: 'Lint' },
  { section: 'transfer', href: '/transfer', label: 'Export & import' },
];

export function layout(options: LayoutOptions): string {
  return `<!doctype html>\n${
    html`<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="csrf-token" content="${options.csrf}">
<title>${options.title} · otp-courier templates</title>
<link rel="stylesheet" href="/assets/console.css">
<script src="/assets/console.js" defer></script>
</head>
<body>
<a class="skip-link" href="#main">Skip to content</a>
<header class="top">
  <span class="brand">otp-courier · templates</span>
  <nav class="top-nav" aria-label="Sections"><ul>
    ${NAV.map(
      (n) =>
        html`<li><a href="${n.href}"${n.section === options.section ? html` aria-current="page"` : ''}>${n.label}</a></li>`,
    )}
  </ul></nav>
  <span class="table">${options.table.deployed ? html`<span class="badge-aws">DEPLOYED</span>` : ''}${options.table.description}</span>
</header>
<main id="main" tabindex="-1">
${options.body}
</main>
</body>
</html>`.value
  }\n`;
}

/** A page for a refused or failed request: says what to do, never echoes the request. */
export function messagePage(title: string, message: string): string {
  return `<!doctype html>\n${
    html`<html lang="en"><head><meta charset="utf-8"><title>${title}</title>
</head>
<body><main id="main"><h1>${title}</h1><p>${message}</p></main></body></html>`.value
  }\n`;
}
