import { randomUUID } from 'node:crypto';
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DeliveryError } from '../../domain/errors';
import { maskPhone } from '../../domain/mask';
import type { OutboundMessage } from '../../domain/outbound-message';
import type { ProviderCapabilities } from '../../domain/provider-capabilities';
import type { MessageProvider } from '../../ports/message-provider';
import type { SendOptions, SendReceipt } from '../../ports/message-sender';

export const OUTBOX_PROVIDER = 'local-outbox';

/** A phone screen reads anything: every channel, any SSML, any voice, any sender. */
const OUTBOX_CAPABILITIES: ProviderCapabilities = {
  channels: ['sms', 'voice'],
  senderTypes: ['phone-number', 'short-code', 'alphanumeric', 'pool'],
};

/** One line of the outbox file: what a phone would have received. */
export interface OutboxRecord {
  /** Which provider "sent" it: the outbox itself, or a local stand-in (the Twilio stand-in writes here too). */
  readonly provider: string;
  readonly messageId: string;
  readonly eventId: string;
  readonly purpose: string;
  readonly channel: 'sms' | 'voice';
  readonly to: string;
  readonly locale: string;
  readonly templateSource: string;
  readonly body: string;
  /** `twiml` for a call the Twilio stand-in received: the TwiML Twilio would have spoken. */
  readonly bodyType: 'text' | 'ssml' | 'twiml';
  readonly voiceId?: string;
  readonly encoding?: string;
  readonly segments?: number;
  readonly sentAt: string;
}

/**
 * The local stand-in for a phone network: appends each message to a JSONL file (the developer's
 * phone screen) and prints a one-line summary. The summary leaves the code out on purpose:
 * console output ends up in CI logs and terminals that are shared; the outbox file is the place to read it.
 */
export class OutboxMessageSender implements MessageProvider {
  readonly name = OUTBOX_PROVIDER;
  readonly capabilities = OUTBOX_CAPABILITIES;

  constructor(
    private readonly settings: {
      file: string;
      announce?: (line: string) => void;
      now?: () => number;
      /** Told of each message once it is in the outbox: the local stack's simulated carrier. */
      onSent?: (record: OutboxRecord) => void;
    },
  ) {}

  async send(message: OutboundMessage, options: SendOptions): Promise<SendReceipt> {
    if (options.signal.aborted)
      throw new DeliveryError('deadline-exceeded', 'not-sent', 'deadline passed before sending');
    const now = this.settings.now ?? Date.now;
    const record: OutboxRecord = {
      provider: OUTBOX_PROVIDER,
      messageId: `outbox-${randomUUID()}`,
      eventId: message.eventId,
      purpose: message.purpose,
      channel: message.channel,
      to: message.to,
      locale: message.locale,
      templateSource: message.templateSource,
      body: message.body,
      bodyType: message.bodyType,
      ...(message.voiceId ? { voiceId: message.voiceId } : {}),
      ...(message.sms ? { encoding: message.sms.encoding, segments: message.sms.segments } : {}),
      sentAt: new Date(now()).toISOString(),
    };
    try {
      await mkdir(dirname(this.settings.file), { recursive: true });
      await appendFile(this.settings.file, `${JSON.stringify(record)}\n`, 'utf8');
    } catch (error) {
      // A failed append leaves at most a partial line no reader accepts: not sent.
      throw new DeliveryError(
        'misconfigured',
        'not-sent',
        `outbox file not writable (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      );
    }
    const detail = message.sms
      ? `${message.sms.segments}×${message.sms.encoding}`
      : `voice ${message.voiceId ?? ''}`.trim();
    this.settings.announce?.(
      `outbox: ${message.channel.toUpperCase()} to ${maskPhone(message.to)} in ${message.locale} (${message.templateSource}, ${detail}) → ${this.settings.file}`,
    );
    this.settings.onSent?.(record);
    return { provider: OUTBOX_PROVIDER, messageId: record.messageId, status: 'SUCCESSFUL', attempts: 1 };
  }
}
