import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { normaliseLocale } from '../../domain/locale';
import { NoLocalStackError } from '../cli/template-table';
import { lintTableTemplates } from '../table-lint';
import { type DraftItem, draftFromForm, parseTemplateKey, type TemplateKey } from '../template-fields';
import { type LintReport, lintBundledCatalogue } from '../template-lint';
import { templateOverview } from '../template-overview';
import { MAX_CODE_DIGITS, MIN_CODE_DIGITS, type PreviewSample, previewTemplate } from '../template-preview';
import { exportTemplates } from '../template-transfer';
import type { ConsoleAssets } from './console-assets';
import { ConsoleSecurity, newSessionToken, SECURITY_HEADERS } from './console-security';
import {
  type Baseline,
  baselineFor,
  checkImport,
  diffAgainst,
  loadTemplates,
  runImport,
  runSeed,
  saveTemplate,
  servedNow,
  type Templates,
} from './console-service';
import type { TableSource } from './console-table';
import type { SafeHtml } from './html';
import { editorPage, keyQuery, type Notice } from './pages/editor-page';
import { gridPage } from './pages/grid-page';
import { layout, messagePage, type Section } from './pages/layout';
import { lintPage } from './pages/lint-page';
import { previewFragment, problemsFragment } from './pages/preview-fragment';
import { reviewPage } from './pages/review-page';
import { transferPage } from './pages/transfer-page';
import { RequestBodyError, readForm } from './request-body';

export interface ConsoleOptions {
  readonly tables: TableSource;
  readonly assets: ConsoleAssets;
  readonly defaultLocale: string;
  /** The brand the hook renders ({{brand}}), the preview's default. */
  readonly brand: string;
  /** True when the table is the deployed one in AWS: the header says so on every page. */
  readonly deployed: boolean;
  /** Written as `updatedBy` on every save and import. */
  readonly operator: string;
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  /** For tests; a fresh random token otherwise. */
  readonly token?: string;
  /** One line per write (save, import, seed); never template text. */
  readonly log?: (line: string) => void;
}

export interface RunningConsole {
  /** Open this: it carries the session token. */
  readonly loginUrl: string;
  readonly origin: string;
  readonly port: number;
  readonly csrfToken: string;
  close(): Promise<void>;
}

const FORM_LIMIT = 256 * 1024;
const IMPORT_LIMIT = 4 * 1024 * 1024;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

interface Context {
  readonly request: IncomingMessage;
  readonly response: ServerResponse;
  readonly url: URL;
  readonly security: ConsoleSecurity;
}

function send(
  response: ServerResponse,
  status: number,
  type: string,
  body: string | Buffer,
  extra: Record<string, string> = {},
) {
  response.writeHead(status, { ...SECURITY_HEADERS, 'content-type': type, ...extra });
  response.end(body);
}

function redirect(response: ServerResponse, location: string, extra: Record<string, string> = {}) {
  response.writeHead(303, { ...SECURITY_HEADERS, location, ...extra });
  response.end();
}

function sampleFrom(form: Readonly<Record<string, string>>, brand: string): PreviewSample {
  const whole = (raw: string | undefined, fallback: number, min: number, max: number) => {
    const n = Number(raw);
    return Number.isInteger(n) && n >= min && n <= max ? n : fallback;
  };
  const firstName = form['sample.firstName'];
  return {
    brand: (form['sample.brand'] ?? brand).slice(0, 20) || brand,
    firstName: firstName === undefined ? 'Alex' : firstName.slice(0, 40),
    minutes: whole(form['sample.minutes'], 5, 1, 1440),
    codeDigits: whole(form['sample.codeDigits'], 6, MIN_CODE_DIGITS, MAX_CODE_DIGITS),
  };
}

function keyFrom(
  source: { get(name: string): string | null | undefined } | Record<string, string>,
): TemplateKey {
  const get = (name: string) =>
    typeof (source as { get?: unknown }).get === 'function'
      ? (source as { get(n: string): string | null }).get(name)
      : (source as Record<string, string>)[name];
  const key = parseTemplateKey({ locale: get('locale'), channel: get('channel'), purpose: get('purpose') });
  if (!key) throw new HttpError(400, 'say which template: locale, channel (sms or voice) and purpose');
  return key;
}

/** Someone saved the key after this editor opened: the review compares with their version, and says so. */
function movedOn(baseline: Baseline, editorVersion: string | undefined): Notice | undefined {
  if (editorVersion === undefined || Number(editorVersion) === baseline.version) return undefined;
  const by = baseline.stored?.updatedBy ? ` by ${baseline.stored.updatedBy}` : '';
  return {
    kind: 'warn',
    text: `Version ${baseline.version} was saved${by} after you opened the editor: the changes below are against it.`,
  };
}

/** Starts the console on 127.0.0.1 only. */
export async function startConsole(options: ConsoleOptions): Promise<RunningConsole> {
  const token = options.token ?? newSessionToken();
  let security: ConsoleSecurity | undefined;
  const log = options.log ?? (() => {});
  let catalogueLint: LintReport | undefined;

  const page = async (
    ctx: Context,
    title: string,
    section: Section | undefined,
    body: SafeHtml,
    status = 200,
  ) => {
    const table = await options.tables.current();
    send(
      ctx.response,
      status,
      'text/html; charset=utf-8',
      layout({
        title,
        ...(section ? { section } : {}),
        table: { description: table.description, deployed: options.deployed },
        csrf: ctx.security.csrfToken,
        body,
      }),
    );
  };

  const editorView = (
    templates: Templates,
    key: TemplateKey,
    draft: DraftItem,
    sample: PreviewSample,
    notice?: Notice,
  ) => {
    const baseline = baselineFor(templates, key, options.defaultLocale);
    return {
      key,
      draft,
      baseline,
      preview: previewTemplate(draft, sample),
      served: servedNow(templates, key, options.defaultLocale),
      sample,
      stored: new Set(
        templates.table
          .filter((t) => t.locale === key.locale && t.channel === key.channel)
          .map((t) => t.purpose as string),
      ),
      ...(notice ? { notice } : {}),
    };
  };

  const requireCsrf = (ctx: Context, form: Readonly<Record<string, string>>) => {
    const header = ctx.request.headers['x-csrf-token'];
    const offered = (Array.isArray(header) ? header[0] : header) ?? form.csrf;
    if (!ctx.security.csrfValid(offered))
      throw new HttpError(403, 'this form is stale or was not served by the console: reload the page');
  };

  const postForm = async (ctx: Context, limit = FORM_LIMIT) => {
    const form = await readForm(ctx.request, limit);
    requireCsrf(ctx, form);
    return form;
  };

  const routes: Record<string, (ctx: Context) => Promise<void>> = {
    'GET /': async (ctx) => {
      const table = await options.tables.current();
      const templates = await loadTemplates(table);
      const q = ctx.url.searchParams.get('q')?.slice(0, 64) ?? '';
      const asLocale = q.trim() === '' ? undefined : normaliseLocale(q);
      // A query that is a locale adds its row; one that is not may still be a language name to filter by.
      const overview = templateOverview(templates.table, templates.catalogue, {
        defaultLocale: options.defaultLocale,
        extraLocales: asLocale && /[-_]|^[a-z]{2,3}$/i.test(q.trim()) ? [asLocale] : [],
      });
      const shownQuery = asLocale && /[-_]|^[a-z]{2,3}$/i.test(q.trim()) ? asLocale : q;
      await page(
        ctx,
        'Coverage',
        'coverage',
        gridPage(overview, { query: shownQuery, gapsOnly: ctx.url.searchParams.get('gaps') === '1' }),
      );
    },

    'GET /edit': async (ctx) => {
      const key = keyFrom(ctx.url.searchParams);
      const templates = await loadTemplates(await options.tables.current());
      const baseline = baselineFor(templates, key, options.defaultLocale);
      const saved = ctx.url.searchParams.get('saved');
      const notice: Notice | undefined = saved
        ? {
            kind: 'ok',
            text: `Saved version ${saved}. The hook serves it once its template cache expires (TEMPLATE_CACHE_TTL_SECONDS, 300 s unless set).`,
          }
        : undefined;
      const view = editorView(templates, key, baseline.draft, sampleFrom({}, options.brand), notice);
      await page(
        ctx,
        `Edit ${key.locale}/${key.channel}/${key.purpose}`,
        undefined,
        editorPage({ ...view, csrf: ctx.security.csrfToken }),
      );
    },

    'POST /edit': async (ctx) => {
      const form = await postForm(ctx);
      const key = keyFrom(form);
      const draft = draftFromForm(key, form);
      const sample = sampleFrom(form, options.brand);
      const table = await options.tables.current();
      const templates = await loadTemplates(table);
      const view = editorView(templates, key, draft, sample);
      const title = `${key.locale}/${key.channel}/${key.purpose}`;
      if (form.action === 'review') {
        await page(
          ctx,
          `Review ${title}`,
          undefined,
          reviewPage({
            ...view,
            diff: diffAgainst(view.baseline.compareWith, draft),
            csrf: ctx.security.csrfToken,
            table: table.description,
            ...(movedOn(view.baseline, form.baseVersion)
              ? { notice: movedOn(view.baseline, form.baseVersion) }
              : {}),
          }),
        );
      } else {
        // Keep the version the editor started from, so a save still detects a concurrent edit.
        const baseVersion = Number(form.baseVersion);
        const baseline = Number.isInteger(baseVersion)
          ? { ...view.baseline, version: baseVersion }
          : view.baseline;
        await page(
          ctx,
          `Edit ${title}`,
          undefined,
          editorPage({ ...view, baseline, csrf: ctx.security.csrfToken }),
        );
      }
    },

    'POST /api/preview': async (ctx) => {
      const form = await postForm(ctx);
      const key = keyFrom(form);
      const preview = previewTemplate(draftFromForm(key, form), sampleFrom(form, options.brand));
      const facts = preview.sms
        ? `${preview.sms.encoding}, ${preview.sms.segments} segment(s)`
        : `voice ${preview.voice?.voiceId ?? 'none'}`;
      const problems = preview.saveProblems.length + preview.lintProblems.length;
      send(
        ctx.response,
        200,
        'application/json; charset=utf-8',
        JSON.stringify({
          preview: previewFragment(preview).value,
          problems: problemsFragment(preview).value,
          status: `${facts}; ${problems === 0 ? 'no problems' : `${problems} problem(s)`}`,
          invalid: preview.saveProblems.length > 0,
        }),
      );
    },

    'POST /save': async (ctx) => {
      const form = await postForm(ctx);
      const key = keyFrom(form);
      const draft = draftFromForm(key, form);
      const sample = sampleFrom(form, options.brand);
      const baseVersion = Number(form.baseVersion);
      if (!Number.isInteger(baseVersion) || baseVersion < 0) throw new HttpError(400, 'baseVersion missing');
      const table = await options.tables.current();
      const result = await saveTemplate(table, draft, baseVersion, options.operator);
      if (result.kind === 'saved') {
        log(
          `saved ${key.locale}/${key.channel}/${key.purpose} version ${result.version} to ${table.description}`,
        );
        return redirect(ctx.response, `/edit?${keyQuery(key)}&saved=${result.version}`);
      }
      const templates = await loadTemplates(table);
      const view = editorView(templates, key, draft, sample);
      const notice: Notice =
        result.kind === 'invalid'
          ? {
              kind: 'error',
              text: 'Not saved: the template is invalid (see the checks). Nothing was written.',
            }
          : {
              kind: 'warn',
              text: `Not saved: ${result.current ? `version ${result.current.version} was saved${result.current.updatedBy ? ` by ${result.current.updatedBy}` : ''}${result.current.updatedAt ? ` at ${result.current.updatedAt}` : ''}` : 'the template was removed'} since you opened it. Here is your text against it; save again to replace it.`,
            };
      await page(
        ctx,
        `Review ${key.locale}/${key.channel}/${key.purpose}`,
        undefined,
        reviewPage({
          ...view,
          diff: diffAgainst(view.baseline.compareWith, draft),
          csrf: ctx.security.csrfToken,
          table: table.description,
          notice,
        }),
        result.kind === 'invalid' ? 422 : 409,
      );
    },

    'GET /lint': async (ctx) => {
      const templates = await loadTemplates(await options.tables.current());
      // The catalogue never changes while the console runs.
      catalogueLint ??= lintBundledCatalogue();
      await page(
        ctx,
        'Lint',
        'lint',
        lintPage(catalogueLint, lintTableTemplates(templates.table, templates.catalogue)),
      );
    },

    'GET /transfer': async (ctx) => {
      const table = await options.tables.current();
      await page(
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
      const form = await postForm(ctx, IMPORT_LIMIT);
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
        return page(
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
          return page(
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
        return page(
          ctx,
          'Export & import',
          'transfer',
          transferPage({ ...base, check: result, notice: { kind: 'error', text: 'Nothing was imported.' } }),
          422,
        );
      }
      const check = await checkImport(table, json);
      await page(
        ctx,
        'Export & import',
        'transfer',
        transferPage({ ...base, check }),
        check.kind === 'valid' ? 200 : 422,
      );
    },

    'POST /seed': async (ctx) => {
      const form = await postForm(ctx);
      const table = await options.tables.current();
      const result = await runSeed(table, form.overwrite === '1');
      log(`seeded ${table.description}: ${result.written} written, ${result.skipped} kept`);
      await page(
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

    // Browsers ask for it on every page; an empty answer keeps the console's log free of 404s.
    'GET /favicon.ico': async (ctx) => {
      ctx.response.writeHead(204, SECURITY_HEADERS);
      ctx.response.end();
    },
    'GET /assets/console.js': async (ctx) =>
      send(ctx.response, 200, 'text/javascript; charset=utf-8', options.assets.script),
    'GET /assets/console.css': async (ctx) =>
      send(ctx.response, 200, 'text/css; charset=utf-8', options.assets.stylesheet),
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    if (!security) throw new Error('console not listening');
    const method = request.method === 'HEAD' ? 'GET' : (request.method ?? 'GET');
    const verdict = security.check(request.method ?? 'GET', request.url ?? '/', request.headers);
    if (verdict.kind === 'refuse') {
      request.resume();
      return send(
        response,
        verdict.status,
        'text/html; charset=utf-8',
        messagePage('Not allowed', verdict.reason),
      );
    }
    if (verdict.kind === 'login')
      return redirect(response, verdict.location, { 'set-cookie': verdict.setCookie });
    const url = new URL(request.url ?? '/', security.origin);
    const route = routes[`${method} ${url.pathname}`];
    if (!route) {
      request.resume();
      const exists = Object.keys(routes).some((r) => r.endsWith(` ${url.pathname}`));
      return send(
        response,
        exists ? 405 : 404,
        'text/html; charset=utf-8',
        messagePage(
          exists ? 'Method not allowed' : 'Not found',
          exists ? 'This address does not take that method.' : 'No such page.',
        ),
      );
    }
    await route({ request, response, url, security });
  };

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      const known =
        error instanceof HttpError || error instanceof RequestBodyError
          ? { status: error.status, text: error.message }
          : error instanceof NoLocalStackError
            ? { status: 503, text: error.message }
            : undefined;
      if (!known)
        process.stderr.write(
          `console: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`,
        );
      if (response.headersSent) return void response.destroy();
      request.resume();
      send(
        response,
        known?.status ?? 500,
        'text/html; charset=utf-8',
        messagePage(
          known ? 'Cannot do that' : 'Something went wrong',
          known?.text ??
            `The console failed (${error instanceof Error ? error.name : 'error'}); the terminal running it says more.`,
        ),
      );
    });
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // Loopback only, whatever the environment says: the console has no other authentication.
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  security = new ConsoleSecurity(token, port);
  return {
    loginUrl: security.loginUrl(),
    origin: security.origin,
    port,
    csrfToken: security.csrfToken,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await options.tables.close();
    },
  };
}
