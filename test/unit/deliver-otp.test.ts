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
import { DeliverOtp } from '../../app/deliver-otp';
import type { DeliverySettings } from '../../app/delivery-settings';
import { MessageComposer } from '../../app/message-composer';
import type { DeliveryRequest } from '../../domain/delivery-request';
import { DeliveryError } from '../../domain/errors';
import type { MessageTemplate } from '../../domain/message-template';
import type { OutboundMessage } from '../../domain/outbound-message';
import type { DeadLetterQueue } from '../../ports/dead-letter-queue';
import type { IdempotencyStore } from '../../ports/idempotency-store';
import type { MessageSender, SendOptions, SendReceipt } from '../../ports/message-sender';
import { TEST_DELIVERY_SETTINGS } from '../support/delivery-settings';
import { RecordingLogger } from '../support/recording-logger';
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
    const outcome = await useCase(new OutboxMessageSender({ file: outbox })).execute(req);
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
    await useCase(sender).execute(request({ purpose: 'enrollment', requestedLocale: 'en-GB' }));
    expect(sender.sent[0]?.body).toMatch(/confirms your phone/);
  });

  it('renders voice as SSML with the voice id of the template', async () => {
    const sender = new ScriptedSender();
    const req = request({ channel: 'voice' });
    const outcome = await useCase(sender).execute(req);
    expect(outcome.status).toBe('SUCCESSFUL');
    expect(sender.sent[0]).toMatchObject({ bodyType: 'ssml', voiceId: 'JOANNA', locale: 'en' });
    expect(sender.sent[0]?.body.startsWith('<speak>')).toBe(true);
  });

  it('never sends twice for the same event, and replays the first reply', async () => {
    const sender = new ScriptedSender();
    const deliver = useCase(sender);
    const req = request();
    const first = await deliver.execute(req);
    const again = await deliver.execute(req);
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
    await deliver.execute(req);
    const replayed = await deliver.execute({ ...req, eventId: 'another-event' });
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
    const first = deliver.execute(req);
    await new Promise((r) => setTimeout(r, 20));
    const duplicate = await deliver.execute(req);
    release();
    expect(duplicate).toMatchObject({ status: 'PENDING', duplicate: true });
    expect((await first).status).toBe('SUCCESSFUL');
  });

  it('parks a terminal provider failure with the code sealed, and replies FAILED', async () => {
    const req = request();
    const outcome = await useCase(
      new ScriptedSender(
        new DeliveryError('opted-out', 'ConflictException: DESTINATION_PHONE_NUMBER_OPTED_OUT'),
      ),
    ).execute(req);
    expect(outcome).toMatchObject({ status: 'FAILED', failureReason: 'opted-out' });
    const raw = await readFile(join(dir, 'dead.jsonl'), 'utf8');
    expect(raw).not.toContain(req.code);
    const [received] = await deadLetters.receive(10);
    expect(received?.letter).toMatchObject({
      eventId: req.eventId,
      to: req.phone,
      channel: 'sms',
      error: { kind: 'opted-out', retryable: false },
    });
    if (!received) throw new Error('expected a dead letter');
    expect(await sealer.unseal(received.letter.sealedCode, req.eventId)).toBe(req.code);
  });

  it('replies by the deadline even when the provider never answers, and parks the request', async () => {
    const settings = { ...SETTINGS, deadlineMs: 400, failurePathReserveMs: 150 };
    const started = Date.now();
    const outcome = await useCase(new ScriptedSender('hang-ignoring-signal'), settings).execute(
      request(),
      started,
    );
    expect(outcome).toMatchObject({ status: 'FAILED', failureReason: 'deadline-exceeded' });
    expect(Date.now() - started).toBeLessThan(settings.deadlineMs);
    expect(await deadLetters.receive(10)).toHaveLength(1);
  });

  it('refuses an expired code without sending it', async () => {
    const sender = new ScriptedSender();
    const outcome = await useCase(sender).execute(request({ expiresAt: new Date(Date.now() - 120_000) }));
    expect(outcome).toMatchObject({ status: 'FAILED', failureReason: 'code-expired' });
    expect(sender.sent).toHaveLength(0);
  });

  it('fails safe (sends nothing) when idempotency cannot be checked', async () => {
    const sender = new ScriptedSender();
    const broken: IdempotencyStore = {
      claim: () => Promise.reject(new Error('ECONNREFUSED')),
      complete: () => Promise.resolve(),
    };
    const outcome = await useCase(sender, SETTINGS, broken).execute(request());
    expect(outcome).toMatchObject({ status: 'FAILED', failureReason: 'idempotency-unavailable' });
    expect(sender.sent).toHaveLength(0);
    expect(await deadLetters.receive(10)).toHaveLength(1);
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
        new DeliveryError('destination-blocked', 'ConflictException: DESTINATION_COUNTRY_BLOCKED'),
      ),
      idempotency,
      broken,
      sealer,
      new HmacFingerprinter(randomBytes(32)),
      new SystemClock(),
      logger,
      SETTINGS,
    );
    const outcome = await deliver.execute(req);
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

  it('logs the masked phone and never the code', async () => {
    const req = request();
    await useCase(new ScriptedSender()).execute(req);
    await useCase(
      new ScriptedSender(new DeliveryError('throttled', `ThrottlingException (code ${req.code} echoed)`)),
    ).execute(request({ code: req.code, eventId: 'e2', phone: '+447700900123' }));
    const text = logger.text();
    expect(text).not.toContain(req.code);
    expect(text).not.toContain('4155550123');
    expect(text).toMatch(/\+1\*+23/);
  });
});
