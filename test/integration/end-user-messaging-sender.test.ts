import { type AddressInfo, createServer } from 'node:net';
import { type PinpointSMSVoiceV2Client, SendTextMessageCommand } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createEndUserMessagingClient } from '../../adapters/end-user-messaging/end-user-messaging-client';
import {
  END_USER_MESSAGING_PROVIDER,
  EndUserMessagingSender,
  type EndUserMessagingSettings,
} from '../../adapters/end-user-messaging/end-user-messaging-sender';
import { observeWire, WireObservation } from '../../adapters/end-user-messaging/wire-observation';
import { SystemClock } from '../../adapters/local/system-clock';
import { loadRoutingConfig } from '../../app/config/routing-config';
import type { ProviderPolicy } from '../../app/provider-policies';
import { ProviderRouter } from '../../app/provider-router';
import { Deadline } from '../../domain/deadline';
import { DeliveryError } from '../../domain/errors';
import type { OutboundMessage } from '../../domain/outbound-message';
import { CuttingTcpProxy } from '../support/cutting-tcp-proxy';
import { FakeAwsEndpoint, type FaultAction, fakeAwsClientConfig } from '../support/fake-aws-endpoint';

const CODE = '834921';

let fake: FakeAwsEndpoint;
let client: PinpointSMSVoiceV2Client;

beforeAll(async () => {
  fake = await FakeAwsEndpoint.start({ seed: 42 });
  client = createEndUserMessagingClient(fakeAwsClientConfig(fake));
});
afterAll(async () => {
  client.destroy();
  await fake.close();
});
beforeEach(() => fake.reset());

const settings: EndUserMessagingSettings = {
  originationIdentities: { gb: 'OtpCourier', US: '+12065550100' },
  defaultOriginationIdentity: 'pool-default',
  configurationSetName: 'otp-courier',
  protectConfigurationId: 'protect-1',
  smsMaxPrice: '0.10',
  voiceMaxPricePerMinute: '0.05',
};

const SHIPPED_POLICY = loadRoutingConfig([END_USER_MESSAGING_PROVIDER]).policies[
  END_USER_MESSAGING_PROVIDER
] as ProviderPolicy;
const silent = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * The adapter makes one call per send; retries are the shared policy's (app/provider-router.ts). This is
 * End User Messaging alone on a route, with the shipped policy unless a test says otherwise.
 */
function withSharedPolicy(
  sender: EndUserMessagingSender,
  policy: Partial<ProviderPolicy> = {},
): ProviderRouter {
  return new ProviderRouter(
    [{ provider: sender, policy: { ...SHIPPED_POLICY, ...policy } }],
    { routes: [{ countries: ['*'], providers: [END_USER_MESSAGING_PROVIDER] }], minAttemptMs: 250 },
    new SystemClock(),
    silent,
  );
}

function sms(overrides: Partial<OutboundMessage> = {}): OutboundMessage {
  return {
    eventId: 'evt-1',
    purpose: 'verification',
    channel: 'sms',
    to: '+447400123456',
    locale: 'en',
    templateSource: 'catalogue',
    body: `Your code is ${CODE}`,
    bodyType: 'text',
    expiresAt: new Date(Date.now() + 300_000),
    sms: { encoding: 'GSM-7', segments: 1 },
    ...overrides,
  } as OutboundMessage;
}

function voice(overrides: Partial<OutboundMessage> = {}): OutboundMessage {
  return sms({
    channel: 'voice',
    body: `<speak>Your code is <say-as interpret-as="digits">${CODE}</say-as></speak>`,
    bodyType: 'ssml',
    voiceId: 'Joanna',
    sms: undefined,
    ...overrides,
  });
}

function budget(ms: number) {
  return { signal: new AbortController().signal, deadline: Deadline.after(Date.now(), ms) };
}

async function failure(promise: Promise<unknown>): Promise<DeliveryError> {
  const error = await promise.then(
    () => {
      throw new Error('expected the send to fail');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DeliveryError);
  return error as DeliveryError;
}

describe('EndUserMessagingSender with the real SDK against the fake endpoint', () => {
  it('sends SMS as TRANSACTIONAL with the TTL, context, identity and prices configured', async () => {
    const now = Date.now();
    const sender = new EndUserMessagingSender(client, { ...settings, now: () => now });
    const receipt = await sender.send(sms({ expiresAt: new Date(now + 299_500) }), budget(2_500));

    const [request] = fake.requestsFor('SendTextMessage');
    expect(request?.target).toBe('PinpointSMSVoiceV2.SendTextMessage');
    expect(request?.body).toEqual({
      DestinationPhoneNumber: '+447400123456',
      OriginationIdentity: 'OtpCourier',
      MessageBody: `Your code is ${CODE}`,
      MessageType: 'TRANSACTIONAL',
      ConfigurationSetName: 'otp-courier',
      ProtectConfigurationId: 'protect-1',
      MaxPrice: '0.10',
      TimeToLive: 299,
      Context: { eventId: 'evt-1', purpose: 'verification' },
    });
    expect(receipt).toMatchObject({ provider: 'aws-end-user-messaging', status: 'SUCCESSFUL', attempts: 1 });
    expect(receipt.messageId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('picks the origination identity by the destination country, else the default', async () => {
    const sender = new EndUserMessagingSender(client, settings);
    await sender.send(sms({ to: '+14155550123' }), budget(2_500));
    await sender.send(sms({ to: '+33612345678' }), budget(2_500));
    expect(fake.requestsFor('SendTextMessage').map((r) => r.body.OriginationIdentity)).toEqual([
      '+12065550100',
      'pool-default',
    ]);
  });

  it('sends voice as SSML with the voice id in the API enum case', async () => {
    const sender = new EndUserMessagingSender(client, settings);
    const receipt = await sender.send(voice(), budget(2_500));
    const [request] = fake.requestsFor('SendVoiceMessage');
    expect(request?.body).toMatchObject({
      DestinationPhoneNumber: '+447400123456',
      OriginationIdentity: 'OtpCourier',
      MessageBodyTextType: 'SSML',
      VoiceId: 'JOANNA',
      MaxPricePerMinute: '0.05',
      Context: { eventId: 'evt-1', purpose: 'verification' },
    });
    expect(request?.body.MessageType).toBeUndefined();
    expect(receipt.status).toBe('SUCCESSFUL');
  });

  // A code must never arrive after it expired: End User Messaging drops what it could not deliver within
  // TimeToLive, so the TTL is the code's remaining life, rounded down, on every attempt, never more.
  it('caps TimeToLive at the API maximum and refuses a code with less life left than the API minimum', async () => {
    const now = Date.now();
    const sender = new EndUserMessagingSender(client, { ...settings, now: () => now });
    await sender.send(sms({ expiresAt: new Date(now + 5_999) }), budget(2_500));
    await sender.send(sms({ expiresAt: new Date(now + 100 * 86_400_000) }), budget(2_500));
    expect(fake.requestsFor('SendTextMessage').map((r) => r.body.TimeToLive)).toEqual([5, 259_200]);

    // 4 s left: any TTL the API accepts (5 s at least) would let it arrive a second after it expired.
    const short = await failure(sender.send(sms({ expiresAt: new Date(now + 4_999) }), budget(2_500)));
    expect(short).toMatchObject({ kind: 'invalid-message', certainty: 'not-sent', attempts: 0 });
    const expired = await failure(sender.send(sms({ expiresAt: new Date(now - 1) }), budget(2_500)));
    expect(expired.kind).toBe('invalid-message');
    expect(fake.requestsFor('SendTextMessage')).toHaveLength(2);
  });

  it("every SMS and call on the wire carries a TimeToLive within the code's remaining life, retries included", async () => {
    let now = Date.now();
    const expiresAt = new Date(now + 300_000);
    // Each provider call takes 1.5 s of (fake) time. The router retries by calling send again: the
    // retry's TTL must shrink with the time the first call took.
    const clockedClient = {
      send: (command: unknown, options: unknown) => {
        now += 1_500;
        return client.send(command as SendTextMessageCommand, options as { abortSignal?: AbortSignal });
      },
    } as unknown as PinpointSMSVoiceV2Client;
    const sender = new EndUserMessagingSender(clockedClient, { ...settings, now: () => now });
    fake.failNext({ type: 'throttle' }, { target: 'SendTextMessage' });
    const first = await failure(sender.send(sms({ expiresAt }), budget(60_000)));
    expect(first).toMatchObject({ kind: 'throttled', certainty: 'not-sent' });
    await sender.send(sms({ expiresAt }), budget(60_000));
    await sender.send(voice({ expiresAt }), budget(60_000));
    const sent = [...fake.requestsFor('SendTextMessage'), ...fake.requestsFor('SendVoiceMessage')];
    expect(sent).toHaveLength(3);
    // 300 s left at the first call, 298.5 at the retry, 297 at the voice call: rounded down each time.
    expect(sent.map((r) => r.body.TimeToLive)).toEqual([300, 298, 297]);
  });

  it('asks for a feedback record (MessageFeedbackEnabled) only when configured', async () => {
    await new EndUserMessagingSender(client, settings).send(sms(), budget(2_500));
    await new EndUserMessagingSender(client, { ...settings, messageFeedback: true }).send(
      sms(),
      budget(2_500),
    );
    await new EndUserMessagingSender(client, { ...settings, messageFeedback: true }).send(
      voice(),
      budget(2_500),
    );
    expect(fake.requestsFor('SendTextMessage').map((r) => r.body.MessageFeedbackEnabled)).toEqual([
      undefined,
      true,
    ]);
    expect(fake.requestsFor('SendVoiceMessage')[0]?.body.MessageFeedbackEnabled).toBe(true);
  });

  // The provider refused (or failed and said so): not sent, retried when it may pass. Anything that may
  // have been acted on — a reset after the request was read, a gateway that lost the answer — is
  // uncertain and never retried.
  const faults: [string, string, number, FaultAction, string][] = [
    ['throttling', 'throttled', 3, { type: 'throttle' }, 'not-sent'],
    ['5xx', 'provider-unavailable', 3, { type: 'server-error' }, 'not-sent'],
    ['connection reset after the request was read', 'network', 1, { type: 'reset' }, 'uncertain'],
    [
      'a gateway timeout in front of the provider',
      'provider-unavailable',
      1,
      { type: 'error', code: 'GatewayTimeout', status: 504 },
      'uncertain',
    ],
    [
      'opted out',
      'opted-out',
      1,
      { type: 'error', code: 'ConflictException', reason: 'DESTINATION_PHONE_NUMBER_OPTED_OUT' },
      'not-sent',
    ],
    [
      'country blocked by protect configuration',
      'destination-blocked',
      1,
      {
        type: 'error',
        code: 'ConflictException',
        reason: 'DESTINATION_COUNTRY_BLOCKED_BY_PROTECT_CONFIGURATION',
      },
      'not-sent',
    ],
    [
      'country blocked',
      'destination-blocked',
      1,
      { type: 'error', code: 'ValidationException', reason: 'DESTINATION_COUNTRY_BLOCKED' },
      'not-sent',
    ],
    [
      'validation',
      'invalid-message',
      1,
      { type: 'error', code: 'ValidationException', reason: 'INVALID_PARAMETER' },
      'not-sent',
    ],
    [
      'identity not valid for country',
      'misconfigured',
      1,
      { type: 'error', code: 'ValidationException', reason: 'INVALID_IDENTITY_FOR_DESTINATION_COUNTRY' },
      'not-sent',
    ],
    ['quota', 'quota-exceeded', 1, { type: 'error', code: 'ServiceQuotaExceededException' }, 'not-sent'],
    [
      'access',
      'access-denied',
      1,
      { type: 'error', code: 'AccessDeniedException', reason: 'ACCOUNT_DISABLED' },
      'not-sent',
    ],
    ['not found', 'misconfigured', 1, { type: 'error', code: 'ResourceNotFoundException' }, 'not-sent'],
    [
      'an unmodelled 503',
      'provider-unavailable',
      3,
      { type: 'error', code: 'ServiceUnavailable', status: 503 },
      'not-sent',
    ],
  ];

  it.each(faults)(
    '%s → %s after %i attempt(s) with the shared retry policy, with a safe message',
    async (_, kind, attempts, action, certainty) => {
      // The adapter alone: one call, classified.
      fake.failNext(action, { target: 'SendTextMessage', times: 10 });
      const sender = new EndUserMessagingSender(client, settings);
      const single = await failure(sender.send(sms(), budget(2_500)));
      expect(single).toMatchObject({ kind, certainty, attempts: 1 });
      expect(fake.requestsFor('SendTextMessage')).toHaveLength(1);
      // Through the router: not-sent transient failures retried, the others not.
      fake.reset();
      fake.failNext(action, { target: 'SendTextMessage', times: 10 });
      const error = await failure(withSharedPolicy(sender).send(sms(), budget(2_500)));
      expect(error.kind).toBe(kind);
      expect(error.certainty).toBe(certainty);
      expect(error.attempts).toBe(attempts);
      expect(fake.requestsFor('SendTextMessage')).toHaveLength(attempts);
      expect(error.message).not.toContain(CODE);
      // The provider's free text never reaches our message: only the error name and modelled reason.
      expect(error.message).not.toContain('injected');
      expect(error.cause).toBeUndefined();
    },
  );

  it('keeps the provider message out even when it echoes the body', async () => {
    fake.failNext(
      {
        type: 'error',
        code: 'ValidationException',
        message: `MessageBody "Your code is ${CODE}" is invalid`,
      },
      { target: 'SendVoiceMessage' },
    );
    const error = await failure(new EndUserMessagingSender(client, settings).send(voice(), budget(2_500)));
    expect(error.kind).toBe('invalid-message');
    expect(JSON.stringify(error)).not.toContain(CODE);
    expect(String(error.stack)).not.toContain(CODE);
  });

  it('retries throttling and 5xx within the deadline, then succeeds', async () => {
    fake
      .failNext({ type: 'throttle' }, { target: 'SendTextMessage' })
      .failNext({ type: 'server-error' }, { target: 'SendTextMessage' });
    const started = Date.now();
    const receipt = await withSharedPolicy(new EndUserMessagingSender(client, settings)).send(
      sms(),
      budget(2_500),
    );
    expect(receipt.attempts).toBe(3);
    expect(fake.requestsFor('SendTextMessage').map((r) => r.outcome)).toEqual([
      'throttle',
      'server-error',
      'ok',
    ]);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('does not start an attempt it cannot finish: retries stop when the budget is short', async () => {
    fake.failNext({ type: 'throttle' }, { target: 'SendTextMessage', times: 100 });
    const sender = withSharedPolicy(new EndUserMessagingSender(client, settings), {
      maxAttempts: 50,
      backoff: { baseMs: 100, maxMs: 2_000 },
      breaker: { consecutiveFailures: 1_000, halfOpenAfterMs: 1_000 },
    });
    const started = Date.now();
    const error = await failure(sender.send(sms(), budget(600)));
    expect(error.kind).toBe('throttled');
    expect(Date.now() - started).toBeLessThan(600);
  });

  it('a hanging provider: rejects at the deadline, one attempt only (a timed-out send is never retried)', async () => {
    fake.failNext({ type: 'hang' }, { target: 'SendTextMessage', times: 10 });
    const sender = withSharedPolicy(new EndUserMessagingSender(client, settings));
    const started = Date.now();
    const error = await failure(sender.send(sms(), budget(500)));
    const elapsed = Date.now() - started;
    expect(error.kind).toBe('deadline-exceeded');
    expect(error.certainty).toBe('uncertain');
    expect(error.attempts).toBe(1);
    expect(fake.requestsFor('SendTextMessage')).toHaveLength(1);
    // Correctness bound, not a benchmark: the reply must still beat Okta's timeout.
    expect(elapsed).toBeGreaterThanOrEqual(490);
    expect(elapsed).toBeLessThan(600);
  });

  it('a slow provider that would answer after the deadline is abandoned at the deadline', async () => {
    fake.failNext({ type: 'delay', ms: 1_500 }, { target: 'SendVoiceMessage' });
    const started = Date.now();
    const error = await failure(new EndUserMessagingSender(client, settings).send(voice(), budget(300)));
    expect(error.kind).toBe('deadline-exceeded');
    expect(Date.now() - started).toBeLessThan(400);
  });

  it("honours the caller's abort signal", async () => {
    fake.failNext({ type: 'hang' }, { target: 'SendTextMessage' });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const started = Date.now();
    const error = await failure(
      new EndUserMessagingSender(client, settings).send(sms(), {
        signal: controller.signal,
        deadline: Deadline.after(Date.now(), 5_000),
      }),
    );
    expect(error.kind).toBe('deadline-exceeded');
    expect(Date.now() - started).toBeLessThan(200);
  });

  it('an already-passed deadline sends nothing', async () => {
    const error = await failure(
      new EndUserMessagingSender(client, settings).send(sms(), {
        ...budget(0),
        deadline: Deadline.after(Date.now() - 10, 5),
      }),
    );
    expect(error.kind).toBe('deadline-exceeded');
    expect(error.certainty).toBe('not-sent');
    expect(error.attempts).toBe(0);
    expect(fake.requests).toHaveLength(0);
  });

  it('probabilistic faults are reproducible from the seed, and every send ends one way', async () => {
    async function run(): Promise<string[]> {
      fake.reset(7);
      fake.failRandomly({ type: 'throttle' }, 0.2).failRandomly({ type: 'server-error' }, 0.1);
      // A breaker that never opens: this test is about retries.
      const sender = withSharedPolicy(new EndUserMessagingSender(client, settings), {
        backoff: { baseMs: 1, maxMs: 1 },
        breaker: { consecutiveFailures: 1_000, halfOpenAfterMs: 1_000 },
      });
      const outcomes: string[] = [];
      for (let i = 0; i < 40; i++) {
        outcomes.push(
          await sender.send(sms({ eventId: `evt-${i}` }), budget(2_500)).then(
            (r) => `sent/${r.attempts}`,
            (e: DeliveryError) => `${e.kind}/${e.attempts}`,
          ),
        );
      }
      return outcomes;
    }
    const first = await run();
    expect(await run()).toEqual(first);
    expect(first.filter((o) => o.startsWith('sent/')).length).toBeGreaterThan(30);
    expect(first.filter((o) => o !== 'sent/1').length).toBeGreaterThan(0);
    for (const o of first) expect(o).toMatch(/^(sent\/[123]|throttled\/3|provider-unavailable\/3)$/);
  });

  it('the code reaches the provider only inside MessageBody', async () => {
    fake.failNext({ type: 'throttle' });
    const sender = withSharedPolicy(new EndUserMessagingSender(client, settings));
    await sender.send(sms(), budget(2_500));
    await sender.send(voice(), budget(2_500));
    expect(fake.requests.length).toBe(3);
    for (const request of fake.requests) {
      const { MessageBody, ...rest } = request.body;
      expect(String(MessageBody)).toContain(CODE);
      expect(JSON.stringify(rest)).not.toContain(CODE);
      expect(JSON.stringify(request.headers)).not.toContain(CODE);
    }
  });

  it('a reset after the provider accepted is never retried: one message, one send, uncertain', async () => {
    // The provider reads the request, sends the SMS and answers; the answer never reaches us.
    const proxy = await CuttingTcpProxy.start(fake.url);
    const viaProxy = createEndUserMessagingClient({ ...fakeAwsClientConfig(fake), endpoint: proxy.url });
    try {
      proxy.faultNextAnswers({ type: 'reset' });
      const error = await failure(new EndUserMessagingSender(viaProxy, settings).send(sms(), budget(2_500)));
      expect(proxy.cut).toBe(1);
      expect(fake.requestsFor('SendTextMessage').map((r) => r.outcome)).toEqual(['ok']);
      expect(error).toMatchObject({ kind: 'network', certainty: 'uncertain', attempts: 1 });

      // The same with a FIN instead of a RST ("socket hang up").
      proxy.faultNextAnswers({ type: 'close' });
      const hangUp = await failure(
        new EndUserMessagingSender(viaProxy, settings).send(voice(), budget(2_500)),
      );
      expect(fake.requestsFor('SendVoiceMessage').map((r) => r.outcome)).toEqual(['ok']);
      expect(hangUp).toMatchObject({ kind: 'network', certainty: 'uncertain', attempts: 1 });
    } finally {
      viaProxy.destroy();
      await proxy.close();
    }
  });

  it('a refused connection never reached the provider: not sent, retried within the deadline', async () => {
    const closed = await closedPort();
    const refused = createEndUserMessagingClient({ ...fakeAwsClientConfig(fake), endpoint: closed });
    try {
      const error = await failure(
        withSharedPolicy(new EndUserMessagingSender(refused, settings), {
          backoff: { baseMs: 1, maxMs: 1 },
        }).send(sms(), budget(2_500)),
      );
      expect(error).toMatchObject({ kind: 'network', certainty: 'not-sent', attempts: 3 });
    } finally {
      refused.destroy();
    }
  });

  it('a kept-alive connection reset after the request left is uncertain too', async () => {
    const proxy = await CuttingTcpProxy.start(fake.url);
    const viaProxy = createEndUserMessagingClient({ ...fakeAwsClientConfig(fake), endpoint: proxy.url });
    try {
      const sender = new EndUserMessagingSender(viaProxy, settings);
      await sender.send(sms(), budget(2_500));
      proxy.faultNextAnswers({ type: 'reset' });
      const error = await failure(sender.send(sms({ eventId: 'evt-2' }), budget(2_500)));
      expect(error).toMatchObject({ kind: 'network', certainty: 'uncertain', attempts: 1 });
      expect(fake.requestsFor('SendTextMessage').map((r) => r.body.Context)).toEqual([
        { eventId: 'evt-1', purpose: 'verification' },
        { eventId: 'evt-2', purpose: 'verification' },
      ]);
    } finally {
      viaProxy.destroy();
      await proxy.close();
    }
  });
});

describe("createEndUserMessagingClient watches each call's socket", () => {
  const send = (c: PinpointSMSVoiceV2Client) =>
    c.send(
      new SendTextMessageCommand({
        DestinationPhoneNumber: '+447400123456',
        OriginationIdentity: 'x',
        MessageBody: 'hello',
      }),
    );

  it('with handler options (as the composition passes its bounds): fresh, kept-alive and refused sockets', async () => {
    const options = { connectionTimeout: 300, requestTimeout: 2_000, throwOnRequestTimeout: true };
    const watched = createEndUserMessagingClient({ ...fakeAwsClientConfig(fake), requestHandler: options });
    const refused = createEndUserMessagingClient({
      ...fakeAwsClientConfig(fake),
      endpoint: await closedPort(),
      requestHandler: options,
    });
    try {
      const fresh = new WireObservation();
      await observeWire(fresh, () => send(watched));
      expect(fresh).toMatchObject({ socketAssigned: true, connected: true });
      const reused = new WireObservation();
      await observeWire(reused, () => send(watched));
      expect(reused).toMatchObject({ socketAssigned: true, connected: true });
      const never = new WireObservation();
      await observeWire(never, () => send(refused)).catch(() => undefined);
      expect(never).toMatchObject({ socketAssigned: true, connected: false });
    } finally {
      watched.destroy();
      refused.destroy();
    }
  });

  it('a call keeps its observation when an overlapping one ends first (the storage is off only when none is left)', async () => {
    const watched = createEndUserMessagingClient(fakeAwsClientConfig(fake));
    try {
      const first = new WireObservation();
      const second = new WireObservation();
      let endFirst = () => {};
      const firstCall = observeWire(first, () => new Promise<void>((resolve) => (endFirst = resolve)));
      await observeWire(second, async () => {
        endFirst();
        await firstCall;
        return send(watched);
      });
      expect(first).toMatchObject({ socketAssigned: false });
      expect(second).toMatchObject({ socketAssigned: true, connected: true });
      // And after every call has ended, the next one is watched again.
      const later = new WireObservation();
      await observeWire(later, () => send(watched));
      expect(later).toMatchObject({ socketAssigned: true, connected: true });
    } finally {
      watched.destroy();
    }
  });

  it('with a ready handler: used as is, unwatched (failures then classified by shape alone)', async () => {
    const handler = new NodeHttpHandler({ connectionTimeout: 300 });
    const unwatched = createEndUserMessagingClient({ ...fakeAwsClientConfig(fake), requestHandler: handler });
    try {
      expect(unwatched.config.requestHandler).toBe(handler);
      const observation = new WireObservation();
      await observeWire(observation, () => send(unwatched));
      expect(observation.socketAssigned).toBe(false);
    } finally {
      unwatched.destroy();
    }
  });
});

/** A local address with nothing listening: connecting to it is refused at once. */
async function closedPort(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
