import { parsePhoneNumberFromString } from 'libphonenumber-js';

/** What the carrier needs of a sent message (the outbox record has it all). */
export interface CarriedMessage {
  readonly messageId: string;
  readonly eventId: string;
  readonly purpose: string;
  readonly channel: 'sms' | 'voice';
  readonly to: string;
  readonly encoding?: string;
  readonly segments?: number;
  readonly sentAt: string;
}

export interface SimulatedCarrierSettings {
  /** Receives each event, shaped as End User Messaging publishes it to an event destination. */
  readonly emit: (event: Record<string, unknown>) => void;
  /** Share of messages that fail (blocked, unreachable, no answer…). Default 0.08. */
  readonly failureRate?: number;
  /** Delay before the first event, and between events, in ms. Default 250–1,200. */
  readonly delayMs?: readonly [number, number];
  /** Source of randomness in [0, 1), injectable for tests. */
  readonly random?: () => number;
  readonly now?: () => number;
}

// Simulated prices (USD per SMS part), not a price list: US and ES from End User Messaging's documented
// event examples, everything else one flat rate.
const SMS_PRICE: Readonly<Record<string, number>> = { US: 0.00581, ES: 0.06087 };
const DEFAULT_SMS_PRICE = 0.05;
const VOICE_PRICE_PER_MINUTE = 0.013;

const SMS_FAILURES = ['TEXT_BLOCKED', 'TEXT_CARRIER_UNREACHABLE', 'TEXT_TTL_EXPIRED', 'TEXT_SPAM'] as const;
const VOICE_FAILURES = ['VOICE_NO_ANSWER', 'VOICE_BUSY', 'VOICE_FAILED'] as const;

/**
 * The local stack's phone network: for each message in the outbox it plays the delivery events End User
 * Messaging would publish, after realistic delays — accepted by the carrier, then delivered, or now and
 * then a failure — so they travel the same receipts path (parser, ledger, metrics) as in AWS.
 */
export class SimulatedCarrier {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly random: () => number;
  private readonly now: () => number;
  private closed = false;

  constructor(private readonly settings: SimulatedCarrierSettings) {
    this.random = settings.random ?? Math.random;
    this.now = settings.now ?? Date.now;
  }

  accept(message: CarriedMessage): void {
    if (this.closed) return;
    const fails = this.random() < (this.settings.failureRate ?? 0.08);
    const steps =
      message.channel === 'voice'
        ? fails
          ? ['VOICE_INITIATED', 'VOICE_RINGING', this.pick(VOICE_FAILURES)]
          : ['VOICE_INITIATED', 'VOICE_RINGING', 'VOICE_ANSWERED', 'VOICE_COMPLETED']
        : fails
          ? ['TEXT_SUCCESSFUL', this.pick(SMS_FAILURES)]
          : ['TEXT_SUCCESSFUL', 'TEXT_DELIVERED'];
    let delay = 0;
    for (const [index, eventType] of steps.entries()) {
      delay += this.delay();
      const isFinal = index === steps.length - 1;
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        if (!this.closed) this.settings.emit(this.event(message, eventType, isFinal));
      }, delay);
      this.timers.add(timer);
    }
  }

  /** Drops every event not yet emitted. */
  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private event(message: CarriedMessage, eventType: string, isFinal: boolean): Record<string, unknown> {
    const country = parsePhoneNumberFromString(message.to)?.country;
    const voice = message.channel === 'voice';
    const parts = message.segments ?? 1;
    const price = voice
      ? VOICE_PRICE_PER_MINUTE
      : Number(
          ((country ? (SMS_PRICE[country] ?? DEFAULT_SMS_PRICE) : DEFAULT_SMS_PRICE) * parts).toFixed(5),
        );
    return {
      eventType,
      eventVersion: '1.0',
      eventTimestamp: this.now(),
      isFinal,
      originationPhoneNumber: voice ? '+12065550152' : 'OTPCOURIER',
      destinationPhoneNumber: message.to,
      ...(country ? { isoCountryCode: country } : {}),
      messageId: message.messageId,
      messageRequestTimestamp: Date.parse(message.sentAt),
      ...(voice ? {} : { messageEncoding: message.encoding === 'UCS-2' ? 'UCS2' : 'GSM' }),
      messageType: 'TRANSACTIONAL',
      messageStatus: eventType.replace(/^(TEXT|VOICE)_/, ''),
      context: { eventId: message.eventId, purpose: message.purpose },
      ...(voice ? {} : { totalMessageParts: parts }),
      totalMessagePrice: price,
      ...(voice ? {} : { totalCarrierFee: country === 'US' ? 0.003 : 0 }),
    };
  }

  private delay(): number {
    const [min, max] = this.settings.delayMs ?? [250, 1_200];
    return Math.round(min + this.random() * (max - min));
  }

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)] as T;
  }
}
