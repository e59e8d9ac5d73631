import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbMessageLedger } from '../../adapters/dynamodb/dynamodb-message-ledger';
import { type LocalStack, startLocalStack } from '../../app/local/local-stack';
import { oktaSamplePayload } from '../../app/local/okta-sample-payload';
import { parseEmfLine, summariseMetrics } from '../../app/metrics-summary';
import { createLocalClient } from '../support/dynalite';
import { RecordingLogger } from '../support/recording-logger';
import { guardSecret } from '../support/secret-leak-guard';

/**
 * The whole loop on the local stack, as a developer sees it: `npm start`, `npm run send` (which plays
 * Okta twice: the telephony hook, then — once the simulated carrier reports the message delivered — the
 * event hook of the user's verification), `npm run status` and `npm run metrics`.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));
const tsx = join(root, 'node_modules/.bin/tsx');
const run = promisify(execFile);

let server: ChildProcess;
let dataDir: string;
let baseUrl: string;
let serverOutput = '';
const env = () => ({ ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'WARN' });

beforeAll(async () => {
  dataDir = join(await mkdtemp(join(tmpdir(), 'otp-courier-loop-')), '.otp-courier');
  server = spawn(tsx, ['app/local/start.ts'], {
    cwd: root,
    env: { ...env(), PORT: '0', CARRIER_FAILURE_PERCENT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  baseUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner in 30 s:\n${serverOutput}`)), 30_000);
    const onData = (chunk: Buffer) => {
      serverOutput += chunk.toString('utf8');
      const match = /POST (http:\/\/127\.0\.0\.1:\d+)\/okta\/telephony-hook/.exec(serverOutput);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    server.stdout?.on('data', onData);
    server.stderr?.on('data', onData);
    server.once('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${serverOutput}`)));
  });
}, 40_000);

afterAll(async () => {
  if (server && server.exitCode === null) {
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGTERM');
    await exited;
  }
});

describe('npm start: sent → delivered → verified → feedback, seen by npm run status and npm run metrics', () => {
  let eventId: string;

  it('npm run send plays the user and Okta, and prints the message’s whole life', async () => {
    const code = guardSecret('61730482');
    const { stdout } = await run(
      tsx,
      ['app/cli/send.ts', '--url', baseUrl, '--phone', '+34612345678', '--locale', 'es-ES', '--code', code],
      { cwd: root, env: env() },
    );
    expect(stdout).toMatch(/"status": "SUCCESSFUL"/);
    expect(stdout).toMatch(/The user entered the code; Okta's event hook answered HTTP 204/);
    eventId = /event (\S+)\n/.exec(stdout)?.[1] ?? '';
    for (const step of ['claimed', 'rendered', 'sent', 'delivered', 'verified', 'feedback']) {
      expect(stdout, step).toMatch(new RegExp(`\\s${step}\\s`));
    }
    expect(stdout).toMatch(/sent\s+by local-outbox, message outbox-[0-9a-f-]+, sms to \+34\*+78 \(ES\)/);
    expect(stdout).toMatch(/delivered\s+TEXT_DELIVERED, billed \$0\.06087/);
    expect(serverOutput).toMatch(/receipt: outbox-[0-9a-f-]+ delivered/);
    expect(serverOutput).toMatch(/feedback: outbox-[0-9a-f-]+ RECEIVED/);
    expect(`${stdout}${serverOutput}`).not.toContain(code);
  }, 60_000);

  it('npm run status finds it by event id and by the masked (or full) number', async () => {
    const byEvent = (await run(tsx, ['app/cli/status.ts', eventId], { cwd: root, env: env() })).stdout;
    expect(byEvent).toMatch(/verified\s+the user entered the code/);
    const byMask = (await run(tsx, ['app/cli/status.ts', '+34*******78'], { cwd: root, env: env() })).stdout;
    const byNumber = (await run(tsx, ['app/cli/status.ts', '+34612345678'], { cwd: root, env: env() }))
      .stdout;
    expect(byMask).toContain(`event ${eventId}`);
    expect(byNumber).toContain(`event ${eventId}`);
    expect(`${byMask}${byNumber}`).not.toContain('612345678');
    const missing = await run(tsx, ['app/cli/status.ts', 'no-such-event'], { cwd: root, env: env() }).catch(
      (error: { code: number; stdout: string }) => error,
    );
    expect(missing).toMatchObject({ code: 1 });
  }, 90_000);

  it('npm run metrics summarises the EMF the stack wrote: delivery and conversion for ES, cost', async () => {
    const { stdout } = await run(tsx, ['app/cli/metrics.ts', '--json'], { cwd: root, env: env() });
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
    const text = (await run(tsx, ['app/cli/metrics.ts'], { cwd: root, env: env() })).stdout;
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
