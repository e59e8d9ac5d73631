import { randomBytes } from 'node:crypto';
import { AesGcmSecretSealer } from '../../adapters/local/aes-gcm-secret-sealer';
import { HmacFingerprinter } from '../../adapters/local/hmac-fingerprinter';
import { InMemoryIdempotencyStore } from '../../adapters/local/in-memory-idempotency-store';
import { InMemoryRateCounterStore } from '../../adapters/local/in-memory-rate-counter-store';
import { Brakes } from '../../app/brakes';
import type { BrakesSettings } from '../../app/brakes-settings';
import { DeliverOtp } from '../../app/deliver-otp';
import { MessageComposer } from '../../app/message-composer';
import type { BrakePolicy } from '../../domain/brake-policy';
import type { DeliveryRequest } from '../../domain/delivery-request';
import type { MessageTemplate } from '../../domain/message-template';
import type { OutboundMessage } from '../../domain/outbound-message';
import type { MessageSender, SendReceipt } from '../../ports/message-sender';
import type { RateCounterStore } from '../../ports/rate-counter-store';
import { DEFAULT_POLICY } from './brake-policy';
import { TEST_DELIVERY_SETTINGS, testDeadline } from './delivery-settings';
import { MemoryDeadLetters } from './memory-dead-letters';
import { RecordingLogger } from './recording-logger';
import { StaticTemplateStore } from './static-template-store';

export const BRAKE_TEST_TEMPLATES: MessageTemplate[] = [
  { locale: 'en', channel: 'sms', purpose: 'generic', body: '{{brand}}: {{code}}', source: 'catalogue' },
  // A temporary password is never served by a generic template: it has its own.
  {
    locale: 'en',
    channel: 'sms',
    purpose: 'temporary-password',
    body: '{{brand}} temporary password: {{code}}',
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

export class CountingSender implements MessageSender {
  readonly sent: OutboundMessage[] = [];
  async send(message: OutboundMessage): Promise<SendReceipt> {
    this.sent.push(message);
    return { provider: 'counting', messageId: `m-${this.sent.length}`, status: 'SUCCESSFUL', attempts: 1 };
  }
}

/** DeliverOtp with brakes, in memory, on a clock the test moves. */
export function brakedDelivery(
  options: {
    policy?: BrakePolicy;
    counters?: RateCounterStore;
    onCounterFailure?: BrakesSettings['onCounterFailure'];
    counterTimeoutMs?: number;
    /** Coarse guards counted by the instance, written at most this often (BrakesSettings.coarseFlushMs). */
    coarseFlushMs?: number;
    start?: number;
    /** Same key, same counter keys: lets two runs be compared counter by counter. */
    fingerprintKey?: Buffer;
  } = {},
) {
  const time = { now: options.start ?? Date.UTC(2026, 10, 30, 9, 0, 0) };
  const clock = { now: () => time.now };
  const logger = new RecordingLogger();
  const sender = new CountingSender();
  const deadLetters = new MemoryDeadLetters();
  const counters = options.counters ?? new InMemoryRateCounterStore(clock.now);
  const settings: BrakesSettings = {
    policy: options.policy ?? DEFAULT_POLICY,
    onCounterFailure: options.onCounterFailure ?? 'open',
    counterTimeoutMs: options.counterTimeoutMs ?? 400,
    ...(options.coarseFlushMs !== undefined ? { coarseFlushMs: options.coarseFlushMs } : {}),
  };
  const fingerprinter = new HmacFingerprinter(options.fingerprintKey ?? randomBytes(32));
  const brakes = new Brakes(counters, fingerprinter, clock, logger, settings);
  const useCase = new DeliverOtp(
    new MessageComposer(new StaticTemplateStore(BRAKE_TEST_TEMPLATES), clock, TEST_DELIVERY_SETTINGS),
    sender,
    new InMemoryIdempotencyStore(clock.now),
    deadLetters,
    new AesGcmSecretSealer(randomBytes(32)),
    fingerprinter,
    clock,
    logger,
    TEST_DELIVERY_SETTINGS,
    brakes,
  );
  // The budget counts from the moment the test says the request arrived (default: its clock's now).
  const deliver = {
    execute: (request: DeliveryRequest, startedAt: number = time.now) =>
      useCase.execute(request, testDeadline(2500, startedAt)),
  };
  return { deliver, brakes, time, clock, logger, sender, deadLetters, counters };
}
