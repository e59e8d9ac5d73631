import { mkdtemp, readFile } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { OutboxRecord } from '../../adapters/local/outbox-message-sender';
import {
  type TwilioCredentials,
  TwilioSender,
  type TwilioSettings,
} from '../../adapters/twilio/twilio-sender';
import { type TwilioFault, TwilioStandIn } from '../../app/local/twilio-stand-in';
import { Deadline } from '../../domain/deadline';
import { DeliveryError } from '../../domain/errors';
import type { OutboundMessage } from '../../domain/outbound-message';
import { BlackHoleServer } from '../support/black-hole-server';
import { CuttingTcpProxy } from '../support/cutting-tcp-proxy';
import { guardSecret } from '../support/secret-leak-guard';

const CODE = guardSecret('58213907');
const ACCOUNT_SID = `AC${'0123456789abcdef'.repeat(2)}`;
// A credential is a secret like the code: the suite fails if it is ever printed.
const AUTH_TOKEN = guardSecret('tok3n-n0t-f0r-l0gs-9f8e7d6c5b4a');
const API_KEY_SID = `SK${'fedcba9876543210'.repeat(2)}`;
const API_KEY_SECRET = guardSecret('ap1-k3y-s3cr3t-1a2b3c4d5e6f');

let standIn: TwilioStandIn;
let outboxFile: string;

beforeAll(async () => {
  outboxFile = join(await mkdtemp(join(tmpdir(), 'otp-courier-twilio-')), 'outbox.jsonl');
  standIn = await TwilioStandIn.start({
    credentials: { accountSid: ACCOUNT_SID, username: ACCOUNT_SID, password: AUTH_TOKEN },
    outboxFile,
  });
});
afterAll(async () => {
  await standIn.close();
});
beforeEach(() => standIn.reset());

const tokenCredentials: TwilioCredentials = { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN };

function sender(overrides: Partial<TwilioSettings> = {}): TwilioSender {
  return new TwilioSender({
    apiUrl: standIn.url,
    credentials: async () => tokenCredentials,
    sms: { byCountry: { GB: 'Acme' }, fallback: '+15005550006' },
    voice: { byCountry: {}, fallback: '+15005550006' },
    statusCallbackUrl: 'https://hooks.example.com/twilio/status',
    ...overrides,
  });
}

function sms(overrides: Partial<OutboundMessage> = {}): OutboundMessage {
  return {
    eventId: 'evt-1',
    purpose: 'verification',
    channel: 'sms',
    to: '+14155550123',
    locale: 'en',
    templateSource: 'catalogue',
    body: `Your code is ${CODE}`,
    bodyType: 'text',
    expiresAt: new Date(Date.now() + 300_000),
    sms: { encoding: 'GSM-7', segments: 1 },
    ...overrides,
  };
}

function voice(overrides: Partial<OutboundMessage> = {}): OutboundMessage {
  return sms({
    channel: 'voice',
    body: `<speak>Your code is <say-as interpret-as="digits">${CODE}</say-as><break time="400ms"/>.</speak>`,
    bodyType: 'ssml',
    voiceId: 'JOANNA',
    sms: undefined,
    ...overrides,
  });
}

function budget(ms = 2_000, previousCalls = 0) {
  return { signal: new AbortController().signal, deadline: Deadline.after(Date.now(), ms), previousCalls };
}

async function failure(promise: Promise<unknown>): Promise<DeliveryError> {
  const error = await promise.then(
    () => {
      throw new Error('expected the send to fail');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DeliveryError);
  const delivery = error as DeliveryError;
  // Never the code, never a credential, never Twilio's free text.
  for (const secret of [CODE, AUTH_TOKEN, API_KEY_SECRET, 'injected']) {
    expect(`${delivery.message} ${delivery.stack} ${JSON.stringify(delivery)}`).not.toContain(secret);
  }
  return delivery;
}

async function closedPort(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

describe('TwilioSender over real HTTP against the Twilio stand-in', () => {
  it('sends an SMS as a form with Basic auth: sender by country, validity = the code’s life, attempt, callback', async () => {
    const receipt = await sender().send(sms({ to: '+447400123456' }), budget(2_000, 2));
    expect(receipt).toMatchObject({ provider: 'twilio', status: 'SUCCESSFUL', attempts: 1 });
    expect(receipt.messageId).toMatch(/^SM[0-9a-f]{32}$/);
    const [request] = standIn.requests;
    expect(request).toMatchObject({
      operation: 'Messages',
      accountSid: ACCOUNT_SID,
      authorized: true,
      outcome: 'created',
    });
    expect(request?.form).toEqual({
      To: '+447400123456',
      From: 'Acme',
      Body: `Your code is ${CODE}`,
      ValidityPeriod: expect.stringMatching(/^(299|300)$/),
      Attempt: '3',
      StatusCallback: 'https://hooks.example.com/twilio/status?eventId=evt-1&purpose=verification',
    });
    // The outbox records which provider "sent" it.
    const records = (await readFile(outboxFile, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as OutboxRecord);
    expect(records.at(-1)).toMatchObject({
      provider: 'twilio',
      messageId: receipt.messageId,
      eventId: 'evt-1',
      channel: 'sms',
    });
  });

  it('uses a Messaging Service when the sender is one (MG…)', async () => {
    const service = `MG${'a'.repeat(32)}`;
    await sender({ sms: { byCountry: {}, fallback: service } }).send(sms(), budget());
    expect(standIn.requests[0]?.form).toMatchObject({ MessagingServiceSid: service });
    expect(standIn.requests[0]?.form.From).toBeUndefined();
  });

  it('calls with TwiML: the template’s SSML inside <Say> with its Polly voice, ring and length bounded', async () => {
    const receipt = await sender().send(voice(), budget());
    expect(receipt.messageId).toMatch(/^CA[0-9a-f]{32}$/);
    const form = standIn.requests[0]?.form ?? {};
    expect(form).toMatchObject({ To: '+14155550123', From: '+15005550006', Timeout: '30', TimeLimit: '60' });
    expect(form.Twiml).toBe(
      `<?xml version="1.0" encoding="UTF-8"?><Response><Say voice="Polly.Joanna">Your code is <say-as interpret-as="digits">${CODE}</say-as><break time="400ms"/>.</Say></Response>`,
    );
  });

  // Twilio's ValidityPeriod (1–36,000 s) bounds only its own queue, and calls have none: a call at least
  // never rings past the code's life.
  it("the code's life bounds SMS validity and how long a call rings; an expired code is not sent", async () => {
    await sender().send(sms({ expiresAt: new Date(Date.now() + 12_500) }), budget());
    await sender().send(voice({ expiresAt: new Date(Date.now() + 12_500) }), budget());
    await sender().send(sms({ expiresAt: new Date(Date.now() + 20 * 3_600_000) }), budget());
    expect(standIn.requests.map((r) => r.form.ValidityPeriod ?? `ring ${r.form.Timeout}`)).toEqual([
      expect.stringMatching(/^1[12]$/),
      expect.stringMatching(/^ring 1[12]$/),
      '36000',
    ]);
    const expired = await failure(sender().send(sms({ expiresAt: new Date(Date.now() - 1) }), budget()));
    expect(expired).toMatchObject({ kind: 'invalid-message', certainty: 'not-sent' });
    expect(standIn.requests).toHaveLength(3);
  });

  it('authenticates with an API key too', async () => {
    const keyed = await TwilioStandIn.start({
      credentials: { accountSid: ACCOUNT_SID, username: API_KEY_SID, password: API_KEY_SECRET },
    });
    try {
      const receipt = await sender({
        apiUrl: keyed.url,
        credentials: async () => ({
          accountSid: ACCOUNT_SID,
          apiKeySid: API_KEY_SID,
          apiKeySecret: API_KEY_SECRET,
        }),
      }).send(sms(), budget());
      expect(receipt.status).toBe('SUCCESSFUL');
      expect(keyed.requests[0]?.authorized).toBe(true);
    } finally {
      await keyed.close();
    }
  });

  it('wrong credentials: access denied, not sent, nothing created', async () => {
    const error = await failure(
      sender({ credentials: async () => ({ accountSid: ACCOUNT_SID, authToken: 'wrong-token' }) }).send(
        sms(),
        budget(),
      ),
    );
    expect(error).toMatchObject({ kind: 'access-denied', certainty: 'not-sent', attempts: 1 });
    expect(standIn.created).toHaveLength(0);
  });

  it('credentials that cannot be read: not sent, and Twilio never called', async () => {
    const error = await failure(
      sender({
        credentials: async () => {
          throw Object.assign(new Error(`secret ${AUTH_TOKEN}`), { name: 'SecretUnavailableError' });
        },
      }).send(sms(), budget()),
    );
    expect(error).toMatchObject({ kind: 'misconfigured', certainty: 'not-sent', attempts: 0 });
    expect(standIn.requests).toHaveLength(0);
  });

  const faults: [string, TwilioFault, string, string, number][] = [
    ['rate limited (429 / 20429)', { type: 'throttle' }, 'throttled', 'not-sent', 0],
    ['unavailable (503 / 20503)', { type: 'unavailable' }, 'provider-unavailable', 'not-sent', 0],
    ['an internal error (500 / 20500)', { type: 'server-error' }, 'provider-unavailable', 'uncertain', 0],
    [
      'unsubscribed recipient (21610)',
      { type: 'error', status: 400, code: 21610 },
      'opted-out',
      'not-sent',
      0,
    ],
    [
      'geo permission (21408)',
      { type: 'error', status: 400, code: 21408 },
      'destination-blocked',
      'not-sent',
      0,
    ],
    [
      'not a mobile number (21614)',
      { type: 'error', status: 400, code: 21614 },
      'destination-blocked',
      'not-sent',
      0,
    ],
    [
      'the From queue is full (21611)',
      { type: 'error', status: 400, code: 21611 },
      'throttled',
      'not-sent',
      0,
    ],
    ['a reset once the request was read', { type: 'reset' }, 'network', 'uncertain', 0],
    ['a reset after the message was created', { type: 'accept-then-reset' }, 'network', 'uncertain', 1],
  ];

  it.each(faults)('%s → %s, %s', async (_, fault, kind, certainty, created) => {
    standIn.failNext(fault);
    const error = await failure(sender().send(sms(), budget()));
    expect(error).toMatchObject({ kind, certainty, attempts: 1 });
    expect(standIn.created).toHaveLength(created);
  });

  it('a Twilio that never answers: abandoned at the deadline, uncertain (the request had left whole)', async () => {
    standIn.failNext({ type: 'hang' });
    const started = Date.now();
    const error = await failure(sender().send(sms(), budget(400)));
    expect(Date.now() - started).toBeGreaterThanOrEqual(390);
    expect(Date.now() - started).toBeLessThan(600);
    expect(error).toMatchObject({ kind: 'deadline-exceeded', certainty: 'uncertain', attempts: 1 });
  });

  it('a TCP endpoint that accepts and never answers: uncertain at the deadline', async () => {
    const hole = await BlackHoleServer.start();
    try {
      const error = await failure(sender({ apiUrl: hole.url }).send(sms(), budget(300)));
      expect(error).toMatchObject({ kind: 'deadline-exceeded', certainty: 'uncertain' });
      expect(hole.requests).toHaveLength(1);
    } finally {
      await hole.close();
    }
  });

  it('a refused connection never reached Twilio: not sent', async () => {
    const error = await failure(sender({ apiUrl: await closedPort() }).send(sms(), budget()));
    expect(error).toMatchObject({ kind: 'network', certainty: 'not-sent', attempts: 1 });
  });

  it('Twilio accepted, then the connection was cut (RST or FIN): uncertain, one message created', async () => {
    const proxy = await CuttingTcpProxy.start(standIn.url);
    try {
      const viaProxy = sender({ apiUrl: proxy.url });
      proxy.faultNextAnswers({ type: 'reset' });
      const reset = await failure(viaProxy.send(sms(), budget()));
      expect(reset).toMatchObject({ kind: 'network', certainty: 'uncertain' });
      proxy.faultNextAnswers({ type: 'close' });
      const hangUp = await failure(viaProxy.send(voice(), budget()));
      expect(hangUp).toMatchObject({ certainty: 'uncertain' });
      expect(proxy.cut).toBe(2);
      expect(standIn.created.map((r) => r.operation)).toEqual(['Messages', 'Calls']);
    } finally {
      await proxy.close();
    }
  });

  it('a kept-alive connection reset after the request left is uncertain too', async () => {
    const proxy = await CuttingTcpProxy.start(standIn.url);
    try {
      const viaProxy = sender({ apiUrl: proxy.url });
      await viaProxy.send(sms(), budget());
      proxy.faultNextAnswers({ type: 'reset' });
      const error = await failure(viaProxy.send(sms({ eventId: 'evt-2' }), budget()));
      expect(error.certainty).toBe('uncertain');
      expect(standIn.created).toHaveLength(2);
    } finally {
      await proxy.close();
    }
  });

  it('refuses locally what Twilio could not carry, without calling it', async () => {
    const tooLong = voice({ body: `<speak>${'Your code is 1 2 3. '.repeat(250)}</speak>` });
    const unknownVoice = voice({ voiceId: 'NOBODY' });
    const expired = sms({ expiresAt: new Date(Date.now() - 1_000) });
    for (const message of [tooLong, unknownVoice, expired]) {
      const error = await failure(sender().send(message, budget()));
      expect(error).toMatchObject({ certainty: 'not-sent', attempts: 0 });
    }
    const noCaller = await failure(sender({ voice: undefined }).send(voice(), budget()));
    expect(noCaller.kind).toBe('misconfigured');
    expect(standIn.requests).toHaveLength(0);
  });

  it('the code travels only in Body or Twiml; the credentials only in the Authorization header', async () => {
    await sender().send(sms(), budget());
    await sender().send(voice(), budget());
    for (const request of standIn.requests) {
      const { Body, Twiml, ...rest } = request.form;
      expect(`${Body ?? ''}${Twiml ?? ''}`).toContain(CODE);
      expect(JSON.stringify(rest)).not.toContain(CODE);
      expect(JSON.stringify(request.form)).not.toContain(AUTH_TOKEN);
    }
  });
});
