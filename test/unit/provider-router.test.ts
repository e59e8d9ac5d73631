import { CircuitState } from 'cockatiel';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ProviderPolicy } from '../../app/provider-policies';
import { ProviderRouter } from '../../app/provider-router';
import { Deadline } from '../../domain/deadline';
import { DeliveryError } from '../../domain/errors';
import type { OutboundMessage } from '../../domain/outbound-message';
import type { Route } from '../../domain/route-table';
import { RecordingLogger } from '../support/recording-logger';
import { accept, hang, lose, refuse, ScriptedProvider } from '../support/scripted-provider';

const CODE = '482913';

const POLICY: ProviderPolicy = {
  attemptTimeoutMs: 1_000,
  maxAttempts: 3,
  backoff: { baseMs: 1, maxMs: 2 },
  breaker: { consecutiveFailures: 3, halfOpenAfterMs: 10_000 },
};
const clock = { now: () => Date.now() };

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
    body: `<speak>Your code is <say-as interpret-as="digits">${CODE}</say-as></speak>`,
    bodyType: 'ssml',
    voiceId: 'JOANNA',
    sms: undefined,
    ...overrides,
  });
}

function budget(ms = 2_000) {
  return { signal: new AbortController().signal, deadline: Deadline.after(Date.now(), ms) };
}

function router(
  providers: ScriptedProvider[],
  routes: Route[] = [{ countries: ['*'], providers: providers.map((p) => p.name) }],
  policy: Partial<ProviderPolicy> = {},
  logger = new RecordingLogger(),
): ProviderRouter {
  return new ProviderRouter(
    providers.map((provider) => ({ provider, policy: { ...POLICY, ...policy } })),
    { routes, minAttemptMs: 100 },
    clock,
    logger,
  );
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

describe('ProviderRouter: failover only when nothing was sent', () => {
  it('sends through the first provider of the route and says so', async () => {
    const eum = new ScriptedProvider('eum');
    const twilio = new ScriptedProvider('twilio');
    const receipt = await router([eum, twilio]).send(sms(), budget());
    expect(receipt).toMatchObject({ provider: 'eum', status: 'SUCCESSFUL', attempts: 1 });
    expect(receipt.tries).toEqual([{ provider: 'eum', outcome: 'sent', calls: 1, ms: expect.any(Number) }]);
    expect(twilio.calls).toHaveLength(0);
  });

  it('a provider that refuses is retried by the shared policy, then the next one sends', async () => {
    const eum = new ScriptedProvider('eum', [refuse('throttled')]);
    const twilio = new ScriptedProvider('twilio');
    const logger = new RecordingLogger();
    const receipt = await router([eum, twilio], undefined, {}, logger).send(sms(), budget());
    expect(eum.calls.map((c) => c.step)).toEqual(['fail', 'fail', 'fail']);
    expect(receipt).toMatchObject({ provider: 'twilio', attempts: 4 });
    expect(receipt.tries?.map(({ ms: _, ...t }) => t)).toEqual([
      { provider: 'eum', outcome: 'not-sent', reason: 'throttled', calls: 3 },
      { provider: 'twilio', outcome: 'sent', calls: 1 },
    ]);
    // Twilio is told this is the message's fourth attempt (its `Attempt` parameter).
    expect(twilio.calls[0]?.previousCalls).toBe(3);
    expect(logger.lines.map((l) => l.message)).toContain('provider failed; failing over');
    expect(logger.text()).not.toContain(CODE);
  });

  it('an uncertain failure is never failed over: one provider may have the message', async () => {
    const eum = new ScriptedProvider('eum', [lose('network')]);
    const twilio = new ScriptedProvider('twilio');
    const error = await failure(router([eum, twilio]).send(sms(), budget()));
    expect(error).toMatchObject({ kind: 'network', certainty: 'uncertain', attempts: 1 });
    expect(error.tries.map((t) => [t.provider, t.outcome])).toEqual([['eum', 'uncertain']]);
    expect(eum.calls).toHaveLength(1);
    expect(twilio.calls).toHaveLength(0);
    expect(error.message).not.toContain(CODE);
  });

  it('a route that opts in fails over an uncertain failure; the delivery stays uncertain if the next fails', async () => {
    const routes: Route[] = [{ countries: ['*'], providers: ['eum', 'twilio'], failoverOnUncertain: true }];
    const eum = new ScriptedProvider('eum', [lose('timeout')]);
    const twilio = new ScriptedProvider('twilio', [accept]);
    const receipt = await router([eum, twilio], routes).send(sms(), budget());
    expect(receipt.provider).toBe('twilio');
    expect(receipt.tries?.map((t) => t.outcome)).toEqual(['uncertain', 'sent']);

    twilio.play(refuse('provider-unavailable'));
    const error = await failure(router([eum, twilio], routes).send(sms(), budget()));
    // Twilio surely did not send, but End User Messaging may have: the letter must say uncertain.
    expect(error.certainty).toBe('uncertain');
    expect(error.tries.map((t) => t.outcome)).toEqual(['uncertain', 'not-sent']);
  });

  it('an opt-out is never routed around, though nothing was sent', async () => {
    const eum = new ScriptedProvider('eum', [refuse('opted-out')]);
    const twilio = new ScriptedProvider('twilio');
    const error = await failure(router([eum, twilio]).send(sms(), budget()));
    expect(error).toMatchObject({ kind: 'opted-out', certainty: 'not-sent', attempts: 1 });
    expect(twilio.calls).toHaveLength(0);
  });

  it('a failure that will not pass is not retried, but still fails over', async () => {
    const eum = new ScriptedProvider('eum', [refuse('destination-blocked')]);
    const twilio = new ScriptedProvider('twilio');
    const receipt = await router([eum, twilio]).send(sms(), budget());
    expect(eum.calls).toHaveLength(1);
    expect(receipt.provider).toBe('twilio');
  });

  it('both down: FAILED as not sent, within the deadline, with every call counted', async () => {
    const eum = new ScriptedProvider('eum', [refuse('network')]);
    const twilio = new ScriptedProvider('twilio', [refuse('provider-unavailable')]);
    const started = Date.now();
    const error = await failure(router([eum, twilio]).send(sms(), budget(1_000)));
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(error).toMatchObject({ kind: 'provider-unavailable', certainty: 'not-sent', attempts: 6 });
    expect(error.tries.map((t) => `${t.provider}:${t.outcome}:${t.calls}`)).toEqual([
      'eum:not-sent:3',
      'twilio:not-sent:3',
    ]);
  });

  it('a provider that hangs keeps the whole send window: uncertain at the deadline, never failed over', async () => {
    const eum = new ScriptedProvider('eum', [hang]);
    const twilio = new ScriptedProvider('twilio');
    const started = Date.now();
    const error = await failure(
      router([eum, twilio], undefined, { attemptTimeoutMs: 300 }).send(sms(), budget(800)),
    );
    const elapsed = Date.now() - started;
    // Cutting it at 300 ms would gain nothing: what is cut after the request left is never failed over.
    expect(error).toMatchObject({ kind: 'deadline-exceeded', certainty: 'uncertain', attempts: 1 });
    expect(elapsed).toBeGreaterThanOrEqual(790);
    expect(elapsed).toBeLessThan(1_100);
    expect(twilio.calls).toHaveLength(0);
  });

  it('on a route that fails over uncertain failures, a hanging call is cut at its bound and the next provider sends', async () => {
    const eum = new ScriptedProvider('eum', [hang]);
    const twilio = new ScriptedProvider('twilio');
    const routes: Route[] = [{ countries: ['*'], providers: ['eum', 'twilio'], failoverOnUncertain: true }];
    const started = Date.now();
    const receipt = await router([eum, twilio], routes, { attemptTimeoutMs: 300 }).send(sms(), budget(2_000));
    const elapsed = Date.now() - started;
    expect(receipt.provider).toBe('twilio');
    expect(receipt.tries?.map((t) => `${t.provider}:${t.outcome}:${t.reason ?? ''}`)).toEqual([
      'eum:uncertain:timeout',
      'twilio:sent:',
    ]);
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(700);
  });

  it('no call starts with less than the minimum left; the provider is listed as skipped', async () => {
    // A slow refusal that leaves 80 ms (less, on a busy machine) of a 600 ms window: too little for a call.
    const eum = new ScriptedProvider('eum', [refuse('destination-blocked', 520)]);
    const twilio = new ScriptedProvider('twilio');
    const error = await failure(router([eum, twilio]).send(sms(), budget(600)));
    expect(twilio.calls).toHaveLength(0);
    expect(error.tries.at(-1)).toMatchObject({
      provider: 'twilio',
      outcome: 'skipped',
      reason: 'no-time-left',
    });
    expect(error.certainty).toBe('not-sent');
  });
});

describe('ProviderRouter: routes and capabilities', () => {
  const routes: Route[] = [
    { countries: ['IN'], channels: ['sms'], providers: ['twilio', 'eum'] },
    { countries: ['GB'], purposes: ['password-reset'], providers: ['twilio'] },
    { countries: ['*'], providers: ['eum', 'twilio'] },
  ];

  it.each([
    ['an Indian SMS', sms({ to: '+919876543210' }), 'twilio'],
    ['an Indian call', voice({ to: '+919876543210' }), 'eum'],
    ['a British password reset', sms({ to: '+447400123456', purpose: 'password-reset' }), 'twilio'],
    ['a British sign-in', sms({ to: '+447400123456' }), 'eum'],
    [
      'a Jersey mobile (GB calling code) password reset',
      sms({ to: '+447797123456', purpose: 'password-reset' }),
      'twilio',
    ],
    ['a US SMS', sms(), 'eum'],
  ])('%s goes through %s first', async (_, message, first) => {
    const eum = new ScriptedProvider('eum');
    const twilio = new ScriptedProvider('twilio');
    const receipt = await router([eum, twilio], routes).send(message, budget());
    expect(receipt.provider).toBe(first);
  });

  it('a voice route skips a provider that cannot call, an unsupported voice or SSML element', async () => {
    const smsOnly = new ScriptedProvider('sms-only', [accept], {
      channels: ['sms'],
      senderTypes: ['phone-number'],
    });
    const fewVoices = new ScriptedProvider('few-voices', [accept], {
      channels: ['sms', 'voice'],
      voiceIds: new Set(['MATTHEW']),
      senderTypes: ['phone-number'],
    });
    const plainSsml = new ScriptedProvider('plain-ssml', [accept], {
      channels: ['sms', 'voice'],
      ssmlElements: new Set(['speak', 'say-as']),
      senderTypes: ['phone-number'],
    });
    const any = new ScriptedProvider('any');
    const providers = [smsOnly, fewVoices, plainSsml, any];
    const receipt = await router(providers).send(
      voice({ body: `<speak><prosody rate="slow">Your code is ${CODE}</prosody></speak>` }),
      budget(),
    );
    expect(receipt.provider).toBe('any');
    expect(receipt.tries?.map((t) => `${t.provider}:${t.outcome}:${t.reason ?? ''}`)).toEqual([
      'sms-only:skipped:no-voice',
      'few-voices:skipped:unsupported-voice',
      'plain-ssml:skipped:unsupported-ssml',
      'any:sent:',
    ]);
    for (const p of [smsOnly, fewVoices, plainSsml]) expect(p.calls).toHaveLength(0);
  });

  it('a route nobody can carry fails at once, not sent, as misconfigured', async () => {
    const smsOnly = new ScriptedProvider('sms-only', [accept], {
      channels: ['sms'],
      senderTypes: ['phone-number'],
    });
    const error = await failure(router([smsOnly]).send(voice(), budget()));
    expect(error).toMatchObject({ kind: 'misconfigured', certainty: 'not-sent', attempts: 0 });
  });

  it('a route may require a sender type', async () => {
    const numbersOnly = new ScriptedProvider('numbers', [accept], {
      channels: ['sms'],
      senderTypes: ['phone-number'],
    });
    const any = new ScriptedProvider('any');
    const receipt = await router(
      [numbersOnly, any],
      [{ countries: ['*'], providers: ['numbers', 'any'], senderType: 'alphanumeric' }],
    ).send(sms(), budget());
    expect(receipt.provider).toBe('any');
  });
});

describe('ProviderRouter: circuit breakers (state per router, i.e. per Lambda instance)', () => {
  beforeEach(() => {
    // Only Date is faked: cockatiel reads Date.now() to decide when an open circuit may probe again.
    vi.useFakeTimers({ toFake: ['Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('opens after N consecutive failures, then the primary is skipped without a call', async () => {
    const eum = new ScriptedProvider('eum', [refuse('provider-unavailable')]);
    const twilio = new ScriptedProvider('twilio');
    const logger = new RecordingLogger();
    const r = router([eum, twilio], undefined, { maxAttempts: 1 }, logger);
    for (let i = 0; i < 3; i++) await r.send(sms({ eventId: `evt-${i}` }), budget());
    expect(eum.calls).toHaveLength(3);
    expect(r.breakerOf('eum')?.state).toBe(CircuitState.Open);
    expect(logger.lines.map((l) => l.message)).toContain('circuit opened');

    const receipt = await r.send(sms({ eventId: 'evt-3' }), budget());
    expect(eum.calls).toHaveLength(3);
    expect(receipt.provider).toBe('twilio');
    expect(receipt.tries?.[0]).toMatchObject({
      provider: 'eum',
      outcome: 'skipped',
      reason: 'circuit-open',
      calls: 0,
    });
  });

  it('half-opens after the configured time: one probe; success closes it, failure opens it again', async () => {
    const eum = new ScriptedProvider('eum', [refuse('provider-unavailable')]);
    const twilio = new ScriptedProvider('twilio');
    const r = router([eum, twilio], undefined, { maxAttempts: 1 });
    for (let i = 0; i < 3; i++) await r.send(sms({ eventId: `open-${i}` }), budget());
    const breaker = r.breakerOf('eum');
    expect(breaker?.state).toBe(CircuitState.Open);

    // Not yet: 9.999 s later the primary is still skipped.
    vi.setSystemTime(Date.now() + 9_999);
    await r.send(sms({ eventId: 'still-open' }), budget());
    expect(eum.calls).toHaveLength(3);

    // 10 s: the next request is the probe. It fails: open again, and it fails over as any failure would.
    vi.setSystemTime(Date.now() + 1);
    const probed = await r.send(sms({ eventId: 'probe-1' }), budget());
    expect(eum.calls).toHaveLength(4);
    expect(probed.provider).toBe('twilio');
    expect(breaker?.state).toBe(CircuitState.Open);
    await r.send(sms({ eventId: 'after-failed-probe' }), budget());
    expect(eum.calls).toHaveLength(4);

    // Another 10 s, the primary is back: the probe succeeds and the circuit closes.
    eum.play(accept);
    vi.setSystemTime(Date.now() + 10_000);
    const back = await r.send(sms({ eventId: 'probe-2' }), budget());
    expect(back.provider).toBe('eum');
    expect(breaker?.state).toBe(CircuitState.Closed);
    expect((await r.send(sms({ eventId: 'closed' }), budget())).provider).toBe('eum');
  });

  it('opens on a failure rate too, without N failures in a row', async () => {
    // Fails every other call: never three in a row, but half of all calls.
    const eum = new ScriptedProvider('eum', [
      accept,
      refuse(),
      accept,
      refuse(),
      accept,
      refuse(),
      accept,
      refuse(),
      accept,
      refuse(),
      accept,
    ]);
    const twilio = new ScriptedProvider('twilio');
    const r = router([eum, twilio], undefined, {
      maxAttempts: 1,
      breaker: {
        consecutiveFailures: 3,
        failureRate: { threshold: 0.4, windowCalls: 10, minimumCalls: 10 },
        halfOpenAfterMs: 10_000,
      },
    });
    for (let i = 0; i < 10; i++) await r.send(sms({ eventId: `evt-${i}` }), budget());
    expect(r.breakerOf('eum')?.state).toBe(CircuitState.Open);
  });

  it('failures about the destination say nothing of the provider and do not open it', async () => {
    const eum = new ScriptedProvider('eum', [refuse('opted-out')]);
    const r = router([eum], undefined, { maxAttempts: 1 });
    for (let i = 0; i < 5; i++) await failure(r.send(sms({ eventId: `evt-${i}` }), budget()));
    expect(r.breakerOf('eum')?.state).toBe(CircuitState.Closed);
  });

  it('uncertain failures count against the provider (they protect the next requests), and are not failed over', async () => {
    const eum = new ScriptedProvider('eum', [lose('timeout')]);
    const twilio = new ScriptedProvider('twilio');
    const r = router([eum, twilio], undefined, { maxAttempts: 1 });
    for (let i = 0; i < 3; i++) await failure(r.send(sms({ eventId: `evt-${i}` }), budget()));
    expect(twilio.calls).toHaveLength(0);
    expect(r.breakerOf('eum')?.state).toBe(CircuitState.Open);
    // The next request never touched End User Messaging: Twilio can take it without any risk.
    expect((await r.send(sms({ eventId: 'next' }), budget())).provider).toBe('twilio');
  });

  it('the last provider standing is tried even with its circuit open', async () => {
    const eum = new ScriptedProvider('eum', [refuse(), refuse(), refuse(), accept]);
    const r = router([eum], undefined, { maxAttempts: 1 });
    for (let i = 0; i < 3; i++) await failure(r.send(sms({ eventId: `evt-${i}` }), budget()));
    expect(r.breakerOf('eum')?.state).toBe(CircuitState.Open);
    const receipt = await r.send(sms({ eventId: 'last-resort' }), budget());
    expect(receipt.tries?.map((t) => `${t.outcome}:${t.reason ?? ''}`)).toEqual([
      'skipped:circuit-open',
      'sent:circuit-bypassed',
    ]);
  });
});
