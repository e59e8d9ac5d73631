import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TemplateKey } from '../template-fields';
import { parseTemplateKey } from '../template-fields';
import { MAX_CODE_DIGITS, MIN_CODE_DIGITS, type PreviewSample } from '../template-preview';
import type { ConsoleAssets } from './console-assets';
import { type ConsoleSecurity, SECURITY_HEADERS } from './console-security';
import type { TableSource } from './console-table';
import type { SafeHtml } from './html';
import { layout, type Section } from './pages/layout';
import { readForm } from './request-body';

/** What the console is started with (see start.ts), shared by its routes. */
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

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** One request that passed the security checks. */
export interface Context {
  readonly request: IncomingMessage;
  readonly response: ServerResponse;
  readonly url: URL;
  readonly security: ConsoleSecurity;
}

export type Route = (ctx: Context) => Promise<void>;

export function send(
  response: ServerResponse,
  status: number,
  type: string,
  body: string | Buffer,
  extra: Record<string, string> = {},
) {
  response.writeHead(status, { ...SECURITY_HEADERS, 'content-type': type, ...extra });
  response.end(body);
}

export function redirect(response: ServerResponse, location: string, extra: Record<string, string> = {}) {
  response.writeHead(303, { ...SECURITY_HEADERS, location, ...extra });
  response.end();
}

const FORM_LIMIT = 256 * 1024;

/** A write's form, once its CSRF token (header or field) checks out. */
export async function postedForm(ctx: Context, limit = FORM_LIMIT): Promise<Record<string, string>> {
  const form = await readForm(ctx.request, limit);
  const header = ctx.request.headers['x-csrf-token'];
  const offered = (Array.isArray(header) ? header[0] : header) ?? form.csrf;
  if (!ctx.security.csrfValid(offered)) {
    throw new HttpError(403, 'this form is stale or was not served by the console: reload the page');
  }
  return form;
}

/** A whole page in the console's layout, naming the table it writes to. */
export async function sendPage(
  options: ConsoleOptions,
  ctx: Context,
  title: string,
  section: Section | undefined,
  body: SafeHtml,
  status = 200,
): Promise<void> {
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
}

/** The preview's sample values from a form, within bounds; defaults for what is missing. */
export function sampleFrom(form: Readonly<Record<string, string>>, brand: string): PreviewSample {
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

/** The template a request names (query or form), or 400. */
export function keyFrom(source: URLSearchParams | Readonly<Record<string, string>>): TemplateKey {
  const values = source instanceof URLSearchParams ? Object.fromEntries(source) : source;
  const key = parseTemplateKey({ locale: values.locale, channel: values.channel, purpose: values.purpose });
  if (!key) throw new HttpError(400, 'say which template: locale, channel (sms or voice) and purpose');
  return key;
}
