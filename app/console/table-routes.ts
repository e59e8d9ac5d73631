import { normaliseLocale } from '../../domain/locale';
import { lintTableTemplates } from '../table-lint';
import { type LintReport, lintBundledCatalogue } from '../template-lint';
import { templateOverview } from '../template-overview';
import { exportTemplates } from '../template-transfer';
import { type ConsoleOptions, postedForm, type Route, send, sendPage } from './console-http';
import { checkImport, loadTemplates, runImport, runSeed } from './console-service';
import { gridPage } from './pages/grid-page';
import { lintPage } from './pages/lint-page';
import { transferPage } from './pages/transfer-page';

const IMPORT_LIMIT = 4 * 1024 * 1024;

/** The whole table: the coverage grid, lint, export, import and seed. */
export function tableRoutes(options: ConsoleOptions): Record<string, Route> {
  const log = options.log ?? (() => {});
  let catalogueLint: LintReport | undefined;
  return {
    'GET /': async (ctx) => {
      const table = await options.tables.current();
      const templates = await loadTemplates(table);
      const q = (ctx.url.searchParams.get('q') ?? '').slice(0, 64).trim();
      // A query shaped like a locale ("pt-PT", "EN_us", "cy") adds its row, resolved as a request would be;
      // any other text ("Welsh") only filters the rows by language name.
      const locale = /[-_]|^[a-z]{2,3}$/i.test(q) ? normaliseLocale(q) : undefined;
      const overview = templateOverview(templates.table, templates.catalogue, {
        defaultLocale: options.defaultLocale,
        extraLocales: locale ? [locale] : [],
      });
      const shownQuery = locale ?? q;
      await sendPage(
        options,
        ctx,
        'Coverage',
        'coverage',
        gridPage(overview, { query: shownQuery, gapsOnly: ctx.url.searchParams.get('gaps') === '1' }),
      );
    },
    'GET /lint': async (ctx) => {
      const templates = await loadTemplates(await options.tables.current());
      // The catalogue never changes while the console runs.
      catalogueLint ??= lintBundledCatalogue();
      await sendPage(
        options,
        ctx,
        'Lint',
        'lint',
        lintPage(catalogueLint, lintTableTemplates(templates.table, templates.catalogue)),
      );
    },
    'GET /transfer': async (ctx) => {
      const table = await options.tables.current();
      await sendPage(
        options,
        ctx,
        'Export & import',
        'transfer',
        transferPage({ csrf: ctx.security.csrfToken, table: table.description, deployed: options.deployed }),
      );
    },
    'GET /export.json': async (ctx) => {
      const table = await options.tables.current();
      const file = `${JSON.stringify(await exportTemplates(table.store), null, 2)}\n`;
      send(ctx.response, 200, 'application/json; charset=utf-8', file, {
        'content-disposition': 'attachment; filename="templates.json"',
      });
    },
    'POST /import': async (ctx) => {
      const form = await postedForm(ctx, IMPORT_LIMIT);
      const table = await options.tables.current();
      const fileText = form.file ?? '';
      let json: unknown;
      try {
        json = JSON.parse(fileText);
      } catch {
        const view = {
          csrf: ctx.security.csrfToken,
          table: table.description,
          deployed: options.deployed,
          fileText,
        };
        return sendPage(
          options,
          ctx,
          'Export & import',
          'transfer',
          transferPage({ ...view, check: { kind: 'invalid', problems: ['the file is not JSON'] } }),
          422,
        );
      }
      const base = {
        csrf: ctx.security.csrfToken,
        table: table.description,
        deployed: options.deployed,
        fileText,
      };
      if (form.action === 'import') {
        const result = await runImport(table, json, options.operator);
        if (result.kind === 'imported') {
          log(`imported ${result.written} templates into ${table.description}`);
          return sendPage(
            options,
            ctx,
            'Export & import',
            'transfer',
            transferPage({
              ...base,
              fileText: '',
              notice: {
                kind: 'ok',
                text: `Imported ${result.written} template(s) into ${table.description}.`,
              },
            }),
          );
        }
        return sendPage(
          options,
          ctx,
          'Export & import',
          'transfer',
          transferPage({ ...base, check: result, notice: { kind: 'error', text: 'Nothing was imported.' } }),
          422,
        );
      }
      const check = await checkImport(table, json);
      await sendPage(
        options,
        ctx,
        'Export & import',
        'transfer',
        transferPage({ ...base, check }),
        check.kind === 'valid' ? 200 : 422,
      );
    },
    'POST /seed': async (ctx) => {
      const form = await postedForm(ctx);
      const table = await options.tables.current();
      const result = await runSeed(table, form.overwrite === '1');
      log(`seeded ${table.description}: ${result.written} written, ${result.skipped} kept`);
      await sendPage(
        options,
        ctx,
        'Export & import',
        'transfer',
        transferPage({
          csrf: ctx.security.csrfToken,
          table: table.description,
          deployed: options.deployed,
          notice: {
            kind: 'ok',
            text: `Seeded ${table.description}: ${result.written} written, ${result.skipped} kept as they were.`,
          },
        }),
      );
    },
  };
}
