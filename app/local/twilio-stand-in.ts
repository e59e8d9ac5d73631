import { randomBytes } from 'node:crypto';
import { appendFile, mkdir } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { dirname } from 'node:path';
import type { OutboxRecord } from '../../adapters/local/outbox-message-sender';
import { TWILIO_PROVIDER } from '../../adapters/twilio/twilio-sender';
import { twilioSignature } from '../../adapters/twilio/twilio-signature';
import { maskPhone } from '../../domain/mask';

/**
 * A local stand-in for Twilio's REST API, for `npm start` and the tests: real HTTP on 127.0.0.1, the two
 * endpoints we call (Messages.json, Calls.json), form-encoded requests, Basic authentication checked
 * against the configured credentials, and Twilio-shaped JSON answers and errors (status, numeric code,
 * message, more_info). What it accepts it writes to the outbox, marked `provider: "twilio"`.
 *
 * It misbehaves on request, per call (queued) or by probability (seeded), so failover can be watched
 * locally and tested against a real socket: refusals with Twilio's codes, hangs, resets before and after
 * the message was created.
 */
export type TwilioFault =
  /** 429, code 20429. */
  | { readonly type: 'throttle' }
  /** 500, code 20500: Twilio failed, perhaps after creating the message (it does not, here). */
  | { readonly type: 'server-error' }
  /** 503, code 20503. */
  | { readonly type: 'unavailable' }
  /** Any Twilio error, e.g. 400 / 21610 (unsubscribed recipient). */
  | { readonly type: 'error'; readonly status: number; readonly code: number }
  /** Answer normally after `ms`. */
  | { readonly type: 'delay'; readonly ms: number }
  /** Read the request, never answer. */
  | { readonly type: 'hang' }
  /** Read the request, create nothing, cut the connection. */
  | { readonly type: 'reset' }
  /** Create the message (it is "sent"), then cut the connection before the answer. */
  | { readonly type: 'accept-then-reset' };

export type TwilioOperation = 'Messages' | 'Calls';

export interface StandInRequest {
  readonly operation: TwilioOperation;
  readonly accountSid: string;
  /** The form as received. Holds the message body (and so the code): tests only, never logged. */
  readonly form: Readonly<Record<string, string>>;
  readonly authorized: boolean;
  /** "created", a refusal's code, or the fault applied. */
  outcome: string;
  /** The sid it created, when it did. */
  sid?: string;
  readonly receivedAt: number;
}

export interface StandInCredentials {
  readonly accountSid: string;
  /** Basic auth user: the account SID (with the auth token) or an API key SID (with its secret). */
  readonly username: string;
  readonly password: string;
}

export interface TwilioStandInOptions {
  readonly credentials: StandInCredentials;
  /** Accepted messages are appended here, as the outbox sender does. */
  readonly outboxFile?: string;
  /** One line per accepted message, code left out. */
  readonly announce?: (line: string) => void;
  readonly seed?: number;
  /** Faults by probability from the start, e.g. parsed from TWILIO_STAND_IN_FAULTS. */
  readonly faults?: readonly { readonly fault: TwilioFault; readonly probability: number }[];
  /**
   * Status callbacks, as Twilio posts them to a message's StatusCallback: form-encoded, signed with
   * X-Twilio-Signature under `authToken`. A message is `sent`, then `delivered` (or `undelivered`, error
   * 30003, at `failureRate`); a call `completed` (or `no-answer`). None without this.
   */
  readonly statusCallbacks?: {
    readonly authToken: string;
    /** Default 0.08, as the simulated carrier. */
    readonly failureRate?: number;
    /** Between callbacks. Default 300 ms. */
    readonly delayMs?: number;
    readonly random?: () => number;
  };
}

interface Queued {
  readonly fault: TwilioFault;
  readonly operation?: TwilioOperation;
  remaining: number;
}

const MORE_INFO = 'https://www.twilio.com/docs/errors/';

export class TwilioStandIn {
  readonly requests: StandInRequest[] = [];
  private readonly queued: Queued[] = [];
  private random: { fault: TwilioFault; probability: number; operation?: TwilioOperation }[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly callbackTimers = new Set<NodeJS.Timeout>();
  private readonly callbacksInFlight = new Set<Promise<void>>();
  private closed = false;
  private rng: () => number;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly options: TwilioStandInOptions,
  ) {
    this.rng = mulberry32(options.seed ?? 1);
    for (const { fault, probability } of options.faults ?? []) this.random.push({ fault, probability });
  }

  static async start(options: TwilioStandInOptions, port = 0): Promise<TwilioStandIn> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port, host: '127.0.0.1', backlog: 4096 }, () => resolve());
    });
    const standIn = new TwilioStandIn(
      server,
      `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      options,
    );
    server.on('connection', (socket) => {
      standIn.sockets.add(socket);
      socket.on('close', () => standIn.sockets.delete(socket));
    });
    server.on('request', (req, res) => void standIn.handle(req, res));
    return standIn;
  }

  /** The next `times` matching requests get `fault`. */
  failNext(fault: TwilioFault, options: { times?: number; operation?: TwilioOperation } = {}): this {
    this.queued.push({
      fault,
      remaining: options.times ?? 1,
      ...(options.operation ? { operation: options.operation } : {}),
    });
    return this;
  }

  /** Every matching request gets `fault` with `probability` (seeded). */
  failRandomly(fault: TwilioFault, probability: number, options: { operation?: TwilioOperation } = {}): this {
    this.random.push({ fault, probability, ...(options.operation ? { operation: options.operation } : {}) });
    return this;
  }

  /** Forgets faults and recorded requests; reseeds. */
  reset(seed = 1): void {
    this.queued.length = 0;
    this.random = [];
    this.requests.length = 0;
    this.rng = mulberry32(seed);
  }

  /** Requests that created a message or call. */
  get created(): StandInRequest[] {
    return this.requests.filter((r) => r.sid !== undefined);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.callbackTimers) clearTimeout(timer);
    this.callbackTimers.clear();
    await Promise.allSettled([...this.callbacksInFlight]);
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private pick(operation: TwilioOperation): TwilioFault | undefined {
    const i = this.queued.findIndex(
      (q) => q.remaining > 0 && (q.operation === undefined || q.operation === operation),
    );
    if (i >= 0) {
      const q = this.queued[i] as Queued;
      q.remaining -= 1;
      if (q.remaining === 0) this.queued.splice(i, 1);
      return q.fault;
    }
    for (const r of this.random) {
      if ((r.operation === undefined || r.operation === operation) && this.rng() < r.probability)
        return r.fault;
    }
    return undefined;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const match = /^\/2010-04-01\/Accounts\/([^/]+)\/(Messages|Calls)\.json$/.exec(
      new URL(req.url ?? '/', this.url).pathname,
    );
    if (req.method !== 'POST' || !match) {
      return error(res, 404, 20404, 'The requested resource was not found');
    }
    const accountSid = decodeURIComponent(match[1] ?? '');
    const operation = match[2] as TwilioOperation;
    const form = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
    const authorized = this.authorized(req.headers.authorization, accountSid);
    const record: StandInRequest = {
      operation,
      accountSid,
      form,
      authorized,
      outcome: 'received',
      receivedAt: Date.now(),
    };
    this.requests.push(record);
    if (!authorized) {
      record.outcome = '20003';
      return error(res, 401, 20003, 'Authenticate');
    }
    if (!String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
      record.outcome = '400';
      return error(res, 400, 20001, 'Expected a form-encoded body');
    }
    const fault = this.pick(operation);
    if (fault) record.outcome = fault.type === 'error' ? String(fault.code) : fault.type;
    switch (fault?.type) {
      case 'throttle':
        return error(res, 429, 20429, 'Too Many Requests');
      case 'server-error':
        return error(res, 500, 20500, 'Internal Server Error');
      case 'unavailable':
        return error(res, 503, 20503, 'Service Unavailable');
      case 'error':
        return error(res, fault.status, fault.code, `Error ${fault.code} (injected)`);
      case 'hang':
        return;
      case 'reset':
        req.socket.destroy();
        return;
      case 'delay':
        await new Promise((resolve) => setTimeout(resolve, fault.ms));
        if (res.destroyed) return;
        break;
      default:
        break;
    }
    const problem = operation === 'Messages' ? messageProblem(form) : callProblem(form);
    if (problem) {
      record.outcome = String(problem.code);
      return error(res, 400, problem.code, problem.message);
    }
    const sid = `${operation === 'Messages' ? 'SM' : 'CA'}${randomBytes(16).toString('hex')}`;
    record.sid = sid;
    if (!fault) record.outcome = 'created';
    await this.deliver(operation, form, sid);
    if (fault?.type === 'accept-then-reset') {
      req.socket.destroy();
      return;
    }
    json(
      res,
      201,
      operation === 'Messages' ? messageResource(accountSid, sid, form) : callResource(accountSid, sid, form),
    );
  }

  private authorized(header: string | undefined, accountSid: string): boolean {
    const { credentials } = this.options;
    const match = /^Basic ([A-Za-z0-9+/=]+)$/.exec(header ?? '');
    if (!match?.[1] || accountSid !== credentials.accountSid) return false;
    const [user, ...rest] = Buffer.from(match[1], 'base64').toString('utf8').split(':');
    return user === credentials.username && rest.join(':') === credentials.password;
  }

  private async deliver(
    operation: TwilioOperation,
    form: Record<string, string>,
    sid: string,
  ): Promise<void> {
    const callback = form.StatusCallback ? new URL(form.StatusCallback) : undefined;
    const voice = /<Say voice="Polly\.([A-Za-z]+)"/.exec(form.Twiml ?? '')?.[1];
    const record: OutboxRecord = {
      provider: TWILIO_PROVIDER,
      messageId: sid,
      eventId: callback?.searchParams.get('eventId') ?? '',
      purpose: callback?.searchParams.get('purpose') ?? '',
      channel: operation === 'Messages' ? 'sms' : 'voice',
      to: form.To ?? '',
      locale: '',
      templateSource: '',
      body: (operation === 'Messages' ? form.Body : form.Twiml) ?? '',
      bodyType: operation === 'Messages' ? 'text' : 'twiml',
      ...(voice ? { voiceId: voice.toUpperCase() } : {}),
      sentAt: new Date().toISOString(),
    };
    if (this.options.outboxFile) {
      await mkdir(dirname(this.options.outboxFile), { recursive: true });
      await appendFile(this.options.outboxFile, `${JSON.stringify(record)}\n`, 'utf8');
    }
    this.options.announce?.(
      `twilio stand-in: ${record.channel.toUpperCase()} to ${maskPhone(record.to)} (${sid}) → ${this.options.outboxFile ?? 'nowhere'}`,
    );
    if (callback && this.options.statusCallbacks)
      this.scheduleCallbacks(operation, form, sid, form.StatusCallback ?? callback.toString());
  }

  private scheduleCallbacks(
    operation: TwilioOperation,
    form: Record<string, string>,
    sid: string,
    url: string,
  ) {
    const settings = this.options.statusCallbacks;
    if (!settings) return;
    const fails = (settings.random ?? Math.random)() < (settings.failureRate ?? 0.08);
    const common = {
      AccountSid: this.options.credentials.accountSid,
      ApiVersion: '2010-04-01',
      From: form.From ?? form.MessagingServiceSid ?? '',
      To: form.To ?? '',
    };
    const steps: Record<string, string>[] =
      operation === 'Messages'
        ? [
            { ...common, MessageSid: sid, SmsSid: sid, MessageStatus: 'sent', SmsStatus: 'sent' },
            fails
              ? {
                  ...common,
                  MessageSid: sid,
                  SmsSid: sid,
                  MessageStatus: 'undelivered',
                  SmsStatus: 'undelivered',
                  ErrorCode: '30003',
                }
              : {
                  ...common,
                  MessageSid: sid,
                  SmsSid: sid,
                  MessageStatus: 'delivered',
                  SmsStatus: 'delivered',
                },
          ]
        : [
            {
              ...common,
              CallSid: sid,
              CallStatus: fails ? 'no-answer' : 'completed',
              CallDuration: fails ? '0' : '14',
              Direction: 'outbound-api',
              CallbackSource: 'call-progress-events',
              SequenceNumber: '0',
              Timestamp: rfc2822(new Date()),
            },
          ];
    const delay = settings.delayMs ?? 300;
    steps.forEach((params, i) => {
      const timer = setTimeout(
        () => {
          this.callbackTimers.delete(timer);
          if (this.closed) return;
          const posted = this.postCallback(url, params, settings.authToken).finally(() =>
            this.callbacksInFlight.delete(posted),
          );
          this.callbacksInFlight.add(posted);
        },
        delay * (i + 1),
      );
      timer.unref();
      this.callbackTimers.add(timer);
    });
  }

  /** One status callback, as Twilio posts it; a refusal or an unreachable URL is Twilio's problem, not ours. */
  private async postCallback(url: string, params: Record<string, string>, authToken: string): Promise<void> {
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-twilio-signature': twilioSignature(authToken, url, params),
          'user-agent': 'TwilioProxy/1.1',
        },
        body: new URLSearchParams(params).toString(),
        signal: AbortSignal.timeout(5_000),
      });
      await res.arrayBuffer();
    } catch {
      // Twilio logs a failed callback (error 11200) and moves on; so does the stand-in.
    }
  }
}

function messageProblem(form: Record<string, string>): { code: number; message: string } | undefined {
  if (!/^\+[1-9]\d{6,14}$/.test(form.To ?? '')) return { code: 21211, message: "Invalid 'To' Phone Number" };
  if (!form.From && !form.MessagingServiceSid)
    return { code: 21603, message: "A 'From' phone number is required" };
  if (!form.Body) return { code: 21602, message: 'Message body is required' };
  if (form.Body.length > 1600)
    return { code: 21617, message: 'The concatenated message body exceeds the 1600 character limit' };
  return undefined;
}

function callProblem(form: Record<string, string>): { code: number; message: string } | undefined {
  if (!/^\+[1-9]\d{6,14}$/.test(form.To ?? '')) return { code: 21211, message: "Invalid 'To' Phone Number" };
  if (!/^\+[1-9]\d{6,14}$/.test(form.From ?? ''))
    return { code: 21212, message: "Invalid 'From' Phone Number" };
  if (!form.Twiml && !form.Url) return { code: 21205, message: 'Url parameter is required' };
  if ((form.Twiml ?? '').length > 4000)
    return { code: 21205, message: 'Twiml is longer than 4000 characters' };
  return undefined;
}

function rfc2822(date: Date): string {
  return date.toUTCString().replace('GMT', '+0000');
}

function messageResource(accountSid: string, sid: string, form: Record<string, string>) {
  const now = rfc2822(new Date());
  return {
    account_sid: accountSid,
    api_version: '2010-04-01',
    body: form.Body,
    date_created: now,
    date_sent: null,
    date_updated: now,
    direction: 'outbound-api',
    error_code: null,
    error_message: null,
    from: form.From ?? null,
    messaging_service_sid: form.MessagingServiceSid ?? null,
    num_media: '0',
    num_segments: '1',
    price: null,
    price_unit: 'USD',
    sid,
    status: form.MessagingServiceSid ? 'accepted' : 'queued',
    subresource_uris: { media: `/2010-04-01/Accounts/${accountSid}/Messages/${sid}/Media.json` },
    to: form.To,
    uri: `/2010-04-01/Accounts/${accountSid}/Messages/${sid}.json`,
  };
}

function callResource(accountSid: string, sid: string, form: Record<string, string>) {
  const now = rfc2822(new Date());
  return {
    account_sid: accountSid,
    api_version: '2010-04-01',
    date_created: now,
    date_updated: now,
    direction: 'outbound-api',
    from: form.From,
    price: null,
    price_unit: 'USD',
    sid,
    status: 'queued',
    to: form.To,
    uri: `/2010-04-01/Accounts/${accountSid}/Calls/${sid}.json`,
  };
}

function error(res: ServerResponse, status: number, code: number, message: string): void {
  json(res, status, { code, message, more_info: `${MORE_INFO}${code}`, status });
}

function json(res: ServerResponse, status: number, payload: unknown): void {
  if (res.destroyed) return;
  const text = JSON.stringify(payload);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** A small seeded generator: the same seed, the same faults. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * TWILIO_STAND_IN_FAULTS, e.g. "throttle:0.1,hang:0.02,accept-then-reset:0.01": fault types without
 * parameters, each with its probability.
 */
export function parseStandInFaults(value: string | undefined): { fault: TwilioFault; probability: number }[] {
  const simple = ['throttle', 'server-error', 'unavailable', 'hang', 'reset', 'accept-then-reset'];
  return (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)
    .map((item) => {
      const [type = '', p = ''] = item.split(':');
      const probability = Number(p);
      if (!simple.includes(type) || !(probability >= 0 && probability <= 1)) {
        throw new Error(
          `TWILIO_STAND_IN_FAULTS entry "${item}" must be <${simple.join('|')}>:<probability 0–1>`,
        );
      }
      return { fault: { type } as TwilioFault, probability };
    });
}
