import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DeliverOtp } from '../../app/deliver-otp';
import { DeliveryRun } from '../../app/delivery-run';
import { proxyEvent } from '../../app/local/api-gateway-events';
import { oktaSamplePayload } from '../../app/local/okta-sample-payload';
import { TelephonyHookHandler } from '../../app/telephony-hook-handler';
import type { Deadline } from '../../domain/deadline';
import type { DeliveryOutcome } from '../../domain/delivery-outcome';
import type { DeliveryRequest } from '../../domain/delivery-request';
import type { Clock } from '../../ports/clock';
import { RecordingLogger } from '../support/recording-logger';
import { guardSecret } from '../support/secret-leak-guard';

const DEADLINE_MS = 2_500;
const clock: Clock = { now: () => Date.now() };

/**
 * A use case stuck past every bound of its own (an adapter that ignores its abort signal), having
 * decided what it decided so far. The safety net is what is under test.
 */
class StuckDelivery {
  started: { request: DeliveryRequest; deadline: Deadline } | undefined;
  run: DeliveryRun | undefined;
  constructor(
    private readonly script: (
      run: DeliveryRun,
      request: DeliveryRequest,
    ) => Promise<DeliveryOutcome> | undefined,
  ) {}
  start(request: DeliveryRequest, deadline: Deadline): DeliveryRun {
    this.started = { request, deadline };
    const run = new DeliveryRun(
      deadline,
      deadline,
      deadline,
      (r) => this.script(r, request) ?? new Promise<DeliveryOutcome>(() => {}),
    );
    this.run = run;
    return run;
  }
}

function handlerFor(delivery: StuckDelivery, logger = new RecordingLogger()) {
  return new TelephonyHookHandler(delivery as unknown as DeliverOtp, clock, logger, {
    defaultPhoneRegion: 'US',
    maxBodyBytes: 16_384,
    deadlineMs: DEADLINE_MS,
  });
}

function event(receivedAt: number | undefined) {
  const e = proxyEvent({
    path: '/okta/telephony-hook',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(oktaSamplePayload({ code: guardSecret('90417325') })),
    sourceIp: '198.51.100.7',
    receivedAt: receivedAt ?? 0,
    authorizer: { principalId: 'okta', policyDocument: { Version: '2012-10-17', Statement: [] } },
  });
  if (receivedAt === undefined) {
    (e.requestContext as { requestTimeEpoch?: number }).requestTimeEpoch = undefined;
  }
  return e;
}

function statusOf(body: string): string {
  const reply = JSON.parse(body);
  return reply.commands?.[0]?.value?.[0]?.status ?? (reply.error ? 'FAILED' : 'none');
}

describe('TelephonyHookHandler: the deadline and the safety net', () => {
  afterEach(() => vi.useRealTimers());

  it('counts the budget from API Gateway’s stamp, however old; a stamp from the future counts from now', async () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const delivery = new StuckDelivery((run, request) =>
      Promise.resolve(
        run.decide({
          status: 'SUCCESSFUL',
          eventId: request.eventId,
          channel: 'sms',
          provider: 'p',
          transactionId: 't',
          durationMs: 1,
        }),
      ),
    );
    const handler = handlerFor(delivery);
    for (const [stamp, start] of [
      [999_000, 999_000],
      [1_000_000 - 11_000, 1_000_000 - 11_000],
      [1_000_000 - 3_600_000, 1_000_000 - 3_600_000],
      [1_005_000, 1_000_000],
      [undefined, 1_000_000],
    ] as const) {
      await handler.handle(event(stamp));
      expect(delivery.started?.deadline.startedAt).toBe(start);
      expect(delivery.started?.deadline.at).toBe(start + DEADLINE_MS);
    }
  });

  it('never overrides a known outcome: a send the provider accepted is answered SUCCESSFUL at the deadline', async () => {
    vi.useFakeTimers();
    const delivery = new StuckDelivery((run, request) => {
      run.decide({
        status: 'SUCCESSFUL',
        eventId: request.eventId,
        channel: 'sms',
        provider: 'aws-end-user-messaging',
        transactionId: 'msg-1',
        durationMs: 900,
      });
      return undefined;
    });
    const logger = new RecordingLogger();
    const reply = handlerFor(delivery, logger).handle(event(Date.now()));
    await vi.advanceTimersByTimeAsync(DEADLINE_MS + 100);
    const result = await reply;
    expect(statusOf(result.body)).toBe('SUCCESSFUL');
    expect(JSON.parse(result.body).commands[0].value[0].transactionId).toBe('msg-1');
    // Whatever still ran was aborted before the reply: Lambda would freeze it mid-call.
    expect(delivery.run?.signal.aborted).toBe(true);
    expect(logger.lines.find((l) => l.level === 'error')?.fields).toMatchObject({ status: 'SUCCESSFUL' });
  });

  it('with nothing decided, replies FAILED by the deadline and logs the sealed code of a letter not parked', async () => {
    vi.useFakeTimers();
    const sealed = {
      scheme: 'aes-256-gcm',
      keyId: 'local:abc',
      ciphertext: randomBytes(40).toString('base64'),
    };
    const delivery = new StuckDelivery((run) => {
      run.sealedCode = sealed;
      return undefined;
    });
    const logger = new RecordingLogger();
    const started = Date.now();
    const reply = handlerFor(delivery, logger).handle(event(started));
    await vi.advanceTimersByTimeAsync(DEADLINE_MS + 100);
    const result = await reply;
    expect(statusOf(result.body)).toBe('FAILED');
    expect(JSON.parse(result.body).error.errorCauses[0].reason).toBe('deadline-exceeded');
    const line = logger.lines.find((l) => l.level === 'error');
    expect(line?.fields).toMatchObject({
      parked: false,
      sealedCode: sealed.ciphertext,
      sealedKeyId: 'local:abc',
    });
    expect(String(line?.fields.to)).toMatch(/^\+\d\*+\d\d$/);
  });

  it('a use case that answers in time is answered as is, and nothing is aborted', async () => {
    const delivery = new StuckDelivery((run, request) =>
      Promise.resolve(
        run.decide({
          status: 'FAILED',
          eventId: request.eventId,
          channel: 'sms',
          provider: 'otp-courier',
          transactionId: '',
          failureReason: 'opted-out',
          durationMs: 40,
        }),
      ),
    );
    const result = await handlerFor(delivery).handle(event(Date.now()));
    expect(JSON.parse(result.body).error.errorCauses[0].reason).toBe('opted-out');
    expect(delivery.run?.signal.aborted).toBe(false);
  });
});
