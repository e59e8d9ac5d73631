import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AesGcmSecretSealer } from '../../adapters/local/aes-gcm-secret-sealer';
import { JsonlDeadLetterQueue } from '../../adapters/local/jsonl-dead-letter-queue';
import { OutboxMessageSender, type OutboxRecord } from '../../adapters/local/outbox-message-sender';
import { SystemClock } from '../../adapters/local/system-clock';
import { buildRedriveContainer } from '../../app/composition/redrive-container';
import type { DeliverySettings } from '../../app/delivery-settings';
import { loadOrCreateDevSecrets } from '../../app/local/dev-secrets';
import { MessageComposer } from '../../app/message-composer';
import { RedriveDeadLetters } from '../../app/redrive-dead-letters';
import type { DeadLetter } from '../../domain/dead-letter';
import { DeliveryError } from '../../domain/errors';
import type { OutboundMessage } from '../../domain/outbound-message';
import type { MessageSender, SendOptions, SendReceipt } from '../../ports/message-sender';
import type { SecretSealer } from '../../ports/secret-sealer';
import { TEST_DELIVERY_SETTINGS } from '../support/delivery-settings';
import { RecordingLogger } from '../support/recording-logger';
import { sampleDeadLetter } from '../support/sample-dead-letter';
import { guardSecret } from '../support/secret-leak-guard';
import { StaticTemplateStore } from '../support/static-template-store';

const SETTINGS: DeliverySettings = TEST_DELIVERY_SETTINGS;

const TEMPLATES = new StaticTemplateStore([
  {
    locale: 'en',
    channel: 'sms',
    purpose: 'generic',
    body: '{{brand}}: your code is {{code}}',
    source: 'catalogue',
  },
  {
    locale: 'fr',
    channel: 'sms',
    purpose: 'generic',
    body: '{{brand}} : votre code est {{code}}',
    source: 'catalogue',
  },
]);

const BLOCKED_PHONE = '+14155550199';
const HANGING_PHONE = '+14155550177';

/** The real outbox, except that one number is "opted out" and one never answers (and ignores the abort). */
class ScriptedSender implements MessageSender {
  constructor(private readonly outbox: MessageSender) {}
  async send(message: OutboundMessage, options: SendOptions): Promise<SendReceipt> {
    if (message.to === BLOCKED_PHONE)
      throw new DeliveryError('opted-out', 'not-sent', 'ConflictException: destination opted out');
    if (message.to === HANGING_PHONE) return new Promise<never>(() => {});
    return this.outbox.send(message, options);
  }
}

async function readJsonl<T>(file: string): Promise<T[]> {
  try {
    return (await readFile(file, 'utf8'))
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as T);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

function code(): string {
  return guardSecret(String(10_000_000 + Math.floor(Math.random() * 90_000_000)));
}

describe('RedriveDeadLetters with the JSONL queue, AES-GCM and the outbox', () => {
  let dir: string;
  let deadLetterFile: string;
  let outboxFile: string;
  let queue: JsonlDeadLetterQueue;
  let sealer: AesGcmSecretSealer;
  let logger: RecordingLogger;
  let redrive: RedriveDeadLetters;
  let codes: string[];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'redrive-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  beforeEach(() => {
    const run = randomUUID();
    deadLetterFile = join(dir, `${run}-dead-letters.jsonl`);
    outboxFile = join(dir, `${run}-outbox.jsonl`);
    queue = new JsonlDeadLetterQueue(deadLetterFile);
    sealer = new AesGcmSecretSealer(randomBytes(32));
    logger = new RecordingLogger();
    codes = [];
    redrive = build(sealer);
  });

  function build(withSealer: SecretSealer, sender?: MessageSender): RedriveDeadLetters {
    const clock = new SystemClock();
    return new RedriveDeadLetters(
      queue,
      withSealer,
      new MessageComposer(TEMPLATES, clock, SETTINGS),
      sender ?? new ScriptedSender(new OutboxMessageSender({ file: outboxFile })),
      clock,
      logger,
    );
  }

  async function park(overrides: Partial<DeadLetter> & { eventId?: string } = {}): Promise<DeadLetter> {
    const eventId = overrides.eventId ?? `evt-${randomUUID()}`;
    const secret = code();
    codes.push(secret);
    const letter: DeadLetter = {
      ...sampleDeadLetter(eventId, await sealer.seal(secret, eventId)),
      ...overrides,
    };
    await queue.park(letter);
    return letter;
  }

  const queued = () => readJsonl<DeadLetter>(deadLetterFile);
  const outbox = () => readJsonl<OutboxRecord>(outboxFile);

  function expectNoCodeLeaked(): void {
    const logs = logger.text();
    for (const secret of codes) expect(logs).not.toContain(secret);
  }

  it('resends a live letter, drops an expired one, keeps one whose send fails', async () => {
    const live = await park({ requestedLocale: 'fr-CA' });
    const expired = await park({ expiresAt: Date.now() - 1_000 });
    const blocked = await park({ to: BLOCKED_PHONE });

    expect(await redrive.run({})).toEqual({
      resent: 1,
      expired: 1,
      failed: 1,
      kept: 1,
      held: 0,
      malformed: 0,
    });

    const sent = await outbox();
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      eventId: live.eventId,
      to: live.to,
      locale: 'fr',
      body: `Acme : votre code est ${codes[0]}`,
    });
    // Only the letter whose send failed is left, unchanged.
    expect(await queued()).toEqual([blocked]);
    expect((await readFile(deadLetterFile, 'utf8')).includes(codes[2] ?? '?')).toBe(false);

    const failure = logger.lines.find((l) => l.message === 'dead letter not resent');
    expect(failure?.fields).toMatchObject({
      eventId: blocked.eventId,
      kind: 'opted-out',
      sendCertainty: 'not-sent',
    });
    expect(logger.lines.find((l) => l.message === 'expired dead letter dropped')?.fields.eventId).toBe(
      expired.eventId,
    );
    const resent = logger.lines.find((l) => l.message === 'dead letter resent')?.fields;
    expect(resent).toMatchObject({ eventId: live.eventId, provider: 'local-outbox' });
    expect(String(resent?.to)).not.toBe(live.to);
    expectNoCodeLeaked();
  });

  it('a dry run unseals and composes but sends and deletes nothing', async () => {
    await park();
    await park({ expiresAt: Date.now() - 60_000 });
    await park({ channel: 'voice' }); // no voice template in the store
    const before = await readFile(deadLetterFile, 'utf8');

    expect(await redrive.run({ dryRun: true })).toEqual({
      resent: 1,
      expired: 1,
      failed: 1,
      kept: 3,
      held: 0,
      malformed: 0,
    });
    expect(await readFile(deadLetterFile, 'utf8')).toBe(before);
    expect(await outbox()).toEqual([]);
    expect(logger.lines.find((l) => l.message === 'dead letter not resent')?.fields.kind).toBe('no-template');
    expectNoCodeLeaked();
  });

  it('never sends the same letter twice in one run, and honours --max', async () => {
    const letter = await park();
    await queue.park(letter); // parked twice (or handed over twice by SQS)
    await park();

    expect(await redrive.run({ max: 2 })).toEqual({
      resent: 1,
      expired: 0,
      failed: 0,
      kept: 0,
      held: 0,
      malformed: 0,
    });
    expect((await outbox()).map((r) => r.eventId)).toEqual([letter.eventId]);
    expect((await queued()).map((l) => l.eventId)).not.toContain(letter.eventId);
    expect(await queued()).toHaveLength(1);

    expect(await redrive.run({})).toEqual({
      resent: 1,
      expired: 0,
      failed: 0,
      kept: 0,
      held: 0,
      malformed: 0,
    });
    expect(await queued()).toEqual([]);
    expectNoCodeLeaked();
  });

  it('aborts a send that hangs at the per-letter deadline and keeps the letter, now marked uncertain', async () => {
    const hanging = await park({ to: HANGING_PHONE });
    const live = await park();
    const started = Date.now();

    expect(await redrive.run({ sendTimeoutMs: 200 })).toEqual({
      resent: 1,
      expired: 0,
      failed: 1,
      kept: 1,
      held: 0,
      malformed: 0,
    });
    expect(Date.now() - started).toBeLessThan(2_000);
    // The hung send may have reached the provider: the letter is re-parked as uncertain, so the next run
    // holds it instead of sending the code again.
    expect(await queued()).toEqual([
      {
        ...hanging,
        certainty: 'uncertain',
        error: { kind: 'deadline-exceeded', message: expect.stringMatching(/^redrive: DeliveryError/) },
        attempts: hanging.attempts + 1,
        failedAt: expect.any(Number),
      },
    ]);
    expect(await redrive.run({})).toEqual({
      resent: 0,
      expired: 0,
      failed: 0,
      kept: 1,
      held: 1,
      malformed: 0,
    });
    expect((await outbox()).map((r) => r.eventId)).toEqual([live.eventId]);
    expect(logger.lines.find((l) => l.message === 'dead letter not resent')?.fields.kind).toBe(
      'deadline-exceeded',
    );
  });

  it('keeps a letter sealed under another key or event, without logging why in clear', async () => {
    const letter = await park();
    // Moved to another event id: AES-GCM's additional data no longer matches.
    const moved = await park({ eventId: 'evt-moved', sealedCode: letter.sealedCode });
    const other = build(new AesGcmSecretSealer(randomBytes(32)));

    expect(await other.run({})).toEqual({ resent: 0, expired: 0, failed: 2, kept: 2, held: 0, malformed: 0 });
    expect(await redrive.run({})).toEqual({
      resent: 1,
      expired: 0,
      failed: 1,
      kept: 1,
      held: 0,
      malformed: 0,
    });
    expect(await queued()).toEqual([moved]);
    expect(
      logger.lines.filter((l) => l.message === 'dead letter not resent').map((l) => l.fields.kind),
    ).toEqual(['unseal-failed', 'unseal-failed', 'unseal-failed']);
    expectNoCodeLeaked();
  });

  it('resends only not-sent letters; uncertain ones are held unless the operator includes them', async () => {
    const notSent = await park();
    const uncertain = await park({
      certainty: 'uncertain',
      error: { kind: 'network', message: 'ECONNRESET' },
    });

    expect(await redrive.run({})).toEqual({
      resent: 1,
      expired: 0,
      failed: 0,
      held: 1,
      malformed: 0,
      kept: 1,
    });
    expect((await outbox()).map((r) => r.eventId)).toEqual([notSent.eventId]);
    expect(await queued()).toEqual([uncertain]);
    expect(
      logger.lines.find((l) => l.message.startsWith('uncertain dead letter held'))?.fields,
    ).toMatchObject({
      eventId: uncertain.eventId,
      certainty: 'uncertain',
    });

    expect(await redrive.run({ includeUncertain: true })).toEqual({
      resent: 1,
      expired: 0,
      failed: 0,
      held: 0,
      malformed: 0,
      kept: 0,
    });
    expect((await outbox()).map((r) => r.eventId)).toEqual([notSent.eventId, uncertain.eventId]);
    expect(await queued()).toEqual([]);
    expectNoCodeLeaked();
  });

  it('reports and skips malformed letters without aborting the run; they stay for an operator', async () => {
    const before = await park();
    const broken = [
      '{"version":2,"eventId":"evt-truncated","idp":"ok',
      JSON.stringify({ ...before, eventId: 'evt-bad', certainty: 'probably', sealedCode: { scheme: 'x' } }),
      JSON.stringify({ ...before, eventId: 'evt-future', version: 3 }),
      '"just a string"',
    ];
    await appendFile(deadLetterFile, `${broken.join('\n')}\n`, 'utf8');
    const after = await park();

    expect(await redrive.run({})).toEqual({
      resent: 2,
      expired: 0,
      failed: 0,
      held: 0,
      malformed: 4,
      kept: 4,
    });
    expect((await outbox()).map((r) => r.eventId)).toEqual([before.eventId, after.eventId]);
    const reports = logger.lines.filter((l) => l.message.startsWith('malformed dead letter skipped'));
    expect(reports.map((l) => String(l.fields.ref).split(':').at(-1))).toEqual(['2', '3', '4', '5']);
    expect(String(reports[1]?.fields.issues)).toMatch(/certainty: expected/);
    expect(String(reports[1]?.fields.issues)).toMatch(/sealedCode\.keyId: expected/);
    expect(String(reports[2]?.fields.issues)).toMatch(/version: expected/);
    // Left exactly as they were.
    expect((await readFile(deadLetterFile, 'utf8')).trim().split('\n')).toEqual(broken);
    expectNoCodeLeaked();
  });

  it('reads version 1 letters: a refused send is resent, one that may have arrived is held', async () => {
    const v1 = async (kind: string) => {
      const letter = await park();
      const { certainty: _, ...rest } = letter;
      return { ...rest, version: 1, error: { kind, retryable: true, message: `${kind} (v1)` } };
    };
    const throttled = await v1('throttled');
    const timedOut = await v1('timeout');
    await writeFile(deadLetterFile, `${JSON.stringify(throttled)}\n${JSON.stringify(timedOut)}\n`, 'utf8');

    expect(await redrive.run({})).toEqual({
      resent: 1,
      expired: 0,
      failed: 0,
      held: 1,
      malformed: 0,
      kept: 1,
    });
    expect((await outbox()).map((r) => r.eventId)).toEqual([throttled.eventId]);
    expectNoCodeLeaked();
  });

  it('is wired by the redrive container', async () => {
    const letter = await park();
    const container = buildRedriveContainer({
      deadLetters: queue,
      sealer,
      templates: TEMPLATES,
      sender: new OutboxMessageSender({ file: outboxFile }),
      clock: new SystemClock(),
      logger,
      delivery: SETTINGS,
    });
    expect(await container.get(RedriveDeadLetters).run({})).toEqual({
      resent: 1,
      expired: 0,
      failed: 0,
      held: 0,
      malformed: 0,
      kept: 0,
    });
    expect((await outbox())[0]?.body).toBe(`Acme: your code is ${codes[0]}`);
    expect(letter.eventId).toBe((await outbox())[0]?.eventId);
  });
});

describe('npm run redrive (local stack)', () => {
  let dataDir: string;
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it('redrives the data dir with its dev key and prints only counts', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'redrive-cli-'));
    const secrets = await loadOrCreateDevSecrets(dataDir);
    const sealer = new AesGcmSecretSealer(secrets.sealingKey);
    const queue = new JsonlDeadLetterQueue(join(dataDir, 'dead-letters.jsonl'));
    const live = code();
    await queue.park(sampleDeadLetter('evt-cli-live', await sealer.seal(live, 'evt-cli-live')));
    await queue.park({
      ...sampleDeadLetter('evt-cli-old', await sealer.seal(code(), 'evt-cli-old')),
      expiresAt: Date.now() - 1,
    });

    const run = (args: string[]) =>
      promisify(execFile)(process.execPath, ['--import', 'tsx', 'app/cli/redrive.ts', ...args], {
        env: { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'INFO' },
      });
    const dry = await run(['--dry-run']);
    expect(dry.stdout).toMatch(
      /dry run \(local dead-letter file\): would resend 1, would drop 1 expired, 0 would fail, 0 uncertain held/,
    );

    const real = await run(['--max', '10']);
    expect(real.stdout).toMatch(
      /resent 1, dropped 1 expired, failed 0, 0 uncertain held \(see --include-uncertain\), 0 malformed skipped, 0 kept/,
    );
    expect(`${dry.stdout}${dry.stderr}${real.stdout}${real.stderr}`).not.toContain(live);
    const [record] = await readJsonl<OutboxRecord>(join(dataDir, 'outbox.jsonl'));
    expect(record?.body).toContain(live);
    expect(record?.templateSource).toBe('catalogue');
    expect(await readJsonl(join(dataDir, 'dead-letters.jsonl'))).toEqual([]);
  }, 60_000);
});
