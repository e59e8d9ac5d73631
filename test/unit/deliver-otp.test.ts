import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { AesGcmSecretSealer } from '../../adapters/local/aes-gcm-secret-sealer';
import { HmacFingerprinter } from '../../adapters/local/hmac-fingerprinter';
import { InMemoryIdempotencyStore } from '../../adapters/local/in-memory-idempotency-store';
import { JsonlDeadLetterQueue } from '../../adapters/local/jsonl-dead-letter-queue';
import { OutboxMessageSender } from '../../adapters/local/outbox-message-sender';
import { SystemClock } from '../../adapters/local/system-clock';
import { DeliverOtp, REPLY_MARGIN_MS } from '../../app/deliver-otp';
import type { DeliverySettings } from '../../app/delivery-settings';
import { MessageComposer } from '../../app/message-composer';
import type { DeadLetter, SealedSecret } from '../../domain/dead-letter';
import type { DeliveryOutcome } from '../../domain/delivery-outcome';
import type { DeliveryRequest } from '../../domain/delivery-request';
import { DeliveryError } from '../../domain/errors';
import type { MessageTemplate } from '../../domain/message-template';
import type { OutboundMessage } from '../../domain/outbound-message';
import type { CallOptions } from '../../ports/call-options';
import type { DeadLetterQueue } from '../../ports/dead-letter-queue';
import type { ClaimResult, IdempotencyKeys, IdempotencyStore } from '../../ports/idempotency-store';
import type { MessageSender, SendOptions, SendReceipt } from '../../ports/message-sender';
import type { SecretSealer } from '../../ports/secret-sealer';
import { TEST_DELIVERY_SETTINGS, testDeadline } from '../support/delivery-settings';
import { RecordingLogger } from '../support/recording-logger';
import { validLetters } from '../support/sample-dead-letter';
import { guardSecret } from '../support/secret-leak-guard';
import { StaticTemplateStore } from '../support/static-template-store';

const TEMPLATES: MessageTemplate[] = [
  {
    locale: 'en',
    channel: 'sms',
    purpose: 'generic',
    body: '{{brand}}: your code is {{code}}. It expires in {{minutes}} min.',
    source: 'catalogue',
  },
  {
    locale: 'en',
    channel: 'sms',
    purpose: 'enrollment',
    body: '{{brand}}: {{code}} confirms your phone.',
    source: 'catalogue',
  },
  {
    locale: 'fr',
    channel: 'sms',
    purpose: 'generic',
    body: '{{brand}} : votre code est {{code}}.',
    source: 'catalogue',
  },
  {
    locale: 'en',
    channel: 'voice',
    purpose: 'generic',
    body: 'Your code is {{code}}. Again, {{code}}.',
    voiceId: 'JOANNA',
    source: 'catalogue',
  },
];

const SETTINGS: DeliverySettings = TEST_DELIVERY_SETTINGS;

/** A provider that can be told how to behave; counts what it was asked to send. */
class ScriptedSender implements MessageSender {
  sent: OutboundMessage[] = [];
  constructor(private readonly behaviour: 'ok' | DeliveryError | 'hang-ignoring-signal' = 'ok') {}
  async send(message: OutboundMessage, _options: SendOptions): Promise<SendReceipt> {
    this.sent.push(message);
    if (this.behaviour === 'ok')
      return { provider: 'scripted', messageId: `m-${this.sent.length}`, status: 'SUCCESSFUL', attempts: 1 };
    if (this.behaviour === 'hang-ignoring-signal') return new Promise<never>(() => {});
    throw this.behaviour;
  }
}

/** Waits until its call is aborted, then rejects: a call that would run past any deadline. */
function stallUntilAborted(options: CallOptions | undefined, onAbort: () => void): Promise<never> {
  return new Promise((_, reject) => {
    const signal = options?.signal;
    if (!signal) return;
    signal.addEventListener('abort', () => {
      onAbort();
      reject(Object.assign(new Error('aborted'), { name: 'AbortError' }));
    });
  });
}

/**
 * An idempotency store whose `complete` stalls until aborted. The use case drops its deadline timer when
 * it returns, so an abort seen at all was seen before the reply: nothing left running after it.
 */
class StallingStore implements IdempotencyStore {
  abortedBeforeReturn = false;
  constructor(private readonly inner: IdempotencyStore) {}
  claim(keys: IdempotencyKeys, expiresAt: number): Promise<ClaimResult> {
    return this.inner.claim(keys, expiresAt);
  }
  complete(_k: IdempotencyKeys, _s: 'sent' | 'failed', _o: DeliveryOutcome, options?: CallOptions) {
    return stallUntilAborted(options, () => {
      this.abortedBeforeReturn = true;
    });
  }
}

/** A dead-letter queue whose `park` stalls until aborted (see StallingStore). */
class StallingQueue implements DeadLetterQueue {
  abortedBeforeReturn = false;
  park(_letter: DeadLetter, options?: CallOptions): Promise<void> {
    return stallUntilAborted(options, () => {
      this.abortedBeforeReturn = true;
    });
  }
  receive() {
    return Promise.resolve([]);
  }
}

/** A sealer that takes `ms` to answer (a slow KMS), honours its abort signal, and says when it was asked. */
class SlowSealer implements SecretSealer {
  readonly startedAfterMs: number[] = [];
  aborted = false;
  private readonly created = Date.now();
  constructor(
    private readonly inner: SecretSealer,
    private readonly ms: number,
  ) {}
  async seal(plaintext: string, eventId: string, options?: CallOptions): Promise<SealedSecret> {
    this.startedAfterMs.push(Date.now() - this.created);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, this.ms);
      options?.signal?.addEventListener('abort', () => {
        this.aborted = true;
        clearTimeout(timer);
        reject(Object.assign(new Error('aborted'), { name: 'AbortError' }));
      });
    });
    return this.inner.seal(plaintext, eventId);
  }
  unseal(sealed: SealedSecret, eventId: string): Promise<string> {
    return this.inner.unseal(sealed, eventId);
  }
}

function request(overrides: Partial<DeliveryRequest> = {}): DeliveryRequest {
  return {
    eventId: `evt-${randomBytes(6).toString('hex')}`,
    idp: 'okta',
    purpose: 'verification',
    channel: 'sms',
    phone: '+14155550123',
    code: guardSecret(String(10_000_000 + Math.floor(Math.random() * 89_999_999))),
    expiresAt: new Date(Date.now() + 300_000),
    requestedLocale: 'fr-CA',
    firstName: 'Alex',
    ...overrides,
  };
}

describe('DeliverOtp', () => {
  let dir: string;
  let logger: RecordingLogger;
  let sealer: AesGcmSecretSealer;
  let deadLetters: JsonlDeadLetterQueue;
  let idempotency: IdempotencyStore;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'deliver-otp-'));
    logger = new RecordingLogger();
    sealer = new AesGcmSecretSealer(randomBytes(32));
    deadLetters = new JsonlDeadLetterQueue(join(dir, 'dead.jsonl'));
    idempotency = new InMemoryIdempotencyStore();
  });

  function useCase(
    sender: MessageSender,
    settings: DeliverySettings = SETTINGS,
    store: IdempotencyStore = idempotency,
  ) {
    const clock = new SystemClock();
    return new DeliverOtp(
      new MessageComposer(new StaticTemplateStore(TEMPLATES), clock, settings),
      sender,
      store,
      deadLetters,
      sealer,
      new HmacFingerprinter(randomBytes(32)),
      clock,
      logger,
      settings,
    );
  }

  it('sends once in the best locale and reports which template served', async () => {
    const outbox = join(dir, 'outbox.jsonl');
    const req = request();
    const outcome = await useCase(new OutboxMessageSender({ file: outbox })).execute(req, testDeadline());
    expect(outcome).toMatchObject({
      status: 'SUCCESSFUL',
      locale: 'fr',
      templateSource: 'catalogue',
      provider: 'local-outbox',
    });
    const [line] = (await readFile(outbox, 'utf8')).trim().split('\n');
    const record = JSON.parse(line ?? '{}');
    expect(record).toMatchObject({
      eventId: req.eventId,
      channel: 'sms',
      to: '+14155550123',
      locale: 'fr',
      encoding: 'GSM-7',
      segments: 1,
    });
    expect(record.body).toBe(`Acme : votre code est ${req.code}.`);
  });

  it('uses the purpose-specific template when there is one', async () => {
    const sender = new ScriptedSender();
    await useCase(sender).execute(
      request({ purpose: 'enrollment', requestedLocale: 'en-GB' }),
      testDeadline(),
    );
    expect(sender.sent[0]?.body).toMatch(/confirms your phone/);
  });

  it('renders voice as SSML with the voice id of the template', async () => {
    const sender = new ScriptedSender();
    const req = request({ channel: 'voice' });
    const outcome = await useCase(sender).execute(req, testDeadline());
    expect(outcome.status).toBe('SUCCESSFUL');
    expect(sender.sent[0]).toMatchObject({ bodyType: 'ssml', voiceId: 'JOANNA', locale: 'en' });
    expect(sender.sent[0]?.body.startsWith('<speak>')).toBe(true);
  });

  it('never sends twice for the same event, and replays the first reply', async () => {
    const sender = new ScriptedSender();
    const deliver = useCase(sender);
    const req = request();
    const first = await deliver.execute(req, testDeadline());
    const again = await deliver.execute(req, testDeadline());
    expect(sender.sent).toHaveLength(1);
    expect(again).toMatchObject({
      status: 'SUCCESSFUL',
      transactionId: first.transactionId,
      duplicate: true,
    });
  });

  it('never sends the same code to the same phone twice, even under a new event id', async () => {
    const sender = new ScriptedSender();
    const deliver = useCase(sender);
    const req = request();
    await deliver.execute(req, testDeadline());
    const replayed = await deliver.execute({ ...req, eventId: 'another-event' }, testDeadline());
    expect(sender.sent).toHaveLength(1);
    expect(replayed.duplicate).toBe(true);
  });

  it('answers PENDING to a duplicate that arrives while the first is still sending', async () => {
    let release: () => void = () => {};
    const slow: MessageSender = {
      send: () =>
        new Promise((resolve) => {
          release = () => resolve({ provider: 'slow', messageId: 'm1', status: 'SUCCESSFUL', attempts: 1 });
        }),
    };
    const deliver = useCase(slow);
    const req = request();
    const first = deliver.execute(req, testDeadline());
    await new Promise((r) => setTimeout(r, 20));
    const duplicate = await deliver.execute(req, testDeadline());
    release();
    expect(duplicate).toMatchObject({ status: 'PENDING', duplicate: true });
    expect((await first).status).toBe('SUCCESSFUL');
  });

  it('parks a terminal provider failure with the code sealed, and replies FAILED', async () => {
    const req = request();
    const outcome = await useCase(
      new ScriptedSender(
        new DeliveryError('opted-out', 'not-sent', 'ConflictException: DESTINATION_PHONE_NUMBER_OPTED_OUT'),
      ),
    ).execute(req, testDeadline());
    expect(outcome).toMatchObject({ status: 'FAILED', failureReason: 'opted-out' });
    const raw = await readFile(join(dir, 'dead.jsonl'), 'utf8');
    expect(raw).not.toContain(req.code);
    const [received] = validLetters(await deadLetters.receive(10));
    expect(received?.letter).toMatchObject({
      version: 2,
      eventId: req.eventId,
      to: req.phone,
      channel: 'sms',
      certainty: 'not-sent',
      error: { kind: 'opted-out' },
    });
    if (!received) throw new Error('expected a dead letter');
    expect(await sealer.unseal(received.letter.sealedCode, req.eventId)).toBe(req.code);
  });

  it('replies by the deadline even when the provider never answers, and parks the request as uncertain', async () => {
    const settings = { ...SETTINGS, failurePathReserveMs: 150 };
    const started = Date.now();
    const outcome = await useCase(new ScriptedSender('hang-ignoring-signal'), settings).execute(
      request(),
      testDeadline(400, started),
    );
    expect(outcome).toMatchObject({ status: 'FAILED', failureReason: 'deadline-exceeded' });
    expect(Date.now() - started).toBeLessThan(400);
    // Parked before the reply, not after it.
    const letters = validLetters(await deadLetters.receive(10));
    expect(letters.map((l) => l.letter.certainty)).toEqual(['uncertain']);
  });

  it('an uncertain provider failure is parked uncertain; a foreign error from a sender too', async () => {
    const reset = new DeliveryError('network', 'uncertain', 'sms send failed: TimeoutError ECONNRESET');
    await useCase(new ScriptedSender(reset)).execute(request({ eventId: 'evt-reset' }), testDeadline());
    const buggy: MessageSender = { send: () => Promise.reject(new TypeError('bug')) };
    await useCase(buggy).execute(request({ eventId: 'evt-bug' }), testDeadline());
    const letters = validLetters(await deadLetters.receive(10)).map((l) => l.letter);
    expect(letters.map((l) => [l.eventId, l.error.kind, l.certainty])).toEqual([
      ['evt-reset', 'network', 'uncertain'],
      ['evt-bug', 'internal-error', 'uncertain'],
    ]);
  });

  it('refuses an expired code without sending it', async () => {
    const sender = new ScriptedSender();
    const outcome = await useCase(sender).execute(
      request({ expiresAt: new Date(Date.now() - 120_000) }),
      testDeadline(),
    );
    expect(outcome).toMatchObject({ status: 'FAILED', failureReason: 'code-expired' });
    expect(sender.sent).toHaveLength(0);
  });

  it('deduplicates replays of an expired event like any other: one letter, however many replays', async () => {
    const deliver = useCase(new ScriptedSender());
    const expired = request({ expiresAt: new Date(Date.now() - 120_000) });
    const first = await deliver.execute(expired, testDeadline());
    const replays = await Promise.all([1, 2, 3].map(() => deliver.execute(expired, testDeadline())));
    expect(first).toMatchObject({ status: 'FAILED', failureReason: 'code-expired' });
    for (const replay of replays) {
      expect(replay).toMatchObject({ status: 'FAILED', failureReason: 'code-expired', duplicate: true });
    }
    expect(validLetters(await deadLetters.receive(10)).map((l) => l.letter.eventId)).toEqual([
      expired.eventId,
    ]);
  });

  it('a request stamped longer ago than its budget is answered FAILED without sending, however old', async () => {
    for (const ageMs of [2_600, 11_000, 3_600_000]) {
      const sender = new ScriptedSender();
      const deliver = useCase(sender);
      const req = request();
      const started = Date.now();
      const outcome = await deliver.execute(req, testDeadline(2_500, started - ageMs));
      expect(outcome).toMatchObject({ status: 'FAILED', failureReason: 'deadline-exceeded' });
      expect(sender.sent).toHaveLength(0);
      // Bounded: a slot of its own for claim and parking (one reserve each), not a fresh budget.
      expect(Date.now() - started).toBeLessThan(2 * SETTINGS.failurePathReserveMs + REPLY_MARGIN_MS);
      // Parked as not sent (redrive may send it), and its replay is a duplicate, not a second letter.
      const again = await deliver.execute(req, testDeadline(2_500, started - ageMs));
      expect(again.duplicate).toBe(true);
    }
    const letters = validLetters(await deadLetters.receive(10)).map((l) => l.letter);
    expect(letters.map((l) => [l.error.kind, l.certainty])).toEqual(
      Array(3).fill(['deadline-exceeded', 'not-sent']),
    );
  });

  it('replies SUCCESSFUL once the provider accepted, however slow the record; the record is cut short', async () => {
    const store = new StallingStore(idempotency);
    const sender = new ScriptedSender();
    const started = Date.now();
    const outcome = await useCase(sender, SETTINGS, store).execute(request(), testDeadline(400, started));
    const elapsed = Date.now() - started;
    expect(outcome).toMatchObject({ status: 'SUCCESSFUL', transactionId: 'm-1' });
    expect(elapsed).toBeLessThan(400);
    expect(elapsed).toBeGreaterThanOrEqual(400 - REPLY_MARGIN_MS - 5);
    // Nothing left running after the reply: the stalled call was aborted before it.
    expect(store.abortedBeforeReturn).toBe(true);
    expect(logger.lines.find((l) => l.message === 'could not record delivery state')?.fields).toMatchObject({
      state: 'sent',
      cutShort: true,
    });
    expect(await deadLetters.receive(10)).toEqual([]);
  });

  it('a failure path slower than its reserve: the reply still leaves by the deadline, with the sealed code logged', async () => {
    const stalled = new StallingQueue();
    const deliver = new DeliverOtp(
      new MessageComposer(new StaticTemplateStore(TEMPLATES), new SystemClock(), SETTINGS),
      new ScriptedSender(new DeliveryError('throttled', 'not-sent', 'ThrottlingException HTTP 400')),
      idempotency,
      stalled,
      sealer,
      new HmacFingerprinter(randomBytes(32)),
      new SystemClock(),
      logger,
      SETTINGS,
    );
    const req = request();
    const started = Date.now();
    const outcome = await deliver.execute(req, testDeadline(400, started));
    expect(outcome).toMatchObject({ status: 'FAILED', failureReason: 'throttled' });
    expect(Date.now() - started).toBeLessThan(400);
    expect(stalled.abortedBeforeReturn).toBe(true);
    const line = logger.lines.find((l) => l.message === 'dead letter could not be parked');
    expect(line?.fields).toMatchObject({ certainty: 'not-sent', cutShort: true, parkError: 'AbortError' });
    const sealed = {
      scheme: String(line?.fields.sealedScheme),
      keyId: String(line?.fields.sealedKeyId),
      ciphertext: String(line?.fields.sealedCode),
    };
    expect(await sealer.unseal(sealed, req.eventId)).toBe(req.code);
  });

  it('seals ahead while a send runs late, so a slow sealer still makes the letter before the reply', async () => {
    // Sealing takes 200 ms; the failure path's reserve is 150 ms: only sealing ahead can fit.
    const slowSealer = new SlowSealer(sealer, 200);
    const deliver = new DeliverOtp(
      new MessageComposer(new StaticTemplateStore(TEMPLATES), new SystemClock(), SETTINGS),
      new ScriptedSender('hang-ignoring-signal'),
      idempotency,
      deadLetters,
      slowSealer,
      new HmacFingerprinter(randomBytes(32)),
      new SystemClock(),
      logger,
      { ...SETTINGS, failurePathReserveMs: 150 },
    );
    const started = Date.now();
    const outcome = await deliver.execute(request(), testDeadline(800, started));
    expect(outcome.status).toBe('FAILED');
    expect(Date.now() - started).toBeLessThan(800);
    // Started halfway to the send deadline ((800 − 150) / 2 ms), while the send still ran.
    expect(slowSealer.startedAfterMs[0]).toBeGreaterThanOrEqual(310);
    expect(slowSealer.startedAfterMs[0]).toBeLessThan(480);
    expect(validLetters(await deadLetters.receive(10))).toHaveLength(1);
  });

  it('never seals ahead for a prompt send, and cancels sealing ahead when a late send succeeds', async () => {
    const prompt = new SlowSealer(sealer, 0);
    await new DeliverOtp(
      new MessageComposer(new StaticTemplateStore(TEMPLATES), new SystemClock(), SETTINGS),
      new ScriptedSender(),
      idempotency,
      deadLetters,
      prompt,
      new HmacFingerprinter(randomBytes(32)),
      new SystemClock(),
      logger,
      SETTINGS,
    ).execute(request(), testDeadline());
    await new Promise((r) => setTimeout(r, 50));
    expect(prompt.startedAfterMs).toEqual([]);

    const late = new SlowSealer(sealer, 1_000);
    const lateSender: MessageSender = {
      send: () =>
        new Promise((resolve) =>
          setTimeout(
            () => resolve({ provider: 'late', messageId: 'm', status: 'SUCCESSFUL', attempts: 1 }),
            300,
          ),
        ),
    };
    const outcome = await new DeliverOtp(
      new MessageComposer(new StaticTemplateStore(TEMPLATES), new SystemClock(), SETTINGS),
      lateSender,
      idempotency,
      deadLetters,
      late,
      new HmacFingerprinter(randomBytes(32)),
      new SystemClock(),
      logger,
      { ...SETTINGS, failurePathReserveMs: 150 },
    ).execute(request(), testDeadline(500));
    expect(outcome.status).toBe('SUCCESSFUL');
    expect(late.startedAfterMs).toHaveLength(1);
    expect(late.aborted).toBe(true);
  });

  it('fails safe (sends nothing) when idempotency cannot be checked', async () => {
    const sender = new ScriptedSender();
    const broken: IdempotencyStore = {
      claim: () => Promise.reject(new Error('ECONNREFUSED')),
      complete: () => Promise.resolve(),
    };
    const outcome = await useCase(sender, SETTINGS, broken).execute(request(), testDeadline());
    expect(outcome).toMatchObject({ status: 'FAILED', failureReason: 'idempotency-unavailable' });
    expect(sender.sent).toHaveLength(0);
    // Nothing sent by this request, but without the claim a duplicate of it may have sent: uncertain.
    expect(validLetters(await deadLetters.receive(10)).map((l) => l.letter.certainty)).toEqual(['uncertain']);
  });

  it('logs every non-secret field and the sealed code when the dead letter itself cannot be parked', async () => {
    const req = request();
    const broken: DeadLetterQueue = {
      park: () => Promise.reject(new Error('queue unavailable')),
      receive: () => Promise.resolve([]),
    };
    const deliver = new DeliverOtp(
      new MessageComposer(new StaticTemplateStore(TEMPLATES), new SystemClock(), SETTINGS),
      new ScriptedSender(
        new DeliveryError(
          'destination-blocked',
          'not-sent',
          'ConflictException: DESTINATION_COUNTRY_BLOCKED',
        ),
      ),
      idempotency,
      broken,
      sealer,
      new HmacFingerprinter(randomBytes(32)),
      new SystemClock(),
      logger,
      SETTINGS,
    );
    const outcome = await deliver.execute(req, testDeadline());
    expect(outcome).toMatchObject({ status: 'FAILED', failureReason: 'destination-blocked' });
    const line = logger.lines.find((l) => l.message === 'dead letter could not be parked');
    expect(line?.fields).toMatchObject({
      eventId: req.eventId,
      channel: 'sms',
      purpose: 'verification',
      kind: 'destination-blocked',
      to: '+1********23',
      sealedScheme: 'aes-256-gcm',
    });
    const sealed = {
      scheme: String(line?.fields.sealedScheme),
      keyId: String(line?.fields.sealedKeyId),
      ciphertext: String(line?.fields.sealedCode),
    };
    expect(await sealer.unseal(sealed, req.eventId)).toBe(req.code);
    expect(logger.text()).not.toContain(req.code);
  });

  it('a prompt delivery: the claim and the send share the send deadline’s signal, and no timer outlives the reply', async () => {
    const seen: { claim?: AbortSignal; send?: AbortSignal } = {};
    const store: IdempotencyStore = {
      claim: (keys, expiresAt, options) => {
        seen.claim = options?.signal;
        return idempotency.claim(keys, expiresAt, options);
      },
      complete: (keys, state, outcome, options) => idempotency.complete(keys, state, outcome, options),
    };
    const sender: MessageSender = {
      send: async (_message, options) => {
        seen.send = options.signal;
        return { provider: 'scripted', messageId: 'm-1', status: 'SUCCESSFUL', attempts: 1 };
      },
    };
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    const outcome = await useCase(sender, SETTINGS, store).execute(request(), testDeadline());
    expect(outcome.status).toBe('SUCCESSFUL');
    expect(seen.send).toBeDefined();
    expect(seen.send).toBe(seen.claim);
    expect(seen.send?.aborted).toBe(false);
    expect(timers()).toBe(before);
  });

  it('logs the masked phone and never the code', async () => {
    const req = request();
    await useCase(new ScriptedSender()).execute(req, testDeadline());
    await useCase(
      new ScriptedSender(
        new DeliveryError('throttled', 'not-sent', `ThrottlingException (code ${req.code} echoed)`),
      ),
    ).execute(request({ code: req.code, eventId: 'e2', phone: '+447700900123' }), testDeadline());
    const text = logger.text();
    expect(text).not.toContain(req.code);
    expect(text).not.toContain('4155550123');
    expect(text).toMatch(/\+1\*+23/);
  });
});
