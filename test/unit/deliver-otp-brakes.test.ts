import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { InMemoryRateCounterStore } from '../../adapters/local/in-memory-rate-counter-store';
import { ABSORBED_PROVIDER } from '../../app/brakes';
import type { DeliveryRequest } from '../../domain/delivery-request';
import type { CounterIncrement, RateCounterStore } from '../../ports/rate-counter-store';
import { policyWith } from '../support/brake-policy';
import { brakedDelivery } from '../support/braked-delivery';
import { guardSecret } from '../support/secret-leak-guard';

let n = 0;
function request(over: Partial<DeliveryRequest> = {}, now = Date.UTC(2026, 10, 30, 9)): DeliveryRequest {
  n += 1;
  return {
    eventId: `evt-${n}-${randomBytes(4).toString('hex')}`,
    idp: 'okta',
    purpose: 'verification',
    channel: 'sms',
    phone: '+33612345678',
    code: guardSecret(String(100_000 + ((n * 7919) % 900_000))),
    expiresAt: new Date(now + 300_000),
    requestedLocale: 'en',
    clientIp: '198.51.100.20',
    userId: `00u${n}`,
    ...over,
  };
}

class BrokenCounters implements RateCounterStore {
  constructor(private readonly how: 'reject' | 'hang') {}
  increment(_: readonly CounterIncrement[], options?: { signal?: AbortSignal }): Promise<number[]> {
    if (this.how === 'reject')
      return Promise.reject(Object.assign(new Error('down'), { name: 'InternalServerError' }));
    return new Promise((_, reject) =>
      options?.signal?.addEventListener('abort', () => reject(new Error('aborted'))),
    );
  }
  async decrement(): Promise<void> {}
}

describe('DeliverOtp with brakes', () => {
  it('absorbs a premium-rate number: SUCCESSFUL to Okta, nothing sent, no dead letter, one clear log line', async () => {
    const { deliver, sender, deadLetters, logger, counters } = brakedDelivery();
    const req = request({ phone: '+19005551234', channel: 'voice' });
    const outcome = await deliver.execute(req);
    expect(outcome).toMatchObject({ status: 'SUCCESSFUL', provider: ABSORBED_PROVIDER, transactionId: '' });
    expect(sender.sent).toEqual([]);
    expect(deadLetters.letters).toEqual([]);
    const line = logger.lines.find((l) => l.message === 'otp refused by brakes');
    expect(line?.fields).toMatchObject({
      to: '+1********34',
      rule: 'number-type',
      kind: 'PREMIUM_RATE',
      reply: 'absorb',
      country: 'US',
    });
    // The pure rules cost no counter.
    expect((counters as InMemoryRateCounterStore).snapshot().size).toBe(0);
    // A duplicate replays the same answer and still sends nothing.
    expect(await deliver.execute(req)).toMatchObject({ status: 'SUCCESSFUL', duplicate: true });
    expect(sender.sent).toEqual([]);
  });

  it('fails a request past a velocity limit, so Okta falls back, and logs the counts', async () => {
    const { deliver, sender, logger } = brakedDelivery();
    expect((await deliver.execute(request())).status).toBe('SUCCESSFUL');
    expect((await deliver.execute(request({ channel: 'voice' }))).status).toBe('SUCCESSFUL');
    const third = await deliver.execute(request());
    expect(third).toMatchObject({ status: 'FAILED', failureReason: 'refused.phone.30s' });
    expect(sender.sent).toHaveLength(2);
    const line = logger.lines.find((l) => l.message === 'otp refused by brakes');
    expect(line?.fields).toMatchObject({ rule: 'phone/30s', count: 3, limit: 2, reply: 'fail' });
    expect(String(line?.fields.counts)).toMatch(
      /^phone\/30s=3 phone\/1h=3 user\/1h=1 ip\/1h=3 country\/1h=3 spend-daily=\$0\.\d\d spend-country-daily=\$0\.\d\d$/,
    );
  });

  it('lets the same phone through again once the window has passed (fixed windows, Okta paces at 30 s)', async () => {
    const { deliver, time } = brakedDelivery();
    for (let i = 0; i < 6; i += 1) {
      expect((await deliver.execute(request({}, time.now))).status).toBe('SUCCESSFUL');
      time.now += 30_000;
    }
  });

  it('counts a duplicate once: its counts are taken back when the claim says so', async () => {
    const { deliver, counters } = brakedDelivery();
    const req = request();
    await deliver.execute(req);
    const before = new Map((counters as InMemoryRateCounterStore).snapshot());
    await deliver.execute(req);
    await deliver.execute({ ...req, eventId: 'another-event-same-code' });
    expect((counters as InMemoryRateCounterStore).snapshot()).toEqual(before);
  });

  it('counts spend only for what it sends', async () => {
    const policy = policyWith({ spend: { dailyUsd: 0.05, perCountryDailyUsd: {} } });
    const { deliver, sender, logger, time } = brakedDelivery({ policy });
    // FR SMS is estimated at 0.07 USD: over the 0.05 cap at once.
    const outcome = await deliver.execute(request());
    expect(outcome).toMatchObject({ status: 'FAILED', failureReason: 'refused.spend.daily' });
    expect(sender.sent).toEqual([]);
    // The refused estimate was taken back, so a cheaper destination still fits.
    time.now += 60_000;
    expect((await deliver.execute(request({ phone: '+14155550123' }, time.now))).status).toBe('SUCCESSFUL');
    expect(logger.lines.filter((l) => l.message === 'otp refused by brakes')).toHaveLength(1);
  });

  it('fails open by default when the counters are down, with an error line for the alarm', async () => {
    const { deliver, sender, logger } = brakedDelivery({ counters: new BrokenCounters('reject') });
    expect((await deliver.execute(request())).status).toBe('SUCCESSFUL');
    expect(sender.sent).toHaveLength(1);
    expect(logger.lines.find((l) => l.message === 'brake counters unavailable')?.fields).toMatchObject({
      failOpen: true,
    });
    // The pure rules still hold without counters.
    expect((await deliver.execute(request({ phone: '+449012345678' }))).provider).toBe(ABSORBED_PROVIDER);
    expect(sender.sent).toHaveLength(1);
  });

  it('fails closed when told to', async () => {
    const { deliver, sender } = brakedDelivery({
      counters: new BrokenCounters('reject'),
      onCounterFailure: 'closed',
    });
    expect(await deliver.execute(request())).toMatchObject({
      status: 'FAILED',
      failureReason: 'refused.counters.unavailable',
    });
    expect(sender.sent).toEqual([]);
  });

  it('does not wait past its timeout for hanging counters', async () => {
    const { deliver, sender } = brakedDelivery({
      counters: new BrokenCounters('hang'),
      counterTimeoutMs: 60,
    });
    const started = performance.now();
    expect((await deliver.execute(request())).status).toBe('SUCCESSFUL');
    expect(performance.now() - started).toBeLessThan(500);
    expect(sender.sent).toHaveLength(1);
  });
});
