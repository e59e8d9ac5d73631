import { spokenLocale as catalogueSpokenLocale } from '../adapters/i18n/i18next-template-store';
import {
  CHANNELS,
  type Channel,
  PURPOSES,
  type Purpose,
  purposeUsesChannel,
} from '../domain/delivery-request';
import { normaliseLocale } from '../domain/locale';
import type { MessageTemplate } from '../domain/message-template';
import { type CoverageCell, coverageOf, isMissingCoverage } from '../domain/template-coverage';
import { type TextDirection, textDirection } from '../domain/text-direction';
import { draftSpokenLocale } from './template-preview';

/** One cell of the console's grid: what a request would be served, and in which language it is heard. */
export interface OverviewCell extends CoverageCell {
  /** Voice: the language the call is spoken in, when it differs from the template's. */
  readonly spokenLocale?: string;
}

export interface OverviewRow {
  readonly locale: string;
  readonly languageName: string;
  readonly direction: TextDirection;
  readonly cells: readonly OverviewCell[];
  readonly missing: number;
}

export interface TemplateOverview {
  readonly defaultLocale: string;
  readonly columns: readonly { readonly channel: Channel; readonly purpose: Purpose }[];
  readonly rows: readonly OverviewRow[];
  readonly counts: { readonly table: number; readonly catalogue: number; readonly missingCells: number };
}

const NAMES = new Intl.DisplayNames('en', { type: 'language' });

export function languageName(locale: string): string {
  try {
    return NAMES.of(locale) ?? locale;
  } catch {
    return locale;
  }
}

function heardIn(template: MessageTemplate): string {
  return template.source === 'catalogue' ? catalogueSpokenLocale(template) : draftSpokenLocale(template);
}

/**
 * Locales × channels × purposes: what each request would be served (DynamoDB, the bundled catalogue,
 * the IdP's text, the default language) by the selection the hook itself runs. Rows are every locale
 * the table or the catalogue holds, plus `extraLocales` (an operator checking a locale nobody wrote for).
 */
export function templateOverview(
  tableTemplates: readonly MessageTemplate[],
  catalogueTemplates: readonly MessageTemplate[],
  options: { readonly defaultLocale: string; readonly extraLocales?: readonly string[] },
): TemplateOverview {
  const candidates = [...tableTemplates, ...catalogueTemplates];
  const columns = CHANNELS.flatMap((channel) =>
    PURPOSES.filter((purpose) => purposeUsesChannel(purpose, channel)).map((purpose) => ({
      channel,
      purpose,
    })),
  );
  const locales = new Set<string>();
  for (const t of candidates) locales.add(t.locale);
  for (const raw of options.extraLocales ?? []) {
    const locale = normaliseLocale(raw);
    if (locale) locales.add(locale);
  }
  const rows = [...locales]
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((locale): OverviewRow => {
      const cells = columns.map(({ channel, purpose }): OverviewCell => {
        const cell = coverageOf(candidates, { locale, channel, purpose }, options.defaultLocale);
        if (channel !== 'voice' || !cell.template) return cell;
        const spoken = heardIn(cell.template);
        return spoken === cell.template.locale ? cell : { ...cell, spokenLocale: spoken };
      });
      return {
        locale,
        languageName: languageName(locale),
        direction: textDirection(locale),
        cells,
        missing: cells.filter((c) => isMissingCoverage(c.kind)).length,
      };
    });
  return {
    defaultLocale: options.defaultLocale,
    columns,
    rows,
    counts: {
      table: tableTemplates.length,
      catalogue: catalogueTemplates.length,
      missingCells: rows.reduce((sum, r) => sum + r.missing, 0),
    },
  };
}
