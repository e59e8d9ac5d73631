import { describe, expect, it } from 'vitest';
import { ConsoleSecurity, newSessionToken, sameSecret } from '../../app/console/console-security';

const token = newSessionToken();
const security = new ConsoleSecurity(token, 8790);
const host = { host: '127.0.0.1:8790' };
const cookie = { cookie: `other=1; otp_console_8790=${token}` };

describe('ConsoleSecurity.check', () => {
  it('makes a 256-bit token and compares secrets of any length without throwing', () => {
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    expect(newSessionToken()).not.toBe(token);
    expect(sameSecret(token, token)).toBe(true);
    expect(sameSecret(token, `${token}x`)).toBe(false);
    expect(sameSecret('', token)).toBe(false);
  });

  it('opens with the token once, by a redirect that sets the cookie and drops the token', () => {
    expect(security.check('GET', `/edit?locale=fr&token=${token}`, host)).toEqual({
      kind: 'login',
      location: '/edit?locale=fr',
      setCookie: `otp_console_8790=${token}; Path=/; HttpOnly; SameSite=Strict`,
    });
    expect(security.check('GET', '/', { ...host, ...cookie })).toEqual({ kind: 'allow' });
    expect(security.check('GET', '/', { host: 'localhost:8790', ...cookie })).toEqual({ kind: 'allow' });
  });

  it.each([
    ['no credentials', 'GET', '/', host, 401],
    ['a wrong token', 'GET', '/?token=nope', host, 403],
    ['a wrong cookie', 'GET', '/', { ...host, cookie: 'otp_console_8790=nope' }, 403],
    ["another port's cookie", 'GET', '/', { ...host, cookie: `otp_console_8791=${token}` }, 401],
    ['a rebound host name', 'GET', '/', { host: 'evil.example:8790', ...cookie }, 421],
    ['no Host', 'GET', '/', { ...cookie }, 421],
    ['a foreign Origin', 'GET', '/', { ...host, ...cookie, origin: 'http://evil.example' }, 403],
    ['a null Origin', 'POST', '/save', { ...host, ...cookie, origin: 'null' }, 403],
    ['a write without Origin', 'POST', '/save', { ...host, ...cookie }, 403],
    [
      'a cross-site fetch',
      'GET',
      '/export.json',
      { ...host, ...cookie, 'sec-fetch-site': 'cross-site' },
      403,
    ],
    [
      'a write authorised by the URL token',
      'POST',
      `/save?token=${token}`,
      { ...host, origin: 'http://127.0.0.1:8790' },
      403,
    ],
  ] as const)('refuses %s', (_name, method, url, headers, status) => {
    const verdict = security.check(method, url, headers);
    expect(verdict.kind).toBe('refuse');
    expect(verdict.kind === 'refuse' && verdict.status).toBe(status);
  });

  it('allows a same-origin write; CSRF is a second, derived secret', () => {
    expect(
      security.check('POST', '/save', {
        ...host,
        ...cookie,
        origin: 'http://127.0.0.1:8790',
        'sec-fetch-site': 'same-origin',
      }),
    ).toEqual({ kind: 'allow' });
    expect(security.csrfToken).not.toBe(token);
    expect(security.csrfValid(security.csrfToken)).toBe(true);
    expect(security.csrfValid(undefined)).toBe(false);
    expect(security.csrfValid(token)).toBe(false);
    expect(new ConsoleSecurity(newSessionToken(), 8790).csrfToken).not.toBe(security.csrfToken);
  });
});
