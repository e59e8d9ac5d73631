import {
  type PinpointSMSVoiceV2Client,
  SendTextMessageCommand,
  SendVoiceMessageCommand,
  VoiceId,
} from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { DeliveryError, type DeliveryFailureKind } from '../../domain/errors';
import type { OutboundMessage } from '../../domain/outbound-message';
import { countriesOf } from '../../domain/phone-country';
import { SSML_ELEMENTS } from '../../domain/polly-ssml-tags';
import type { ProviderCapabilities } from '../../domain/provider-capabilities';
import type { MessageProvider } from '../../ports/message-provider';
import type { SendOptions, SendReceipt } from '../../ports/message-sender';
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
}

export const END_USER_MESSAGING_PROVIDER = 'aws-end-user-messaging';

// The API's TimeToLive bounds, in seconds (5 s to 72 h).
const MIN_TTL_SECONDS = 5;
const MAX_TTL_SECONDS = 259_200;

/**
 * SMS and voice (SendVoiceMessage speaks Polly's standard voices, with all of Polly's standard-engine
 * SSML), from phone numbers, short codes, sender ids or pools.
 */
export const END_USER_MESSAGING_CAPABILITIES: ProviderCapabilities = {
  channels: ['sms', 'voice'],
  ssmlElements: new Set(Object.keys(SSML_ELEMENTS)),
  voiceIds: new Set(Object.values(VoiceId)),
  senderTypes: ['phone-number', 'short-code', 'alphanumeric', 'pool'],
};

/**
 * Sends SMS and voice OTPs through AWS End User Messaging SMS & Voice v2: one provider call per `send`.
 *
 * Retries are neither the SDK's nor ours: the client must be built with `maxAttempts: 1` (see
 * `createEndUserMessagingClient`), because the SDK's retry strategy knows nothing about the request's
 * deadline nor about what reached the provider, and the router (app/provider-router.ts) retries, breaks
 * the circuit and fails over the same way for every provider. This adapter's one job beyond the call is
 * to say what was on the wire.
 *
 * SendTextMessage/SendVoiceMessage take no idempotency token, so a call whose request may have reached the
 * provider — a timeout, a reset or an abort after the connection was made — may well have been delivered:
 * it ends `uncertain`, and nobody sends it again. The call's socket is watched (wire-observation.ts) so
 * that a failure before any connection existed is known to be `not-sent`.
 */
export class EndUserMessagingSender implements MessageProvider {
  readonly name = END_USER_MESSAGING_PROVIDER;
  readonly capabilities = END_USER_MESSAGING_CAPABILITIES;
  private readonly now: () => number;
  private readonly identities: ReadonlyMap<string, string>;

  constructor(
    private readonly client: PinpointSMSVoiceV2Client,
    private readonly settings: EndUserMessagingSettings,
  ) {
    this.now = settings.now ?? Date.now;
    this.identities = new Map(
      Object.entries(settings.originationIdentities).map(([country, id]) => [country.toUpperCase(), id]),
    );
  }

  async send(message: OutboundMessage, options: SendOptions): Promise<SendReceipt> {
    // Computed per call: a retry (the router's) gets the code's life as it is then, not at the first try.
    const ttl = this.timeToLive(message);
    const left = options.deadline.remaining(this.now());
    if (options.signal.aborted || left <= 0) {
      // Nothing of this call is on the wire yet.
      throw new DeliveryError('deadline-exceeded', 'not-sent', 'deadline passed before the call started', {
        attempts: 0,
      });
    }
    const attempt = new AbortController();
    // Fires at the deadline even if the caller's signal is late.
    const timer = setTimeout(() => attempt.abort(new Error('attempt deadline')), left);
    // The caller's abort reaches the attempt through one listener: AbortSignal.any costs several times
    // as much on every send and leaves weak references for the collector to trace.
    const callerSignal = options.signal;
    const follow = () => attempt.abort(callerSignal.reason);
    callerSignal.addEventListener('abort', follow, { once: true });
    const signal = attempt.signal;
    const wire = new WireObservation();
    try {
      const messageId = await observeWire(wire, () => this.sendOnce(message, ttl, signal));
      // SUCCESSFUL, not PENDING: the provider accepted the message and no delivery receipt will ever reach
      // Okta (it does not poll), so PENDING would add nothing but a status some IdPs treat as not-sent.
      return { provider: END_USER_MESSAGING_PROVIDER, messageId, status: 'SUCCESSFUL', attempts: 1 };
    } catch (error) {
      if (error instanceof DeliveryError) throw error;
      const { kind: classified, certainty, detail } = classifyProviderError(error, wire);
      // An abort is ours: the deadline (or the caller) cut the call short.
      const kind: DeliveryFailureKind = signal.aborted ? 'deadline-exceeded' : classified;
      throw new DeliveryError(kind, certainty, `${message.channel} send failed: ${detail}`, { attempts: 1 });
    } finally {
      clearTimeout(timer);
      callerSignal.removeEventListener('abort', follow);
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
    for (const country of countriesOf(to)) {
      const identity = this.identities.get(country);
      if (identity) return identity;
    }
    return this.settings.defaultOriginationIdentity;
  }

  /**
   * The passcode's remaining life, rounded down: End User Messaging drops a message it could not deliver
   * within its TimeToLive (default 72 hours), so a code never arrives after it expired — useless, and
   * still billed. A code with less life left than the API's shortest TTL (5 s) is not sent at all: any
   * TTL the API accepts would let it arrive late.
   */
  private timeToLive(message: OutboundMessage): number {
    const seconds = Math.floor((message.expiresAt.getTime() - this.now()) / 1000);
    if (seconds < MIN_TTL_SECONDS) {
      throw new DeliveryError(
        'invalid-message',
        'not-sent',
        seconds <= 0
          ? 'passcode already expired; not sent'
          : `passcode expires in ${seconds} s, under the shortest TimeToLive (${MIN_TTL_SECONDS} s); not sent`,
        { attempts: 0 },
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
