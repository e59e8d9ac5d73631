import {
  type PinpointSMSVoiceV2Client,
  SendTextMessageCommand,
  SendVoiceMessageCommand,
  type VoiceId,
} from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import metadata from 'libphonenumber-js/metadata.min.json';
import { DeliveryError, type DeliveryFailureKind, maySendAgain } from '../../domain/errors';
import type { OutboundMessage } from '../../domain/outbound-message';
import type { MessageSender, SendOptions, SendReceipt } from '../../ports/message-sender';
import { classifyProviderError } from './classify-provider-error';
import { observeWire, WireObservation } from './wire-observation';

export interface EndUserMessagingSettings {
  /** Origination identity (phone number, sender id, pool id or ARN) per ISO 3166-1 alpha-2 country. */
  readonly originationIdentities: Readonly<Record<string, string>>;
  readonly defaultOriginationIdentity: string;
  readonly configurationSetName?: string;
  readonly protectConfigurationId?: string;
  /** USD per SMS part, as the API's string, e.g. "0.10". */
  readonly smsMaxPrice?: string;
  /** USD per voice minute, e.g. "0.05". */
  readonly voiceMaxPricePerMinute?: string;
  /**
   * Send with MessageFeedbackEnabled, so each message gets a feedback record that a confirmed
   * verification marks RECEIVED (PutMessageFeedback) and that End User Messaging marks FAILED an hour
   * later otherwise. Only worth it when verifications are reported back (the Okta event hook).
   */
  readonly messageFeedback?: boolean;
  readonly now?: () => number;
  /** Provider calls per send, first included. Default 3. */
  readonly maxAttempts?: number;
  /** An attempt is only started if at least this much of the budget is left. Default 250 ms. */
  readonly minAttemptMs?: number;
  /** First backoff; doubles per retry, full jitter, capped by the time left. Default 50 ms. */
  readonly baseBackoffMs?: number;
  /** Source of jitter in [0, 1); injectable for tests. */
  readonly random?: () => number;
}

export const END_USER_MESSAGING_PROVIDER = 'aws-end-user-messaging';

// The API's TimeToLive bounds, in seconds (5 s to 72 h).
const MIN_TTL_SECONDS = 5;
const MAX_TTL_SECONDS = 259_200;

/**
 * Sends SMS and voice OTPs through AWS End User Messaging SMS & Voice v2.
 *
 * Retries are ours, not the SDK's: the client must be built with `maxAttempts: 1` (see
 * `createEndUserMessagingClient`), because the SDK's retry strategy knows nothing about the request's
 * deadline, nor about what reached the provider. Here every attempt gets an abort signal that fires at
 * the deadline, backoff is capped by the time left, and no attempt starts with less than `minAttemptMs`
 * left.
 *
 * Only a failure that is `not-sent` (the provider refused, or was never reached) and may pass by itself
 * is retried. SendTextMessage/SendVoiceMessage take no idempotency token, so an attempt whose request may
 * have reached the provider — a timeout, a reset or an abort after the connection was made — may well have
 * been delivered: a retry would put a second message on the phone, and Okta would fall back and send a
 * third. Such a failure ends the send as `uncertain`. Each attempt's socket is watched
 * (wire-observation.ts) so that a failure before any connection existed is known to be `not-sent`.
 */
export class EndUserMessagingSender implements MessageSender {
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly maxAttempts: number;
  private readonly minAttemptMs: number;
  private readonly baseBackoffMs: number;
  private readonly identities: ReadonlyMap<string, string>;

  constructor(
    private readonly client: PinpointSMSVoiceV2Client,
    private readonly settings: EndUserMessagingSettings,
  ) {
    this.now = settings.now ?? Date.now;
    this.random = settings.random ?? Math.random;
    this.maxAttempts = Math.max(1, settings.maxAttempts ?? 3);
    this.minAttemptMs = settings.minAttemptMs ?? 250;
    this.baseBackoffMs = settings.baseBackoffMs ?? 50;
    this.identities = new Map(
      Object.entries(settings.originationIdentities).map(([country, id]) => [country.toUpperCase(), id]),
    );
  }

  async send(message: OutboundMessage, options: SendOptions): Promise<SendReceipt> {
    let attempts = 0;
    for (;;) {
      const left = options.deadline.remaining(this.now());
      if (options.signal.aborted || left <= 0) {
        // Reached only before an attempt starts: nothing of this attempt is on the wire. An earlier
        // attempt that ended uncertain never gets here (it is not retried).
        throw new DeliveryError(
          'deadline-exceeded',
          'not-sent',
          'deadline passed before the provider accepted the message',
          { attempts },
        );
      }
      // Per attempt: a retry sent with the first attempt's TTL could arrive after the code expired.
      const ttl = this.timeToLive(message, attempts);
      attempts += 1;
      const attempt = new AbortController();
      // Fires at the deadline even if the caller's signal is late.
      const timer = setTimeout(() => attempt.abort(new Error('attempt deadline')), left);
      const signal = AbortSignal.any([options.signal, attempt.signal]);
      const wire = new WireObservation();
      try {
        const messageId = await observeWire(wire, () => this.sendOnce(message, ttl, signal));
        // SUCCESSFUL, not PENDING: the provider accepted the message and no delivery receipt will ever reach
        // Okta (it does not poll), so PENDING would add nothing but a status some IdPs treat as not-sent.
        return { provider: END_USER_MESSAGING_PROVIDER, messageId, status: 'SUCCESSFUL', attempts };
      } catch (error) {
        if (error instanceof DeliveryError) throw withAttempts(error, attempts);
        const { kind: classified, certainty, detail } = classifyProviderError(error, wire);
        // An abort is ours: the deadline (or the caller) cut the attempt short.
        const kind: DeliveryFailureKind = signal.aborted ? 'deadline-exceeded' : classified;
        const failure = new DeliveryError(kind, certainty, `${message.channel} send failed: ${detail}`, {
          attempts,
        });
        const retry =
          maySendAgain(failure) &&
          attempts < this.maxAttempts &&
          options.deadline.remaining(this.now()) > this.minAttemptMs;
        if (!retry) throw failure;
        const budget = options.deadline.remaining(this.now()) - this.minAttemptMs;
        const backoff = Math.min(budget, this.random() * this.baseBackoffMs * 2 ** (attempts - 1));
        await sleep(Math.max(0, backoff), options.signal);
      } finally {
        clearTimeout(timer);
      }
    }
  }

  private async sendOnce(message: OutboundMessage, ttl: number, abortSignal: AbortSignal): Promise<string> {
    const common = {
      DestinationPhoneNumber: message.to,
      OriginationIdentity: this.originationIdentity(message.to),
      ConfigurationSetName: this.settings.configurationSetName,
      ProtectConfigurationId: this.settings.protectConfigurationId,
      TimeToLive: ttl,
      ...(this.settings.messageFeedback ? { MessageFeedbackEnabled: true } : {}),
      // Shows up in delivery events, so a receipt can be traced back to the IdP event. Never the code.
      Context: { eventId: message.eventId, purpose: message.purpose },
    };
    if (message.channel === 'voice') {
      const out = await this.client.send(
        new SendVoiceMessageCommand({
          ...common,
          MessageBody: message.body,
          MessageBodyTextType: message.bodyType === 'ssml' ? 'SSML' : 'TEXT',
          VoiceId: message.voiceId === undefined ? undefined : (message.voiceId.toUpperCase() as VoiceId),
          MaxPricePerMinute: this.settings.voiceMaxPricePerMinute,
        }),
        { abortSignal },
      );
      return requireMessageId(out.MessageId);
    }
    const out = await this.client.send(
      new SendTextMessageCommand({
        ...common,
        MessageBody: message.body,
        MessageType: 'TRANSACTIONAL',
        MaxPrice: this.settings.smsMaxPrice,
      }),
      { abortSignal },
    );
    return requireMessageId(out.MessageId);
  }

  /**
   * The identity configured for the number's country; else for the main country of its calling code
   * (a Jersey or Guernsey mobile is sent like a GB one; a range newer than libphonenumber's metadata has no
   * country but still has a calling code); else the default.
   */
  private originationIdentity(to: string): string {
    const parsed = parsePhoneNumberFromString(to);
    const country = parsed?.country;
    const main = parsed ? metadata.country_calling_codes[parsed.countryCallingCode]?.[0] : undefined;
    return (
      (country && this.identities.get(country)) ||
      (main && this.identities.get(main)) ||
      this.settings.defaultOriginationIdentity
    );
  }

  /**
   * The passcode's remaining life, rounded down: End User Messaging drops a message it could not deliver
   * within its TimeToLive (default 72 hours), so a code never arrives after it expired — useless, and
   * still billed. A code with less life left than the API's shortest TTL (5 s) is not sent at all: any
   * TTL the API accepts would let it arrive late.
   */
  private timeToLive(message: OutboundMessage, attempts: number): number {
    const seconds = Math.floor((message.expiresAt.getTime() - this.now()) / 1000);
    if (seconds < MIN_TTL_SECONDS) {
      throw new DeliveryError(
        'invalid-message',
        'not-sent',
        seconds <= 0
          ? 'passcode already expired; not sent'
          : `passcode expires in ${seconds} s, under the shortest TimeToLive (${MIN_TTL_SECONDS} s); not sent`,
        { attempts },
      );
    }
    return Math.min(MAX_TTL_SECONDS, seconds);
  }
}

function requireMessageId(id: string | undefined): string {
  // The provider answered success: the message may well be on its way, we just cannot name it.
  if (!id) {
    throw new DeliveryError('unknown', 'uncertain', 'provider answered without a MessageId');
  }
  return id;
}

function withAttempts(error: DeliveryError, attempts: number): DeliveryError {
  return new DeliveryError(error.kind, error.certainty, error.message, { attempts });
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted || ms <= 0) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
