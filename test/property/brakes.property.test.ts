import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { InMemoryRateCounterStore } from '../../adapters/local/in-memory-rate-counter-store';
import type { BrakePolicy, BrakeReply, CountryRule, VelocityLimit } from '../../domain/brake-policy';
import { VELOCITY_DIMENSIONS } from '../../domain/brake-policy';
import { countryAllowed, estimatedCostMicroUsd, MICRO_USD, phonePrefix } from '../../domain/brake-rules';
import { CHANNELS, type DeliveryRequest, PURPOSES } from '../../domain/delivery-request';
import { ipSubject } from '../../domain/ip-prefix';
import { destinationOf, NUMBER_KINDS } from '../../domain/phone-destination';
import { DEFAULT_POLICY } from '../support/brake-policy';
import { brakedDelivery } from '../support/braked-delivery';
import '../support/fast-check-seed';

// Mobiles, landlines, premium, shared-cost, pager and an unassigned range, in a few countries and blocks.
const PHONES = [
  '+33612345678',
  '+33612345679',
  '+33612345699',
  '+14155550123',
  '+14155550124',
  '+447912345678',
  '+442012345678',
  '+19005551234',
  '+449012345678',
  '+4918012345678',
  '+447640123456',
  '+3270123456',
  '+18765550123',
  '+37120000001',
];
const COUNTRIES = ['FR', 'US', 'GB', 'DE', 'BE', 'JM', 'LV'];
const IPS = ['192.0.2.1', '192.0.2.2', '2001:db8:1:2::1', '2001:db8:1:2::ffff', undefined];
const USERS = ['00u1', '00u2', '00u3', undefined];

const reply = fc.constantFrom<BrakeReply>('fail', 'absorb');
const countryRule: fc.Arbitrary<CountryRule> = fc.oneof(
  fc.constant({ mode: 'allow-all' as const }),
  fc.record({ mode: fc.constant('block' as const), countries: fc.subarray(COUNTRIES) }),
  fc.record({ mode: fc.constant('allow' as const), countries: fc.subarray(COUNTRIES, { minLength: 3 }) }),
);
const limit: fc.Arbitrary<VelocityLimit> = fc.record(
  {
    dimension: fc.constantFrom(...VELOCITY_DIMENSIONS),
    limit: fc.integer({ min: 0, max: 6 }),
    windowSeconds: fc.constantFrom(30, 60, 3600),
    reply,
    purposes: fc.subarray([...PURPOSES], { minLength: 1 }),
  },
  { requiredKeys: ['dimension', 'limit', 'windowSeconds', 'reply'] },
);
const policy: fc.Arbitrary<BrakePolicy> = fc
  .record({
    limits: fc.array(limit, { maxLength: 6 }),
    smsKinds: fc.subarray([...NUMBER_KINDS]),
    voiceKinds: fc.subarray([...NUMBER_KINDS]),
    sms: countryRule,
    voice: countryRule,
    drop: fc.integer({ min: 1, max: 4 }),
    daily: fc.option(fc.constantFrom(0.1, 0.3, 1), { nil: undefined }),
    country: fc.option(fc.constantFrom(0.05, 0.2), { nil: undefined }),
  })
  .map(
    (p): BrakePolicy => ({
      ...DEFAULT_POLICY,
      limits: p.limits,
      refusedKinds: { sms: p.smsKinds, voice: p.voiceKinds },
      countries: { sms: p.sms, voice: p.voice },
      prefixDropDigits: p.drop,
      spend: { dailyUsd: p.daily, countryDailyUsd: p.country, perCountryDailyUsd: {} },
    }),
  );

interface Step {
  readonly phone: string;
  readonly channel: (typeof CHANNELS)[number];
  readonly purpose: (typeof PURPOSES)[number];
  readonly ip: string | undefined;
  readonly user: string | undefined;
  readonly gapMs: number;
  /** Repeat an earlier request (same event, same code) instead of a new one. */
  readonly repeat: number | undefined;
}
const step: fc.Arbitrary<Step> = fc.record({
  phone: fc.constantFrom(...PHONES),
  channel: fc.constantFrom(...CHANNELS),
  purpose: fc.constantFrom(...PURPOSES),
  ip: fc.constantFrom(...IPS),
  user: fc.constantFrom(...USERS),
  gapMs: fc.constantFrom(0, 1_000, 15_000, 31_000, 600_000),
  repeat: fc.option(fc.nat(), { freq: 4, nil: undefined }),
});

function requestsOf(steps: readonly Step[], start: number): { at: number; request: DeliveryRequest }[] {
  const out: { at: number; request: DeliveryRequest }[] = [];
  let at = start;
  steps.forEach((s, i) => {
    at += s.gapMs;
    const candidate = s.repeat !== undefined && out.length > 0 ? out[s.repeat % out.length] : undefined;
    // A repeat arrives while its code is alive (a retry, not a late replay of an expired code).
    const earlier = candidate && at - candidate.at < 240_000 ? candidate : undefined;
    const request: DeliveryRequest = earlier
      ? earlier.request
      : {
          eventId: `evt-${i}`,
          idp: 'okta',
          purpose: s.purpose,
          // A temporary password only ever goes by SMS (the Cognito adapter's rule; no voice template exists).
          channel: s.purpose === 'temporary-password' ? 'sms' : s.channel,
          phone: s.phone,
          code: String(100_000 + i),
          expiresAt: new Date(at + 300_000),
          requestedLocale: 'en',
          ...(s.ip ? { clientIp: s.ip } : {}),
          ...(s.user ? { userId: s.user } : {}),
        };
    out.push({ at, request });
  });
  return out;
}

/**
 * An independent reading of the rules: screen by kind and country, then count every first claim per
 * subject and fixed window, refused or not; spend adds up only what was sent.
 */
function expectedToSend(
  policy: BrakePolicy,
  stream: { at: number; request: DeliveryRequest }[],
): Set<string> {
  const counts = new Map<string, number>();
  const spent = new Map<string, number>();
  const seen = new Set<string>();
  const sent = new Set<string>();
  for (const { at, request } of stream) {
    if (seen.has(request.eventId)) continue;
    seen.add(request.eventId);
    const { kind, country } = destinationOf(request.phone);
    if (policy.refusedKinds[request.channel].includes(kind)) continue;
    if (!countryAllowed(policy.countries[request.channel], country)) continue;
    let refused = false;
    const counted = new Set<string>();
    for (const l of policy.limits) {
      if (l.purposes?.length && !l.purposes.includes(request.purpose)) continue;
      const subject = {
        phone: request.phone,
        prefix: phonePrefix(request.phone, policy.prefixDropDigits),
        country,
        ip: ipSubject(request.clientIp),
        user: request.userId,
      }[l.dimension];
      if (subject === undefined) continue;
      const window = Math.floor(at / 1000 / l.windowSeconds);
      const key = `${l.dimension}|${[...(l.purposes ?? [])].sort().join('+')}|${l.windowSeconds}|${window}|${subject}`;
      if (!counted.has(key)) {
        counts.set(key, (counts.get(key) ?? 0) + 1);
        counted.add(key);
      }
      if ((counts.get(key) ?? 0) > l.limit) refused = true;
    }
    const cost = estimatedCostMicroUsd(policy, request.channel, country);
    const day = Math.floor(at / 86_400_000);
    const total = (spent.get(`${day}`) ?? 0) + cost;
    const inCountry = (spent.get(`${day}|${country}`) ?? 0) + cost;
    if (policy.spend.dailyUsd !== undefined && total > Math.round(policy.spend.dailyUsd * MICRO_USD))
      refused = true;
    if (
      policy.spend.countryDailyUsd !== undefined &&
      inCountry > Math.round(policy.spend.countryDailyUsd * MICRO_USD)
    )
      refused = true;
    if (refused) continue;
    spent.set(`${day}`, total);
    spent.set(`${day}|${country}`, inCountry);
    sent.add(request.eventId);
  }
  return sent;
}

describe('brakes in DeliverOtp, for any configuration and traffic', () => {
  it('send exactly what an independent reading of the rules allows: no refused request is ever sent', async () => {
    await fc.assert(
      fc.asyncProperty(policy, fc.array(step, { minLength: 1, maxLength: 40 }), async (p, steps) => {
        const { deliver, sender, time, deadLetters } = brakedDelivery({ policy: p });
        const stream = requestsOf(steps, time.now);
        const replies = new Map<string, string>();
        for (const { at, request } of stream) {
          time.now = at;
          const outcome = await deliver.execute(request, at);
          if (!outcome.duplicate) replies.set(request.eventId, outcome.status);
        }
        const sentIds = sender.sent.map((m) => m.eventId);
        expect(new Set(sentIds).size).toBe(sentIds.length);
        expect(new Set(sentIds)).toEqual(expectedToSend(p, stream));
        // Refusals are answered, not parked: nothing to redrive.
        expect(deadLetters.letters).toEqual([]);
        for (const [eventId, status] of replies)
          if (!sentIds.includes(eventId)) expect(['FAILED', 'SUCCESSFUL']).toContain(status);
      }),
      { numRuns: 150 },
    );
  });

  it('count coarse guards per instance (one instance) and still send exactly what the rules allow', async () => {
    await fc.assert(
      fc.asyncProperty(
        policy,
        fc.array(step, { minLength: 1, maxLength: 40 }),
        fc.constantFrom(1, 1_000, 60_000),
        async (p, steps, coarseFlushMs) => {
          const { deliver, sender, time } = brakedDelivery({ policy: p, coarseFlushMs });
          const stream = requestsOf(steps, time.now);
          for (const { at, request } of stream) {
            time.now = at;
            await deliver.execute(request, at);
          }
          // One instance knows every count it made: its decisions are the exact ones.
          expect(new Set(sender.sent.map((m) => m.eventId))).toEqual(expectedToSend(p, stream));
        },
      ),
      { numRuns: 100 },
    );
  });

  it('never count a duplicate twice: with repeats mixed in, every counter ends where it ends without them', async () => {
    const key = Buffer.alloc(32, 7);
    await fc.assert(
      fc.asyncProperty(policy, fc.array(step, { minLength: 1, maxLength: 30 }), async (p, steps) => {
        const withRepeats = brakedDelivery({ policy: p, fingerprintKey: key });
        const stream = requestsOf(steps, withRepeats.time.now);
        for (const { at, request } of stream) {
          withRepeats.time.now = at;
          await withRepeats.deliver.execute(request, at);
        }
        const once = brakedDelivery({ policy: p, fingerprintKey: key });
        const seen = new Set<string>();
        for (const { at, request } of stream) {
          if (seen.has(request.eventId)) continue;
          seen.add(request.eventId);
          once.time.now = at;
          await once.deliver.execute(request, at);
        }
        // Read both at the same moment: counters expire after their window.
        once.time.now = withRepeats.time.now;
        // A repeat in a later window leaves that window's counter at zero: counted, then taken back.
        const snapshot = (c: unknown) =>
          new Map([...(c as InMemoryRateCounterStore).snapshot()].filter(([, total]) => total !== 0));
        expect(snapshot(withRepeats.counters)).toEqual(snapshot(once.counters));
        for (const total of (withRepeats.counters as InMemoryRateCounterStore).snapshot().values())
          expect(total).toBeGreaterThanOrEqual(0);
        expect(withRepeats.sender.sent.length).toBe(once.sender.sent.length);
      }),
      { numRuns: 100 },
    );
  });
});
