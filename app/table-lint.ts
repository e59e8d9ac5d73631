import type { MessageTemplate } from '../domain/message-template';
import { type LintReport, lintTemplates } from './template-lint';
import { draftSpokenLocale } from './template-preview';

/**
 * Lints the operators' table with the rules of `templates lint`. One rule needs the catalogue beside
 * it: a purpose-specific template in the table without a generic one only sends other purposes to
 * another language when the catalogue has no generic template for that locale and channel either.
 */
export function lintTableTemplates(
  table: readonly MessageTemplate[],
  catalogue: readonly MessageTemplate[],
): LintReport {
  const report = lintTemplates(
    table.map((template) => ({ template, spokenLocale: draftSpokenLocale(template) })),
  );
  const bundledGeneric = new Set(
    catalogue
      .filter((t) => t.purpose === 'generic')
      .map((t) => `${t.locale.toLowerCase()}\u0000${t.channel}`),
  );
  const problems = report.problems.filter(
    (p) => p.purpose !== '*' || !bundledGeneric.has(`${p.locale.toLowerCase()}\u0000${p.channel}`),
  );
  return { ...report, problems, summary: { ...report.summary, problems: problems.length } };
}
