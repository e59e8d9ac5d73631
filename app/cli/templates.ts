import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import {
  bundledTemplates,
  I18nextTemplateStore,
  spokenLocale,
} from '../../adapters/i18n/i18next-template-store';
import {
  CHANNELS,
  type Channel,
  type DeliveryRequest,
  PURPOSES,
  type Purpose,
} from '../../domain/delivery-request';
import { localeFallbackChain } from '../../domain/locale';
import type { MessageTemplate } from '../../domain/message-template';
import { analyseSms } from '../../domain/sms-segments';
import { selectTemplate } from '../../domain/template-selection';
import type { TemplateQuery, TemplateStore } from '../../ports/template-store';
import { MessageComposer } from '../message-composer';
import { formatLintReport, LINT_SAMPLE, lintBundledCatalogue } from '../template-lint';
import { exportTemplates, importTemplates, seedTemplates, TemplateFileError } from '../template-transfer';
import { openTemplateTable, type TemplateTable } from './template-table';

const USAGE = `usage: npm run templates -- <command>

  lint [--json]       validate every bundled template; print encoding, segments (8-digit code,
                      20-character brand, every validity from 1 minute to 1 day), characters forcing
                      UCS-2, voice and plural coverage per locale x channel. Exits 1 on any problem;
                      warnings (plural forms missing) do not fail it.
  preview --locale fr-CA --channel sms|voice --purpose ${PURPOSES.join('|')}
          [--code 12345678] [--brand Acme] [--first-name Alex] [--minutes 5] [--default-locale en]
                      render the message exactly as it would be sent, resolving along the locale
                      fallback chain.
  seed [--overwrite]  write the bundled catalogue into the templates table (only missing keys
                      unless --overwrite, so operator edits survive).
  export [--out file.json]
                      write every template in the table as a versioned JSON file (stdout by default).
  import <file.json>  validate every item, then write them all; writes nothing if any is invalid.

  seed/export/import act on the local stack's table (the running npm start, or .otp-courier/),
  on --endpoint URL / DYNAMODB_ENDPOINT, or on the deployed table when AWS_REGION and
  TEMPLATE_TABLE are set.`;

class UsageError extends Error {
  override readonly name = 'UsageError';
}

function lint(args: string[]): number {
  const { values } = parseArgs({ args, options: { json: { type: 'boolean', default: false } } });
  const report = lintBundledCatalogue();
  process.stdout.write(`${values.json ? JSON.stringify(report, null, 2) : formatLintReport(report)}\n`);
  return report.problems.length === 0 ? 0 : 1;
}

// Remembers what the store answered, so preview can say which template was chosen.
class RecordingStore implements TemplateStore {
  candidates: readonly MessageTemplate[] = [];
  constructor(private readonly inner: TemplateStore) {}
  async find(query: TemplateQuery): Promise<readonly MessageTemplate[]> {
    this.candidates = await this.inner.find(query);
    return this.candidates;
  }
}

async function preview(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      locale: { type: 'string', default: 'en' },
      channel: { type: 'string', default: 'sms' },
      purpose: { type: 'string', default: 'verification' },
      code: { type: 'string', default: LINT_SAMPLE.code },
      brand: { type: 'string', default: process.env.BRAND_NAME ?? LINT_SAMPLE.brand },
      'first-name': { type: 'string' },
      minutes: { type: 'string', default: '5' },
      'default-locale': { type: 'string', default: process.env.DEFAULT_LOCALE ?? 'en' },
    },
  });
  const channel = values.channel as Channel;
  const purpose = values.purpose as Purpose;
  const minutes = Number(values.minutes);
  if (!CHANNELS.includes(channel)) throw new UsageError(`--channel must be one of ${CHANNELS.join(', ')}`);
  if (!PURPOSES.includes(purpose)) throw new UsageError(`--purpose must be one of ${PURPOSES.join(', ')}`);
  if (!/^\d{1,12}$/.test(values.code)) throw new UsageError('--code must be digits');
  if (!Number.isInteger(minutes) || minutes < 1) throw new UsageError('--minutes must be a whole number ≥ 1');

  // A fixed clock, so "{{minutes}}" renders exactly the value asked for.
  const now = Date.now();
  const store = new RecordingStore(new I18nextTemplateStore());
  const defaultLocale = values['default-locale'];
  const composer = new MessageComposer(
    store,
    { now: () => now },
    { brand: values.brand, defaultLocale, failurePathReserveMs: 0, expirySkewMs: 0 },
  );
  const request: DeliveryRequest = {
    eventId: 'preview',
    idp: 'preview',
    purpose,
    channel,
    phone: '+14155550123',
    code: values.code,
    expiresAt: new Date(now + minutes * 60_000),
    requestedLocale: values.locale,
    ...(values['first-name'] ? { firstName: values['first-name'] } : {}),
  };
  const message = await composer.compose(request);
  const chain = localeFallbackChain(values.locale, defaultLocale);
  if (message === undefined) {
    process.stderr.write(`no ${channel} template for ${chain.join(' → ')}\n`);
    return 1;
  }
  const chosen = selectTemplate(store.candidates, { locales: chain, defaultLocale, purpose, channel });
  const facts = [
    `chain ${chain.join(' → ')}`,
    `template ${message.locale}/${message.channel}/${chosen?.purpose ?? '?'} (${message.templateSource})`,
  ];
  if (message.voiceId !== undefined) {
    const spoken = chosen ? spokenLocale(chosen) : message.locale;
    facts.push(`voice ${message.voiceId}${spoken === message.locale ? '' : ` (spoken in ${spoken})`}`);
  }
  if (message.sms !== undefined) {
    const { units, ucs2Characters } = analyseSms(message.body);
    facts.push(
      `${message.sms.encoding}, ${message.sms.segments} segment(s), ${units} units` +
        (ucs2Characters.length > 0 ? `, UCS-2 forced by: ${ucs2Characters.join(' ')}` : ''),
    );
  }
  process.stdout.write(`${facts.join('\n')}\n\n${message.body}\n`);
  return 0;
}

async function withTable(
  endpoint: string | undefined,
  work: (table: TemplateTable) => Promise<number>,
): Promise<number> {
  const table = await openTemplateTable(process.env, endpoint);
  try {
    return await work(table);
  } finally {
    await table.close();
  }
}

async function seed(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { overwrite: { type: 'boolean', default: false }, endpoint: { type: 'string' } },
  });
  return withTable(values.endpoint, async (table) => {
    const result = await seedTemplates(table.store, bundledTemplates(), {
      overwrite: values.overwrite ?? false,
    });
    process.stdout.write(
      `seeded ${table.description}: ${result.written} written, ${result.skipped} kept as they were\n`,
    );
    return 0;
  });
}

async function exportCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { out: { type: 'string' }, endpoint: { type: 'string' } } });
  return withTable(values.endpoint, async (table) => {
    const file = `${JSON.stringify(await exportTemplates(table.store), null, 2)}\n`;
    if (values.out) {
      await writeFile(values.out, file, 'utf8');
      process.stderr.write(`exported ${table.description} to ${values.out}\n`);
    } else process.stdout.write(file);
    return 0;
  });
}

async function importCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { endpoint: { type: 'string' } },
  });
  const path = positionals[0];
  if (!path) throw new UsageError('import needs a file: npm run templates -- import templates.json');
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new UsageError(`cannot read ${path} as JSON (${error instanceof Error ? error.name : 'error'})`);
  }
  return withTable(values.endpoint, async (table) => {
    try {
      const { written, warnings } = await importTemplates(table.store, json, {
        updatedBy: process.env.USER ?? 'templates import',
      });
      for (const w of warnings) {
        process.stderr.write(`warning #${w.index ?? '?'}${w.key ? ` ${w.key}` : ''}: ${w.problem}\n`);
      }
      process.stdout.write(`imported ${written} templates into ${table.description}\n`);
      return 0;
    } catch (error) {
      if (!(error instanceof TemplateFileError)) throw error;
      process.stderr.write(`${error.message}\nnothing was written\n`);
      return 1;
    }
  });
}

const COMMANDS: Readonly<Record<string, (args: string[]) => number | Promise<number>>> = {
  lint,
  preview,
  seed,
  export: exportCommand,
  import: importCommand,
};

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return command === undefined ? 2 : 0;
  }
  const run = COMMANDS[command];
  if (run === undefined) throw new UsageError(`unknown command "${command}"`);
  return run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const usage =
      error instanceof UsageError || (error as { code?: string })?.code?.startsWith('ERR_PARSE_ARGS');
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    if (usage) process.stderr.write(`\n${USAGE}\n`);
    process.exitCode = usage ? 2 : 1;
  },
);
