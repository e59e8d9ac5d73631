import type { Channel } from '../../domain/delivery-request';
import { DeliveryError } from '../../domain/errors';
import type { OutboundMessage } from '../../domain/outbound-message';
import { countriesOf } from '../../domain/phone-country';
import type { ProviderCapabilities } from '../../domain/provider-capabilities';
import type { CallOptions } from '../../ports/call-options';
import type { MessageProvider } from '../../ports/message-provider';
import type { SendOptions, SendReceipt } from '../../ports/message-sender';
import { classifyTwilioAnswer, classifyTwilioWireError, type TwilioFailure } from './classify-twilio-failure';
import { statusCallbackUrl } from './status-callback-url';
import { postForm, type TwilioAgents, TwilioWireError, twilioAgents } from './twilio-http';
import { TWILIO_POLLY_VOICES, TWILIO_SSML_ELEMENTS } from './twilio-voices';
import { MAX_TWIML_CHARS, speakToTwiml, textToTwiml } from './twiml';

export const TWILIO_PROVIDER = 'twilio';

/**
 * How Twilio authenticates us: the account's SID with either its auth token or (Twilio's advice for
 * production: revocable, one per application) an API key's SID and secret.
 */
export interface TwilioCredentials {
  readonly accountSid: string;
  readonly authToken?: string;
  readonly apiKeySid?: string;
  readonly apiKeySecret?: string;
}

/** Senders per ISO 3166-1 alpha-2 country, and one for every other country (optional). */
export interface SenderTable {
  readonly byCountry: Readonly<Record<string, string>>;
  readonly fallback?: string;
}

export interface TwilioSettings {
  /** https://api.twilio.com, or a regional edge (https://api.dublin.ie1.twilio.com), or a local stand-in. */
  readonly apiUrl: string;
  /** Resolved when needed; the composition caches them (fetched once per cold start). */
  readonly credentials: (options: CallOptions) => Promise<TwilioCredentials>;
  /** SMS senders: a Twilio number (E.164), an alphanumeric sender id, or a Messaging Service SID (MG…). */
  readonly sms?: SenderTable;
  /** Caller ids for voice: Twilio numbers (E.164). */
  readonly voice?: SenderTable;
  /**
   * Twilio posts delivery status here (with `eventId` and `purpose` added to the query). A function when
   * the URL is known only later (the local stack learns its port once it listens); undefined: none.
   */
  readonly statusCallbackUrl?: string | (() => string | undefined);
  /** A connection not made in this long is abandoned before anything was sent. Default 500 ms. */
  readonly connectTimeoutMs?: number;
  /** A call hangs up after this many seconds (cost bound). Default 60. */
  readonly callTimeLimitSeconds?: number;
  /** The phone rings this long before the call is given up. Default 30. */
  readonly ringTimeoutSeconds?: number;
  readonly now?: () => number;
}

// Twilio's ValidityPeriod range, in seconds.
const MAX_VALIDITY_SECONDS = 36_000;
const DEFAULT_VOICE = 'Polly.Matthew';

/**
 * Sends SMS through Twilio Programmable Messaging and voice calls through Programmable Voice (TwiML
 * <Say> with the template's Polly voice and SSML), over Twilio's REST API with plain `node:https`: one
 * form-encoded POST per send, Basic authentication, no SDK. The official `twilio` package bundles to
 * 3.8 MB and costs about a second of cold start (README, "Routing and failover"), for two POSTs.
 *
 * One call per `send`, no retry: the router retries, breaks the circuit and fails over. Twilio's message
 * and call APIs take no idempotency key, so what matters is what was on the wire (twilio-http.ts): a
 * request whose last byte never left cannot have created anything (`not-sent`); one that left whole and
 * got no answer may have (`uncertain`). Twilio's error text never reaches our errors: only the HTTP
 * status and Twilio's numeric code, which may not echo the recipient or the body.
 */
export class TwilioSender implements MessageProvider {
  readonly name = TWILIO_PROVIDER;
  readonly capabilities: ProviderCapabilities;
  private readonly now: () => number;
  private readonly agents: TwilioAgents = twilioAgents();
  private readonly apiUrl: URL;

  constructor(private readonly settings: TwilioSettings) {
    this.now = settings.now ?? Date.now;
    this.apiUrl = new URL(settings.apiUrl);
    const channels: Channel[] = [];
    if (settings.sms) channels.push('sms');
    if (settings.voice) channels.push('voice');
    this.capabilities = {
      channels,
      ssmlElements: TWILIO_SSML_ELEMENTS,
      voiceIds: new Set(TWILIO_POLLY_VOICES.keys()),
      senderTypes: ['phone-number', 'short-code', 'alphanumeric', 'pool'],
    };
  }

  async send(message: OutboundMessage, options: SendOptions): Promise<SendReceipt> {
    const left = options.deadline.remaining(this.now());
    if (options.signal.aborted || left <= 0) {
      throw notSent('deadline-exceeded', 'deadline passed before the call started');
    }
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error('attempt deadline')), left);
    const signal = AbortSignal.any([options.signal, controller.signal]);
    try {
      let credentials: TwilioCredentials;
      try {
        credentials = await this.settings.credentials({ signal });
      } catch (error) {
        // Nothing went to Twilio: the secret could not be read (in time).
        throw notSent(
          signal.aborted ? 'deadline-exceeded' : 'misconfigured',
          `Twilio credentials unavailable (${(error as Error)?.name ?? 'Error'})`,
        );
      }
      const { path, form } = this.request(message, credentials, options.previousCalls ?? 0);
      const url = new URL(`${this.apiUrl.pathname.replace(/\/$/, '')}${path}`, this.apiUrl);
      let answer: Awaited<ReturnType<typeof postForm>>;
      try {
        answer = await postForm(url, form, basicAuth(credentials), {
          signal,
          connectTimeoutMs: this.settings.connectTimeoutMs ?? 500,
          agents: this.agents,
        });
      } catch (error) {
        if (error instanceof TwilioWireError) throw failed(message, classifyTwilioWireError(error));
        throw failed(message, { kind: 'unknown', certainty: 'uncertain', detail: 'Twilio request failed' });
      }
      if (answer.status < 200 || answer.status >= 300) {
        throw failed(message, classifyTwilioAnswer(answer.status, answer.body));
      }
      return receiptOf(answer.body, answer.status);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The API path and form of one message or call. Throws not-sent for what Twilio could not carry. */
  private request(
    message: OutboundMessage,
    credentials: TwilioCredentials,
    previousCalls: number,
  ): { path: string; form: URLSearchParams } {
    const ttl = Math.floor((message.expiresAt.getTime() - this.now()) / 1000);
    if (ttl <= 0) throw notSent('invalid-message', 'passcode already expired; not sent');
    const account = encodeURIComponent(credentials.accountSid);
    const form = new URLSearchParams({ To: message.to });
    const callback = this.statusCallback(message);
    if (callback) form.set('StatusCallback', callback);
    if (message.channel === 'voice') {
      const from = senderFor(this.settings.voice, message.to);
      if (!from) throw notSent('misconfigured', 'no Twilio caller id for this destination');
      const voice =
        message.voiceId === undefined
          ? DEFAULT_VOICE
          : TWILIO_POLLY_VOICES.get(message.voiceId.toUpperCase());
      if (!voice) throw notSent('invalid-message', 'Twilio does not speak this voice');
      const twiml =
        message.bodyType === 'ssml' ? speakToTwiml(message.body, voice) : textToTwiml(message.body, voice);
      if (!twiml) throw notSent('invalid-message', 'voice body is not a <speak> document');
      if (twiml.length > MAX_TWIML_CHARS)
        throw notSent('invalid-message', `TwiML over ${MAX_TWIML_CHARS} characters`);
      form.set('From', from);
      form.set('Twiml', twiml);
      // Calls have no ValidityPeriod (Twilio places them at once, or queues them under the account's
      // calls-per-second limit with no expiry we can set): the phone at least never rings past the code's life.
      form.set('Timeout', String(Math.min(this.settings.ringTimeoutSeconds ?? 30, ttl)));
      form.set('TimeLimit', String(this.settings.callTimeLimitSeconds ?? 60));
      return { path: `/2010-04-01/Accounts/${account}/Calls.json`, form };
    }
    const from = senderFor(this.settings.sms, message.to);
    if (!from) throw notSent('misconfigured', 'no Twilio sender for this destination');
    form.set(from.startsWith('MG') ? 'MessagingServiceSid' : 'From', from);
    form.set('Body', message.body);
    // A code that arrives after it expired is useless and still costs: Twilio drops it from its queue.
    form.set('ValidityPeriod', String(Math.min(MAX_VALIDITY_SECONDS, ttl)));
    // Twilio's own count of attempts for this message across providers, failovers included.
    form.set('Attempt', String(previousCalls + 1));
    return { path: `/2010-04-01/Accounts/${account}/Messages.json`, form };
  }

  private statusCallback(message: OutboundMessage): string | undefined {
    const configured = this.settings.statusCallbackUrl;
    const base = typeof configured === 'function' ? configured() : configured;
    return base ? statusCallbackUrl(base, message) : undefined;
  }
}

/** The sender for a number's country, else for its calling code's main country, else the fallback. */
function senderFor(table: SenderTable | undefined, to: string): string | undefined {
  if (!table) return undefined;
  for (const country of countriesOf(to)) {
    const sender = table.byCountry[country];
    if (sender) return sender;
  }
  return table.fallback;
}

function basicAuth(credentials: TwilioCredentials): { username: string; password: string } {
  if (credentials.apiKeySid && credentials.apiKeySecret) {
    return { username: credentials.apiKeySid, password: credentials.apiKeySecret };
  }
  return { username: credentials.accountSid, password: credentials.authToken ?? '' };
}

/** Twilio answered 2xx: accepted. Its sid names the message or call; without one we cannot say which. */
function receiptOf(body: unknown, status: number): SendReceipt {
  const answer = (body ?? {}) as { sid?: unknown; price?: unknown; price_unit?: unknown };
  if (typeof answer.sid !== 'string' || !/^[A-Z]{2}[0-9a-f]{32}$/.test(answer.sid)) {
    throw new DeliveryError('unknown', 'uncertain', `Twilio answered HTTP ${status} without a readable sid`);
  }
  const price =
    typeof answer.price === 'string' && answer.price !== ''
      ? { amount: answer.price, currency: typeof answer.price_unit === 'string' ? answer.price_unit : 'USD' }
      : undefined;
  return {
    provider: TWILIO_PROVIDER,
    messageId: answer.sid,
    status: 'SUCCESSFUL',
    attempts: 1,
    ...(price ? { price } : {}),
  };
}

function notSent(kind: ConstructorParameters<typeof DeliveryError>[0], message: string): DeliveryError {
  return new DeliveryError(kind, 'not-sent', message, { attempts: 0 });
}

function failed(message: OutboundMessage, failure: TwilioFailure): DeliveryError {
  return new DeliveryError(
    failure.kind,
    failure.certainty,
    `${message.channel} send failed: ${failure.detail}`,
    {
      attempts: 1,
    },
  );
}
