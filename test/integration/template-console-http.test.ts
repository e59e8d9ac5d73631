import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbTemplateStore } from '../../adapters/dynamodb/dynamodb-template-store';
import { ensureTemplateTable } from '../../adapters/dynamodb/template-table';
import { bundledTemplates } from '../../adapters/i18n/i18next-template-store';
import { loadConsoleAssets } from '../../app/console/console-assets';
import { type RunningConsole, startConsole } from '../../app/console/console-server';
import { fixedTable } from '../../app/console/console-table';
import { exportTemplates } from '../../app/template-transfer';
import type { MessageTemplate } from '../../domain/message-template';
import { startTestDynamo, type TestDynamo } from '../support/dynalite';
import { RecordingLogger } from '../support/recording-logger';

/**
 * The console over real HTTP, as a browser or an attacker's page would reach it: the session token,
 * Host and Origin checks (DNS rebinding, cross-origin pages), CSRF on writes, escaping of template
 * text, and saves that validate exactly as `templates import` does.
 */
const TOKEN = 'test-token-0123456789abcdefghijklmnopqrstuvwxyz';

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

let dynamo: TestDynamo;
let store: DynamoDbTemplateStore;
let tableNumber = 0;
let running: RunningConsole;
let current: { store: DynamoDbTemplateStore; description: string; close: () => Promise<void> };
let cookie: string;

function send(
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port: running.port,
        method,
        path,
        headers: { host: `127.0.0.1:${running.port}`, ...options.headers },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** A request as the console's own page makes it: cookie, same Origin, CSRF token in the form. */
function post(path: string, form: Record<string, string>, headers: Record<string, string> = {}) {
  return send('POST', path, {
    headers: {
      cookie,
      origin: running.origin,
      'content-type': 'application/x-www-form-urlencoded',
      ...headers,
    },
    body: new URLSearchParams({ csrf: running.csrfToken, ...form }).toString(),
  });
}

const get = (path: string, headers: Record<string, string> = {}) =>
  send('GET', path, { headers: { cookie, ...headers } });

const key = { locale: 'fr', channel: 'sms', purpose: 'generic' } as const;
const stored = async (
  locale: string,
  channel: MessageTemplate['channel'],
  purpose: MessageTemplate['purpose'],
) =>
  (await store.listAllTemplates()).find(
    (t) => t.locale === locale && t.channel === channel && t.purpose === purpose,
  );

beforeAll(async () => {
  dynamo = await startTestDynamo();
  current = {
    get store() {
      return store;
    },
    description: 'test table',
    close: async () => {},
  };
  running = await startConsole({
    tables: fixedTable(current as never),
    assets: await loadConsoleAssets(),
    defaultLocale: 'en',
    brand: 'Acme',
    deployed: false,
    operator: 'tester (console)',
    token: TOKEN,
  });
  cookie = `otp_console_${running.port}=${TOKEN}`;
});

afterAll(async () => {
  await running.close();
  await dynamo.close();
});

beforeEach(async () => {
  const name = `console-${++tableNumber}`;
  await ensureTemplateTable(dynamo.client, name);
  store = new DynamoDbTemplateStore(dynamo.client, { tableName: name }, new RecordingLogger());
  await store.putTemplates(bundledTemplates().filter((t) => ['en', 'fr', 'ar'].includes(t.locale)));
});

describe('who may use the console', () => {
  it('listens on loopback only', () => {
    expect(running.origin).toBe(`http://127.0.0.1:${running.port}`);
  });

  it('answers 401 without a token and 403 with a wrong one, in the URL or the cookie', async () => {
    expect((await send('GET', '/')).status).toBe(401);
    expect((await send('GET', '/?token=wrong')).status).toBe(403);
    expect(
      (await send('GET', '/', { headers: { cookie: `otp_console_${running.port}=wrong` } })).status,
    ).toBe(403);
    expect((await send('GET', '/assets/console.js')).status).toBe(401);
  });

  it('swaps the token in the URL for an HttpOnly SameSite=Strict cookie and drops it from the address', async () => {
    const answer = await send('GET', `/edit?locale=fr&channel=sms&purpose=generic&token=${TOKEN}`);
    expect(answer.status).toBe(303);
    expect(answer.headers.location).toBe('/edit?locale=fr&channel=sms&purpose=generic');
    const setCookie = String(answer.headers['set-cookie']);
    expect(setCookie).toContain(`otp_console_${running.port}=${TOKEN}`);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect((await get('/')).status).toBe(200);
  });

  it('refuses another Host name (DNS rebinding) even with the right cookie', async () => {
    const answer = await get('/', { host: `attacker.example:${running.port}` });
    expect(answer.status).toBe(421);
    expect((await get('/', { host: '127.0.0.1:1' })).status).toBe(421);
    expect((await get('/', { host: `localhost:${running.port}` })).status).toBe(200);
  });

  it('refuses requests from other origins and sites, reads as well as writes', async () => {
    expect((await get('/export.json', { origin: 'http://evil.example' })).status).toBe(403);
    expect((await get('/export.json', { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    // Another port on the same host is the same site but not the same origin.
    expect((await get('/', { 'sec-fetch-site': 'same-site' })).status).toBe(403);
    const before = await store.listAllTemplates();
    const foreign = await post(
      '/save',
      { ...key, baseVersion: '1', 'field.body': 'Pwned {{code}}' },
      { origin: 'http://127.0.0.1:3000' },
    );
    expect(foreign.status).toBe(403);
    expect(await store.listAllTemplates()).toEqual(before);
  });

  it('refuses a write without an Origin, without the CSRF token, or as a form type a page could forge', async () => {
    const before = await store.listAllTemplates();
    const form = new URLSearchParams({
      ...key,
      baseVersion: '1',
      'field.body': 'Pwned {{code}}',
      csrf: running.csrfToken,
    }).toString();
    const noOrigin = await send('POST', '/save', {
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: form,
    });
    expect(noOrigin.status).toBe(403);
    const noCsrf = await post('/save', {
      ...key,
      baseVersion: '1',
      'field.body': 'Pwned {{code}}',
      csrf: '',
    });
    expect(noCsrf.status).toBe(403);
    const textPlain = await send('POST', '/save', {
      headers: { cookie, origin: running.origin, 'content-type': 'text/plain' },
      body: form,
    });
    expect(textPlain.status).toBe(415);
    // The token opens the console; it never authorises a change by itself.
    const tokenOnly = await send('POST', `/save?token=${TOKEN}`, {
      headers: { origin: running.origin, 'content-type': 'application/x-www-form-urlencoded' },
      body: form,
    });
    expect(tokenOnly.status).toBe(403);
    expect(await store.listAllTemplates()).toEqual(before);
  });

  it('sends no CORS headers and answers no preflight', async () => {
    const preflight = await send('OPTIONS', '/save', {
      headers: { cookie, origin: 'http://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(403);
    const page = await get('/');
    for (const answer of [preflight, page]) {
      expect(Object.keys(answer.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
    }
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(page.headers['x-frame-options']).toBe('DENY');
  });
});

describe('template text is escaped in every page', () => {
  const payload = '"><script>alert(1)</script><img src=x onerror=alert(2)> {{code}}';

  it('in the editor, its live preview, the review diff, the grid and lint', async () => {
    await store.putTemplates([{ ...key, body: payload, source: 'dynamodb' }]);
    const pages = [
      await get('/edit?locale=fr&channel=sms&purpose=generic'),
      await post('/edit', { ...key, baseVersion: '1', 'field.body': `${payload}!`, action: 'review' }),
      await post('/api/preview', { ...key, 'field.body': payload }, { 'x-csrf-token': running.csrfToken }),
      await get('/lint'),
      await get('/?q=fr'),
    ];
    for (const answer of pages) {
      expect(answer.status).toBe(200);
      expect(answer.body).not.toContain('<script>alert');
      expect(answer.body).not.toContain('<img src=x');
    }
    expect(pages[0]?.body).toContain(
      '&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;',
    );
    expect(JSON.parse(pages[2]?.body ?? '{}').preview).toContain('&lt;img src=x');
  });

  it('in an import check of a hostile file', async () => {
    const file = {
      version: 1,
      templates: [
        { ...key, body: payload, version: 3 },
        { locale: '<b>x</b>', channel: 'sms', purpose: 'generic', body: 'x' },
      ],
    };
    const answer = await post('/import', { action: 'check', file: JSON.stringify(file) });
    expect(answer.status).toBe(422);
    expect(answer.body).toContain('&lt;b&gt;x&lt;/b&gt;');
    expect(answer.body).not.toContain('<b>x</b>');
    expect(answer.body).not.toContain('<script>alert');
  });
});

describe('saving validates exactly as import does', () => {
  it('saves a valid template as the next version, by the operator, and the editor says so', async () => {
    const answer = await post('/save', {
      ...key,
      baseVersion: '1',
      'field.body': 'Votre code {{brand}} : {{code}}.',
    });
    expect(answer.status).toBe(303);
    expect(answer.headers.location).toBe('/edit?locale=fr&channel=sms&purpose=generic&saved=2');
    expect(await stored('fr', 'sms', 'generic')).toMatchObject({
      body: 'Votre code {{brand}} : {{code}}.',
      version: 2,
      updatedBy: 'tester (console)',
    });
    const editor = await get(answer.headers.location as string);
    expect(editor.body).toContain('Saved version 2');
  });

  it('writes nothing when the template is invalid, and names the problems', async () => {
    const before = await store.listAllTemplates();
    const answer = await post('/save', { ...key, baseVersion: '1', 'field.body': 'No code here' });
    expect(answer.status).toBe(422);
    expect(answer.body).toContain('no {{code}} placeholder');
    expect(answer.body).toContain('Nothing was written');
    const wrongCase = await post('/save', {
      locale: 'pt-br',
      channel: 'sms',
      purpose: 'generic',
      baseVersion: '0',
      'field.body': 'Código {{code}}',
    });
    expect(wrongCase.status).toBe(422);
    expect(wrongCase.body).toContain('must be written &quot;pt-BR&quot;');
    const noVoice = await post('/save', {
      locale: 'de',
      channel: 'voice',
      purpose: 'generic',
      baseVersion: '0',
      'field.body': 'Code {{code}}, {{code}}.',
    });
    expect(noVoice.status).toBe(422);
    expect(noVoice.body).toContain('voice template needs a voiceId');
    expect(await store.listAllTemplates()).toEqual(before);
  });

  it('refuses to overwrite a version saved since the editor opened, and shows the diff against it', async () => {
    await post('/save', { ...key, baseVersion: '1', 'field.body': 'First edit {{code}}' });
    const late = await post('/save', { ...key, baseVersion: '1', 'field.body': 'Second edit {{code}}' });
    expect(late.status).toBe(409);
    expect(late.body).toContain('version 2 was saved by tester (console)');
    expect(late.body).toMatch(/<del>.*First/);
    expect((await stored('fr', 'sms', 'generic'))?.body).toBe('First edit {{code}}');
    // Reviewing from the stale editor says the comparison is against the newer version.
    const review = await post('/edit', {
      ...key,
      baseVersion: '1',
      action: 'review',
      'field.body': 'Second edit {{code}}',
    });
    expect(review.body).toContain('Version 2 was saved by tester (console) after you opened the editor');
  });

  it('previews without JavaScript: the form posts, the server renders the preview of the draft', async () => {
    const answer = await post('/edit', {
      ...key,
      baseVersion: '1',
      action: 'preview',
      'field.body': 'Votre code {{brand}} est {{code}} – merci',
      'sample.brand': 'Zeta',
      'sample.codeDigits': '8',
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('Votre code Zeta est 12345678 <mark>–</mark> merci');
    expect(answer.body).toMatch(/<dd id="sms-encoding">UCS-2<\/dd>/);
    expect(answer.body).toContain('name="baseVersion" value="1"');
  });

  it('reviews a change as a word diff before saving', async () => {
    const answer = await post('/edit', {
      ...key,
      baseVersion: '1',
      action: 'review',
      'field.body': 'Votre code Acme est {{code}}.',
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatch(/<ins><span class="sr-only">\[added: <\/span>/);
    expect(answer.body).toMatch(/<del>/);
    expect(answer.body).toContain('name="field.body" value="Votre code Acme est {{code}}."');
  });

  it('starts a new language from the text it is served today, with a voice that speaks it', async () => {
    // Icelandic: neither the table nor the catalogue has it; Polly has two Icelandic voices.
    const answer = await get('/edit?locale=is&channel=voice&purpose=generic');
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('No is template yet: starting from the en/generic text');
    expect(answer.body).toMatch(/<option value="(DORA|KARL)" selected>/);
    expect(answer.body).toMatch(/<textarea [^>]*name="field.body"[^>]*>Your \{\{brand\}\} verification code/);
  });
});

describe('export, import and seed', () => {
  it('exports the table as the CLI does, as a download', async () => {
    const answer = await get('/export.json');
    expect(answer.status).toBe(200);
    expect(answer.headers['content-disposition']).toBe('attachment; filename="templates.json"');
    const file = JSON.parse(answer.body);
    const cli = await exportTemplates(store);
    expect(file.templates).toEqual(cli.templates);
  });

  it('checks a file (what is new, changed, unchanged), then imports it', async () => {
    const exported = await exportTemplates(store);
    const templates = exported.templates.map((t) =>
      t.locale === 'fr' && t.channel === 'sms' && t.purpose === 'generic'
        ? // A body without {{expiry}} must not keep expiry phrases (import refuses unused phrases).
          { ...t, body: 'Code {{brand}} : {{code}}', expiry: undefined }
        : t,
    );
    const file = JSON.stringify({
      ...exported,
      templates: [...templates, { locale: 'de', channel: 'sms', purpose: 'generic', body: 'Code: {{code}}' }],
    });
    const check = await post('/import', { action: 'check', file });
    expect(check.status).toBe(200);
    expect(check.body).toMatch(/1 new, 1 changed, \d+ unchanged/);
    expect(await stored('de', 'sms', 'generic')).toBeUndefined();
    const imported = await post('/import', { action: 'import', file });
    expect(imported.body).toContain(`Imported ${templates.length + 1} template(s)`);
    expect((await stored('de', 'sms', 'generic'))?.body).toBe('Code: {{code}}');
  });

  it('imports nothing from a file with one bad item', async () => {
    const before = await store.listAllTemplates();
    const file = JSON.stringify({
      version: 1,
      templates: [
        { locale: 'de', channel: 'sms', purpose: 'generic', body: 'ok {{code}}' },
        { locale: 'it', channel: 'sms', purpose: 'generic', body: 'no code' },
      ],
    });
    const answer = await post('/import', { action: 'import', file });
    expect(answer.status).toBe(422);
    expect(answer.body).toContain('#1 it/sms/generic: no {{code}} placeholder');
    expect(await store.listAllTemplates()).toEqual(before);
    expect((await post('/import', { action: 'check', file: '{not json' })).body).toContain(
      'the file is not JSON',
    );
  });

  it('seeds missing keys only unless asked to overwrite', async () => {
    await post('/save', { ...key, baseVersion: '1', 'field.body': 'Mine {{code}}' });
    const seeded = await post('/seed', {});
    expect(seeded.body).toMatch(/Seeded test table: \d+ written, \d+ kept/);
    expect((await stored('fr', 'sms', 'generic'))?.body).toBe('Mine {{code}}');
    await post('/seed', { overwrite: '1' });
    expect((await stored('fr', 'sms', 'generic'))?.body).not.toBe('Mine {{code}}');
  });
});

describe('pages', () => {
  it('serves the grid, lint, transfer pages and the assets it needs, nothing from elsewhere', async () => {
    for (const path of ['/', '/lint', '/transfer', '/?gaps=1', '/?q=pt-PT', '/?q=Welsh', '/?q=%3Cb%3E']) {
      const answer = await get(path);
      expect(answer.status, path).toBe(200);
      expect(answer.body).not.toMatch(/(src|href)="https?:/);
    }
    expect((await get('/?q=pt-PT')).body).toContain(
      'aria-label="pt-PT SMS verification: served the Catalogue template pt/generic of the same language',
    );
    const welsh = (await get('/?q=cy')).body;
    expect(welsh).toContain(
      'aria-label="cy SMS verification: missing: served the IdP&#39;s own text if it sends one, else the DynamoDB template en/verification',
    );
    expect(welsh).toContain(
      'aria-label="cy Voice verification: missing: served the DynamoDB template en/generic in the default language',
    );
    expect((await get('/assets/console.js')).headers['content-type']).toContain('javascript');
    expect((await get('/nowhere')).status).toBe(404);
    expect((await send('DELETE', '/', { headers: { cookie, origin: running.origin } })).status).toBe(405);
  });
});
