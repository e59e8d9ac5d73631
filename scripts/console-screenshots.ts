/**
 * Takes the README's screenshots of the template console (docs/console-*.png) in Debian's Chromium,
 * against a local stack whose table holds a few operator edits (the catalogue serves the rest):
 *   npx tsx scripts/console-screenshots.ts
 * Needs /usr/bin/chromium (scripts/install-browser.sh); shrinks the PNGs with pngquant when installed.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbTemplateStore } from '../adapters/dynamodb/dynamodb-template-store';
import { ensureTemplateTable } from '../adapters/dynamodb/template-table';
import { startEmbeddedDynamo } from '../app/local/embedded-dynamodb';
import type { MessageTemplate } from '../domain/message-template';
import { CHROMIUM_PATH, launchChromium } from '../test/support/chromium';
import { projectRoot, startConsoleFixture } from '../test/support/console-fixture';

const OPERATOR_EDITS: MessageTemplate[] = [
  {
    locale: 'cy',
    channel: 'sms',
    purpose: 'generic',
    source: 'dynamodb',
    body: 'Eich cod {{brand}} yw {{code}}. Mae’n dod i ben ymhen {{minutes}} munud.',
  },
  {
    locale: 'de',
    channel: 'sms',
    purpose: 'generic',
    source: 'dynamodb',
    body: 'Ihr {{brand}}-Code lautet {{code}}. Gültig für {{minutes}} Minuten. Geben Sie ihn nicht weiter.',
  },
  {
    locale: 'fr-CA',
    channel: 'sms',
    purpose: 'verification',
    source: 'dynamodb',
    body: 'Votre code de connexion {{brand}} est {{code}}. Il expire dans {{minutes}} minutes.',
  },
];

/** An operator's table as it is before `templates seed`: a few edits, the catalogue behind them. */
async function writeOperatorTable(dataDir: string): Promise<void> {
  const dynamo = await startEmbeddedDynamo({ path: join(dataDir, 'dynamodb') });
  const client = new DynamoDBClient({
    endpoint: dynamo.endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    await ensureTemplateTable(client, 'otp-courier-templates');
    const store = new DynamoDbTemplateStore(
      client,
      { tableName: 'otp-courier-templates' },
      { debug() {}, info() {}, warn() {}, error() {} },
    );
    await store.putTemplates(OPERATOR_EDITS, { updatedBy: 'alex (console)' });
  } finally {
    client.destroy();
    await dynamo.close();
  }
}

async function main(): Promise<void> {
  if (!existsSync(CHROMIUM_PATH))
    throw new Error(`${CHROMIUM_PATH} is missing: run scripts/install-browser.sh`);
  const fixture = await startConsoleFixture({}, writeOperatorTable);
  const browser = await launchChromium({ viewport: { width: 1280, height: 820 } });
  const shots: string[] = [];
  try {
    const page = await browser.context.newPage();
    const shoot = async (name: string) => {
      const path = join(projectRoot, 'docs', `console-${name}.png`);
      await page.screenshot({ path });
      shots.push(path);
    };
    await page.goto(fixture.loginUrl);
    // The grid itself, from its caption: Welsh has SMS only, so its calls fall back to English.
    await page.evaluate(
      `window.scrollTo(0, document.getElementById('coverage').getBoundingClientRect().top + window.scrollY - 120)`,
    );
    await shoot('coverage');

    await page.goto(`${fixture.origin}/edit?locale=fr-CA&channel=sms&purpose=verification`);
    await page
      .getByLabel('Message')
      .fill(
        'Votre code de connexion {{brand}} est {{code}}. Il expire dans {{minutes}} minutes – ne le partagez avec personne.',
      );
    await page.locator('#sms-encoding', { hasText: 'UCS-2' }).waitFor();
    await page.setViewportSize({ width: 1280, height: 1000 });
    await shoot('editor-sms');

    await page.getByRole('button', { name: 'Review changes…' }).click();
    await page.locator('.diff ins').first().waitFor();
    await page.setViewportSize({ width: 1280, height: 760 });
    await shoot('review');

    await page.setViewportSize({ width: 1280, height: 820 });
    await page.goto(`${fixture.origin}/edit?locale=ar&channel=voice&purpose=generic`);
    await shoot('editor-voice-rtl');

    await page.setViewportSize({ width: 1280, height: 640 });
    await page.goto(`${fixture.origin}/lint`);
    await shoot('lint');
  } finally {
    await browser.close();
    await fixture.close();
  }
  try {
    execFileSync('pngquant', [
      '--force',
      '--skip-if-larger',
      '--ext',
      '.png',
      '--quality',
      '70-90',
      ...shots,
    ]);
  } catch {
    process.stderr.write('pngquant not found: screenshots left as Chromium wrote them\n');
  }
  process.stdout.write(`${shots.join('\n')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
