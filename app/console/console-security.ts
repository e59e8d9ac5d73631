import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/**
 * Who may use the console: whoever holds the token printed at start, from a page the console served
 * itself. Another web page in the same browser must not be able to drive it, so every request is checked:
 *   Host     one of the console's own loopback names (a DNS-rebinding page sends its own host name);
 *   Origin   absent or the console's own, and required on writes (no CORS: nothing else is allowed);
 *   Sec-Fetch-Site   "same-origin" or "none" when the browser sends it;
 *   token    in the URL once, then an HttpOnly, SameSite=Strict cookie; 401 without, 403 when wrong;
 *   CSRF     writes carry a second secret, derived from the token, that only the console's pages hold.
 */
export type Verdict =
  | { readonly kind: 'allow' }
  | { readonly kind: 'refuse'; readonly status: 401 | 403 | 421; readonly reason: string }
  | { readonly kind: 'login'; readonly location: string; readonly setCookie: string };

const SAFE_METHODS = new Set(['GET', 'HEAD']);

export function newSessionToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Equal-time comparison of two secrets of any length (hashed first so lengths match). */
export function sameSecret(a: string, b: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(a), digest(b)) && a.length === b.length;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function cookies(headers: IncomingHttpHeaders): Map<string, string> {
  const found = new Map<string, string>();
  for (const part of (header(headers, 'cookie') ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) found.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return found;
}

export class ConsoleSecurity {
  readonly csrfToken: string;

  constructor(
    private readonly token: string,
    readonly port: number,
  ) {
    this.csrfToken = createHmac('sha256', token).update('otp-courier console csrf').digest('base64url');
  }

  /** Cookies ignore ports: one name per port keeps two consoles (or another local app) apart. */
  get cookieName(): string {
    return `otp_console_${this.port}`;
  }

  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The address to open: printed once at start. */
  loginUrl(path = '/'): string {
    return `${this.origin}${path}?token=${this.token}`;
  }

  private allowedHosts(): string[] {
    return [`127.0.0.1:${this.port}`, `localhost:${this.port}`];
  }

  check(method: string, rawUrl: string, headers: IncomingHttpHeaders): Verdict {
    const host = header(headers, 'host') ?? '';
    if (!this.allowedHosts().includes(host.toLowerCase())) {
      return { kind: 'refuse', status: 421, reason: `this console answers only to ${this.origin}` };
    }
    const site = header(headers, 'sec-fetch-site');
    if (site !== undefined && site !== 'same-origin' && site !== 'none') {
      return { kind: 'refuse', status: 403, reason: 'requests from other sites are refused' };
    }
    const origin = header(headers, 'origin');
    if (origin !== undefined && origin !== `http://${host.toLowerCase()}`) {
      return { kind: 'refuse', status: 403, reason: 'requests from other origins are refused' };
    }
    if (!SAFE_METHODS.has(method) && origin === undefined) {
      return { kind: 'refuse', status: 403, reason: 'a change must come from the console page (no Origin)' };
    }

    const url = new URL(rawUrl, this.origin);
    const offered = url.searchParams.get('token');
    if (offered !== null) {
      if (!sameSecret(offered, this.token)) return { kind: 'refuse', status: 403, reason: 'wrong token' };
      if (!SAFE_METHODS.has(method)) {
        return {
          kind: 'refuse',
          status: 403,
          reason: 'the token opens the console; it does not authorise a change',
        };
      }
      // Swap the token for a cookie and take it out of the address bar, history and any copied link.
      url.searchParams.delete('token');
      return {
        kind: 'login',
        location: `${url.pathname}${url.search}`,
        setCookie: `${this.cookieName}=${this.token}; Path=/; HttpOnly; SameSite=Strict`,
      };
    }
    const cookie = cookies(headers).get(this.cookieName);
    if (cookie === undefined) {
      return {
        kind: 'refuse',
        status: 401,
        reason: 'open the address npm run console printed (it carries the token)',
      };
    }
    if (!sameSecret(cookie, this.token)) return { kind: 'refuse', status: 403, reason: 'wrong session' };
    return { kind: 'allow' };
  }

  /** A write's second secret, from the X-CSRF-Token header or the form's `csrf` field. */
  csrfValid(offered: string | undefined): boolean {
    return typeof offered === 'string' && sameSecret(offered, this.csrfToken);
  }
}

/** Headers on every answer: no framing, no sniffing, no referrer to other sites, no caching, scripts only from the console. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  // Not no-referrer: with it, Chromium sends "Origin: null" on the console's own form posts.
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};
