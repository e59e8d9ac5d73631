import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbMessageLedger } from '../../adapters/dynamodb/dynamodb-message-ledger';
import { type LocalStack, startLocalStack } from '../../app/local/local-stack';
import { oktaSamplePayload } from '../../app/local/okta-sample-payload';
import { parseEmfLine, summariseMetrics } from '../../app/metrics-summary';
import { createLocalClient } from '../support/dynalite';
import {
  type NpmStartProcess,
  OKTA_HOOK_BANNER,
  REPO_ROOT,
  startNpmStart,
  TSX,
} from '../support/npm-start-process';
import { RecordingLogger } from '../support/recording-logger';
import { guardSecret } from '../support/secret-leak-guard';

/**
 * The whole loop on the local stack, as a developer sees it: `npm start`, `npm run send` (which plays
 * Okta twice: the telephony hook, then — once the simulated carrier reports the message delivered — the
 * event hook of the user's verification), `npm run status` and `npm run metrics`.
 */
const run = promisify(execFile);

let server: NpmStartProcess;
let dataDir: string;
let baseUrl: string;
const env = () => ({ ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'WARN' });

beforeAll(async () => {
  dataDir = join(await mkdtemp(join(tmpdir(), 'otp-courier-loop-')), '.otp-courier');
  server = await startNpmStart({
    env: { ...env(), CARRIER_FAILURE_PERCENT: '0' },
    banner: OKTA_HOOK_BANNER,
    timeoutMs: 30_000,
  });
  baseUrl = server.url;
}, 40_000);

afterAll(async () => {
  await server?.stop();
});

describe('npm start: sent → delivered → verified → feedback, seen by npm run status and npm run metrics', () => {
  let eventId: string;

  it('npm run send plays the user and Okta, and prints the message’s whole life', async () => {
    const code = guardSecret('61730482');
    const { stdout } = await run(
      TSX,
      ['app/cli/send.ts', '--url', baseUrl, '--phone', '+34612345678', '--locale', 'es-ES', '--code', code],
      { cwd: REPO_ROOT, env: env() },
    );
    expect(stdout).toMatch(/"status": "SUCCESSFUL"/);
    expect(stdout).toMatch(/The user entered the code; Okta's event hook answered HTTP 204/);
    eventId = /event (\S+)\n/.exec(stdout)?.[1] ?? '';
    for (const step of ['claimed', 'rendered', 'sent', 'delivered', 'verified', 'feedback']) {
      expect(stdout, step).toMatch(new RegExp(`\\s${step}\\s`));
    }
    expect(stdout).toMatch(/sent\s+by local-outbox, message outbox-[0-9a-f-]+, sms to \+34\*+78 \(ES\)/);
    expect(stdout).toMatch(/delivered\s+TEXT_DELIVERED, billed \$0\.06087/);
    expect(server.output()).toMatch(/receipt: outbox-[0-9a-f-]+ delivered/);
    expect(server.output()).toMatch(/feedback: outbox-[0-9a-f-]+ RECEIVED/);
    expect(`${stdout}${server.output()}`).not.toContain(code);
  }, 60_000);

  it('npm run status finds it by event id and by the masked (or full) number', async () => {
    const byEvent = (await run(TSX, ['app/cli/status.ts', eventId], { cwd: REPO_ROOT, env: env() })).stdout;
    expect(byEvent).toMatch(/verified\s+the user entered the code/);
    const byMask = (await run(TSX, ['app/cli/status.ts', '+34*******78'], { cwd: REPO_ROOT, env: env() }))
      .stdout;
    const byNumber = (await run(TSX, ['app/cli/status.ts', '+34612345678'], { cwd: REPO_ROOT, env: env() }))
      .stdout;
    expect(byMask).toContain(`event ${eventId}`);
    expect(byNumber).toContain(`event ${eventId}`);
    expect(`${byMask}${byNumber}`).not.toContain('612345678');
    const missing = await run(TSX, ['app/cli/status.ts', 'no-such-event'], {
      cwd: REPO_ROOT,
      env: env(),
    }).catch((error: { code: number; stdout: string }) => error);
    expect(missing).toMatchObject({ code: 1 });
  }, 90_000);

  it('npm run metrics summarises the EMF the stack wrote: delivery and conversion for ES, cost', async () => {
    const { stdout } = await run(TSX, ['app/cli/metrics.ts', '--json'], { cwd: REPO_ROOT, env: env() });
    const summary = JSON.parse(stdout);
    expect(summary.requests.sent).toBeGreaterThanOrEqual(1);
    const es = summary.countries.find((c: { country: string }) => c.country === 'ES');
    expect(es).toMatchObject({
      sent: 1,
      delivery: { samples: 1, sum: 1 },
      conversion: { samples: 1, sum: 1 },
    });
    expect(es.billedCost).toBeCloseTo(0.06087, 5);
    expect(es.estimatedCost).toBeGreaterThan(0);
    const text = (await run(TSX, ['app/cli/metrics.ts'], { cwd: REPO_ROOT, env: env() })).stdout;
    expect(text).toMatch(/delivery rate\s+100\.0 % of \d+/);
    expect(text).toMatch(/reply time\s+p50 \d+ ms/);
  }, 60_000);
});

describe('the local stack: a message the carrier fails', () => {
  let stack: LocalStack;
  let localDir: string;

  beforeAll(async () => {
    localDir = await mkdtemp(join(tmpdir(), 'otp-courier-fail-'));
    stack = await startLocalStack({
      env: { DATA_DIR: localDir, LOG_LEVEL: 'SILENT', CARRIER_FAILURE_PERCENT: '100' },
      inMemory: true,
      port: 0,
      announce: () => {},
      logger: new RecordingLogger(),
    });
  });
  afterAll(() => stack?.close());

  it('records the failure through the same receipts path, measures delivery 0, and nothing confirms it', async () => {
    const token = await stack.devIssuer?.mint();
    const payload = oktaSamplePayload({ channel: 'sms', phone: '+14155550199' });
    const response = await fetch(stack.hookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(payload),
    });
    const reply = (await response.json()) as { commands: { value: { transactionId: string }[] }[] };
    const messageId = reply.commands[0]?.value[0]?.transactionId ?? '';
    const client = createLocalClient(stack.dynamoEndpoint);
    const ledger = new DynamoDbMessageLedger(
      client,
      { tableName: stack.config.messagesTable },
      { now: Date.now },
    );
    try {
      let record = await ledger.get(messageId);
      for (let waited = 0; !record?.settled && waited < 8_000; waited += 200) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        record = await ledger.get(messageId);
      }
      expect(record).toMatchObject({ status: 'failed', settled: true, conversion: 'awaiting' });
      expect(record?.failure).toMatch(/blocked|unreachable|ttl-expired|spam/);
    } finally {
      client.destroy();
    }
    const lines = (await readFile(stack.config.metricsFile, 'utf8')).trim().split('\n');
    const summary = summariseMetrics(lines.map(parseEmfLine).filter((d) => d !== undefined));
    expect(summary.delivery).toEqual({ samples: 1, sum: 0 });
  }, 20_000);
});
