import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbTemplateStore } from '../../adapters/dynamodb/dynamodb-template-store';
import { ensureTemplateTable } from '../../adapters/dynamodb/template-table';
import { bundledTemplates } from '../../adapters/i18n/i18next-template-store';
import {
  exportTemplates,
  importTemplates,
  parseTemplateFile,
  seedTemplates,
  TemplateFileError,
} from '../../app/template-transfer';
import { localeFallbackChain } from '../../domain/locale';
import type { MessageTemplate } from '../../domain/message-template';
import { startTestDynamo, type TestDynamo } from '../support/dynalite';
import { RecordingLogger } from '../support/recording-logger';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const tsx = join(root, 'node_modules/.bin/tsx');
// The operator CLI as a separate process against the test's dynalite: dummy credentials, no AWS.
const cliEnv = {
  PATH: process.env.PATH ?? '',
  AWS_REGION: 'local',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
};

describe('template seed / export / import against dynalite', () => {
  let dynamo: TestDynamo;
  let dir: string;
  let table = 0;
  let store: DynamoDbTemplateStore;
  const catalogue = bundledTemplates();

  beforeAll(async () => {
    dynamo = await startTestDynamo();
    dir = await mkdtemp(join(tmpdir(), 'template-transfer-'));
  });
  afterAll(async () => {
    await dynamo.close();
    await rm(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    // A fresh table per test, so tests do not see each other's writes.
    const name = `templates-${++table}`;
    await ensureTemplateTable(dynamo.client, name);
    store = new DynamoDbTemplateStore(dynamo.client, { tableName: name }, new RecordingLogger());
  });

  const find = async (
    locale: string,
    channel: MessageTemplate['channel'],
    purpose: MessageTemplate['purpose'],
  ) => (await store.find({ channel, locales: [locale], purposes: [purpose] }))[0];

  it('seeds the whole catalogue, and export round-trips it through a file', async () => {
    expect(catalogue.length).toBeGreaterThan(80);
    expect(await seedTemplates(store, catalogue)).toEqual({ written: catalogue.length, skipped: 0 });

    const exported = await exportTemplates(store, new Date('2025-01-02T03:04:05Z'));
    expect(exported.version).toBe(1);
    expect(exported.exportedAt).toBe('2025-01-02T03:04:05.000Z');
    expect(exported.templates).toHaveLength(catalogue.length);
    const order = exported.templates.map((t) => [t.locale, t.channel] as const);
    for (let i = 1; i < order.length; i++) {
      const [prev, cur] = [order[i - 1] ?? ['', ''], order[i] ?? ['', '']];
      expect(prev[0] < cur[0] || (prev[0] === cur[0] && prev[1] <= cur[1]), `${prev} before ${cur}`).toBe(
        true,
      );
    }
    const hiVoice = exported.templates.find((t) => t.locale === 'hi' && t.channel === 'voice');
    expect(hiVoice).toMatchObject({ voiceId: 'RAVEENA', version: 1, updatedBy: 'otp-courier seed' });
    expect(hiVoice?.updatedAt).toMatch(/^\d{4}-\d\d-\d\dT/);

    // Through a real file, as an operator would: what export writes, parse accepts unchanged.
    const file = join(dir, 'export.json');
    await writeFile(file, JSON.stringify(exported, null, 2));
    const parsed = parseTemplateFile(JSON.parse(await readFile(file, 'utf8')));
    const strip = ({ locale, channel, purpose, body, voiceId }: MessageTemplate) => ({
      locale,
      channel,
      purpose,
      body,
      voiceId,
    });
    const byKey = (a: { locale: string; channel: string; purpose: string }, b: typeof a) =>
      `${a.locale}|${a.channel}|${a.purpose}`.localeCompare(`${b.locale}|${b.channel}|${b.purpose}`);
    expect(parsed.templates.map(strip).sort(byKey)).toEqual(catalogue.map(strip).sort(byKey));

    // Importing it into an empty table reproduces the same export (minus the write stamps).
    const other = new DynamoDbTemplateStore(
      dynamo.client,
      { tableName: `templates-${++table}` },
      new RecordingLogger(),
    );
    await ensureTemplateTable(dynamo.client, `templates-${table}`);
    expect(await importTemplates(other, JSON.parse(await readFile(file, 'utf8')))).toEqual({
      written: catalogue.length,
      // Every bundled phrase covers every plural category its language needs.
      warnings: [],
    });
    const unstamped = (f: Awaited<ReturnType<typeof exportTemplates>>) =>
      f.templates.map(({ updatedAt: _a, updatedBy: _b, ...rest }) => rest);
    expect(unstamped(await exportTemplates(other))).toEqual(unstamped(exported));
  });

  it('seeding again keeps an operator edit and only adds what is missing', async () => {
    await seedTemplates(store, catalogue);
    const edited = 'ACME: {{code}} is your code';
    await importTemplates(store, {
      version: 1,
      templates: [{ locale: 'en', channel: 'sms', purpose: 'generic', body: edited }],
    });
    const newLanguage: MessageTemplate = {
      locale: 'sw',
      channel: 'sms',
      purpose: 'generic',
      body: 'Nambari yako: {{code}}',
      source: 'catalogue',
    };

    expect(await seedTemplates(store, [...catalogue, newLanguage])).toEqual({
      written: 1,
      skipped: catalogue.length,
    });
    expect((await find('en', 'sms', 'generic'))?.body).toBe(edited);
    expect((await find('sw', 'sms', 'generic'))?.body).toBe(newLanguage.body);

    // --overwrite puts the catalogue wording back.
    expect(await seedTemplates(store, catalogue, { overwrite: true })).toEqual({
      written: catalogue.length,
      skipped: 0,
    });
    expect((await find('en', 'sms', 'generic'))?.body).not.toBe(edited);
  });

  it('an import with one bad item writes nothing and names every problem', async () => {
    const good = { locale: 'fr', channel: 'sms', purpose: 'generic', body: 'Code : {{code}}' };
    const file = {
      version: 1,
      templates: [
        good,
        { locale: 'de', channel: 'sms', purpose: 'verification', body: 'Ihr Code lautet {{cod}}' },
        {
          locale: 'pt-br',
          channel: 'voice',
          purpose: 'generic',
          body: 'Código {{code}}, de novo {{code}}',
          voiceId: 'HANS',
        },
        { ...good, body: 'Votre code : {{code}}' },
        { locale: 'it', channel: 'fax', purpose: 'generic', body: 'x' },
      ],
    };
    let error: unknown;
    try {
      await importTemplates(store, file);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TemplateFileError);
    const problems = (error as TemplateFileError).problems;
    const at = (index: number) =>
      problems
        .filter((p) => p.index === index)
        .map((p) => p.problem)
        .join(' | ');
    expect(at(0)).toBe('');
    expect(at(1)).toMatch(/unknown placeholder \{\{cod\}\}/);
    expect(at(1)).toMatch(/no \{\{code\}\}/);
    expect(problems.find((p) => p.index === 1)?.key).toBe('de/sms/verification');
    expect(at(2)).toMatch(/must be written "pt-BR"/);
    expect(at(2)).toMatch(/HANS does not speak pt-br/);
    expect(at(3)).toMatch(/same locale, channel and purpose as #0/);
    expect(at(4)).toMatch(/channel must be one of sms, voice/);
    expect((error as Error).message).toMatch(/#1 de\/sms\/verification: unknown placeholder/);

    expect(await store.listAllTemplates()).toEqual([]);
  });

  it('rejects a file that is not a version 1 template document, and unknown fields', () => {
    expect(() => parseTemplateFile({ templates: [] })).toThrow(/file: version/);
    expect(() => parseTemplateFile({ version: 1, templates: {} })).toThrow(/templates must be an array/);
    expect(() => parseTemplateFile([])).toThrow(TemplateFileError);
    expect(() =>
      parseTemplateFile({
        version: 1,
        templates: [{ locale: 'en', channel: 'sms', purpose: 'generic', body: '{{code}}', voiceID: 'X' }],
      }),
    ).toThrow(/#0 en\/sms\/generic: voiceID/);
    expect(() =>
      parseTemplateFile({
        version: 1,
        templates: [{ locale: 'en', channel: 'voice', purpose: 'generic', body: '{{code}} {{code}}' }],
      }),
    ).toThrow(/needs a voiceId/);
    expect(() =>
      parseTemplateFile({
        version: 1,
        templates: [
          { locale: 'en', channel: 'voice', purpose: 'generic', body: '{{code}} {{code}}', voiceId: 'ADITI' },
        ],
      }),
    ).toThrow(/not a voice End User Messaging supports; for en: /);
  });

  it('imports plural expiry phrases, warns about uncovered categories, and exports them back', async () => {
    const C = '{{count}}';
    const result = await importTemplates(store, {
      version: 1,
      templates: [
        {
          locale: 'ru',
          channel: 'sms',
          purpose: 'generic',
          body: 'Код {{code}}. Действует {{expiry}}.',
          expiry: {
            minutes: { one: `${C} минуту`, few: `${C} минуты`, many: `${C} минут`, other: `${C} минуты` },
            hours: { one: `${C} час`, other: `${C} часа` },
          },
        },
        // A Lithuanian call in British English: the voice tells the wording's language.
        {
          locale: 'lt',
          channel: 'voice',
          purpose: 'generic',
          body: 'Code {{code}}. Again {{code}}. It expires in {{expiry}}.',
          voiceId: 'AMY',
          expiry: { minutes: { one: `${C} minute`, other: `${C} minutes` } },
        },
        { locale: 'pl', channel: 'sms', purpose: 'generic', body: 'Kod {{code}}, wazny {{minutes}} minut.' },
      ],
    });
    expect(result.written).toBe(3);
    expect(result.warnings.map((w) => `#${w.index} ${w.key}: ${w.problem}`)).toEqual([
      '#0 ru/sms/generic: expiry.hours lacks few, many (ru needs one, few, many, other): few 2, 3, 4…; many 5, 6, 7… would read with the "other" form',
      '#2 pl/sms/generic: {{minutes}} says every count with the same words, but pl has 4 plural forms (one, few, many, other): give expiry phrases per category and use {{expiry}}',
    ]);
    expect(await find('lt', 'voice', 'generic')).toMatchObject({ language: 'en-GB' });
    const exported = await exportTemplates(store);
    expect(exported.templates.find((t) => t.locale === 'ru')?.expiry?.minutes?.few).toBe(`${C} минуты`);
    expect(exported.templates.find((t) => t.locale === 'lt')?.language).toBe('en-GB');
    // What export writes, import reads unchanged, without new warnings for the complete ones.
    const again = parseTemplateFile(JSON.parse(JSON.stringify(exported)));
    expect(again.templates).toHaveLength(3);
  });

  it('rejects expiry phrases that are wrong for the language, naming the item and the phrase', () => {
    const item = (expiry: unknown, locale = 'en') => ({
      locale,
      channel: 'sms',
      purpose: 'generic',
      body: 'Code {{code}}, {{expiry}}',
      expiry,
    });
    let error: unknown;
    try {
      parseTemplateFile({
        version: 1,
        templates: [
          item({ minutes: { one: '{{count}} minute', few: '{{count}} minutes' } }),
          item({ minutes: { one: 'минуту', other: '{{count}} минут' } }, 'ru'),
          item({ minutes: { other: 5 } }),
          item('5 minutes'),
          { locale: 'en', channel: 'sms', purpose: 'enrollment', body: 'Code {{code}}, {{expiry}}' },
        ],
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TemplateFileError);
    const message = (error as Error).message;
    expect(message).toContain(
      '#0 en/sms/generic: expiry.minutes has "few", a category en does not have (its categories: one, other)',
    );
    expect(message).toContain('#0 en/sms/generic: expiry.minutes needs an "other" form');
    expect(message).toContain(
      '#1 ru/sms/generic: expiry.minutes.one has no {{count}}, but in ru "one" covers 1, 21',
    );
    expect(message).toContain('#2 en/sms/generic: expiry.minutes.other must be a phrase (a string)');
    expect(message).toContain(
      '#3 en/sms/generic: expiry must map units (minutes, hours, days) to plural phrases',
    );
    expect(message).toContain('#4 en/sms/enrollment: {{expiry}} needs expiry phrases');
  });

  it('a valid import overwrites, and the store then serves the imported template', async () => {
    await seedTemplates(store, catalogue);
    expect(await find('de', 'voice', 'generic')).toMatchObject({ voiceId: 'VICKI' });
    expect(await find('de', 'sms', 'verification')).toBeUndefined();
    // The code is already spoken digit by digit; SSML around it may slow it down, not re-interpret it.
    const body = 'Ihr Code: {{code}}. Noch einmal: <prosody rate="slow">{{code}}</prosody>.';
    const result = await importTemplates(store, {
      version: 1,
      exportedAt: '2025-01-01T00:00:00Z',
      templates: [
        { locale: 'de', channel: 'voice', purpose: 'generic', body, voiceId: 'marlene', version: 7 },
        { locale: 'de', channel: 'sms', purpose: 'verification', body: 'Passwort-Code: {{code}}' },
      ],
    });
    expect(result).toEqual({ written: 2, warnings: [] });
    expect(await find('de', 'voice', 'generic')).toMatchObject({
      body,
      voiceId: 'MARLENE',
      version: 7,
      source: 'dynamodb',
      updatedBy: 'otp-courier import',
    });
    expect((await find('de', 'sms', 'verification'))?.body).toBe('Passwort-Code: {{code}}');
    expect(await store.listAllTemplates()).toHaveLength(catalogue.length + 1);
  });

  it('the CLI refuses locale keys no request looks up, prints the canonical form and writes nothing', async () => {
    const name = `templates-${++table}`;
    await ensureTemplateTable(dynamo.client, name);
    const path = join(dir, 'locales.json');
    const item = (locale: string) => ({ locale, channel: 'sms', purpose: 'generic', body: 'Code {{code}}' });
    await writeFile(
      path,
      JSON.stringify({
        version: 1,
        templates: ['pt_BR', 'PT_BR', 'iw', 'en-US-u-ca-buddhist', 'fr'].map(item),
      }),
    );
    const failed = await run(tsx, ['app/cli/templates.ts', 'import', path, '--endpoint', dynamo.endpoint], {
      cwd: root,
      env: { ...cliEnv, TEMPLATE_TABLE: name },
    }).catch((error: { code: number; stderr: string }) => error);
    expect('code' in failed && failed.code).toBe(1);
    const stderr = (failed as { stderr: string }).stderr;
    expect(stderr).toContain('#0 pt_BR/sms/generic: locale "pt_BR" must be written "pt-BR"');
    expect(stderr).toContain('#1 PT_BR/sms/generic: locale "PT_BR" must be written "pt-BR"');
    expect(stderr).toContain('#2 iw/sms/generic: locale "iw" must be written "he"');
    expect(stderr).toContain(
      '#3 en-US-u-ca-buddhist/sms/generic: locale "en-US-u-ca-buddhist" must be written "en-US"',
    );
    expect(stderr).toContain('nothing was written');
    const cliStore = new DynamoDbTemplateStore(dynamo.client, { tableName: name }, new RecordingLogger());
    expect(await cliStore.listAllTemplates()).toEqual([]);

    // Written the way the error says, the same templates import and are served.
    await importTemplates(cliStore, {
      version: 1,
      templates: ['pt-BR', 'he', 'en-US', 'fr'].map(item),
    });
    const served = await cliStore.find({
      channel: 'sms',
      locales: localeFallbackChain('iw'),
      purposes: ['generic'],
    });
    expect(served.map((t) => t.locale)).toContain('he');
    // A child process running tsx: slow to start on a loaded machine.
  }, 60_000);
});
