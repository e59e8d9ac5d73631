import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BrakeReply, CountryRule, VelocityLimit } from '../../domain/brake-policy';
import { VELOCITY_DIMENSIONS } from '../../domain/brake-policy';
import { countryAllowed, judgeCounts, planCounters, screenDestination } from '../../domain/brake-rules';
import { PURPOSES } from '../../domain/delivery-request';
import { ipSubject } from '../../domain/ip-prefix';
import { NUMBER_KINDS, type PhoneDestination } from '../../domain/phone-destination';
import { DEFAULT_POLICY, policyWith } from '../support/brake-policy';
import '../support/fast-check-seed';

const COUNTRIES = ['US', 'GB', 'FR', 'JM', 'LV', '001', 'DE', 'IN'];
const reply = fc.constantFrom<BrakeReply>('fail', 'absorb');
const countryRule: fc.Arbitrary<CountryRule> = fc.oneof(
  fc.constant({ mode: 'allow-all' as const }),
  fc.record({ mode: fc.constant('block' as const), countries: fc.subarray(COUNTRIES) }),
  fc.record({ mode: fc.constant('allow' as const), countries: fc.subarray(COUNTRIES) }),
);
const destination: fc.Arbitrary<PhoneDestination> = fc.record({
  kind: fc.constantFrom(...NUMBER_KINDS),
  country: fc.constantFrom(...COUNTRIES),
  callingCode: fc.constant('1'),
});
const limit: fc.Arbitrary<VelocityLimit> = fc.record(
  {
    dimension: fc.constantFrom(...VELOCITY_DIMENSIONS),
    limit: fc.integer({ min: 0, max: 50 }),
    windowSeconds: fc.constantFrom(1, 30, 60, 3600, 86_400, 7 * 86_400, 17, 45),
    reply,
    purposes: fc.subarray([...PURPOSES], { minLength: 1 }),
  },
  { requiredKeys: ['dimension', 'limit', 'windowSeconds', 'reply'] },
);
const time = fc.integer({ min: 1_600_000_000_000, max: 2_000_000_000_000 });

describe('brake rules, for any configuration', () => {
  it('refuse exactly the configured number kinds and countries, with the configured reply', () => {
    fc.assert(
      fc.property(
        fc.subarray([...NUMBER_KINDS]),
        countryRule,
        destination,
        fc.constantFrom('sms' as const, 'voice' as const),
        reply,
        reply,
        (kinds, rule, dest, channel, typeReply, countryReply) => {
          const policy = policyWith({
            refusedKinds: { sms: kinds, voice: kinds },
            [channel]: rule,
            replies: {
              ...DEFAULT_POLICY.replies,
              'number-type': typeReply,
              'unknown-number-type': typeReply,
              'destination-country': countryReply,
            },
          });
          const refusal = screenDestination(policy, channel, dest);
          const kindRefused = kinds.includes(dest.kind);
          const countryRefused = !countryAllowed(rule, dest.country);
          expect(refusal !== undefined).toBe(kindRefused || countryRefused);
          if (kindRefused) expect(refusal?.reply).toBe(typeReply);
          else if (countryRefused)
            expect(refusal).toMatchObject({ rule: 'destination-country', reply: countryReply });
        },
      ),
      { numRuns: 400 },
    );
  });

  it('allow and block lists are complements', () => {
    fc.assert(
      fc.property(fc.subarray(COUNTRIES), fc.constantFrom(...COUNTRIES), (countries, country) => {
        expect(countryAllowed({ mode: 'allow', countries }, country)).toBe(
          !countryAllowed({ mode: 'block', countries }, country),
        );
        expect(countryAllowed({ mode: 'allow-all' }, country)).toBe(true);
      }),
    );
  });

  it('fixed windows contain now, and two requests a window apart never share one', () => {
    fc.assert(
      fc.property(
        fc.array(limit, { minLength: 1, maxLength: 6 }),
        time,
        fc.integer({ min: 0, max: 10 ** 9 }),
        (limits, t1, gap) => {
          const policy = policyWith({ limits, spend: { perCountryDailyUsd: {} } });
          const facts = {
            channel: 'sms' as const,
            purpose: 'verification' as const,
            phone: '+33612345678',
            clientIp: '192.0.2.1',
            userId: 'u',
          };
          const dest = { kind: 'MOBILE' as const, country: 'FR', callingCode: '33' };
          const first = planCounters(policy, facts, dest, t1);
          for (const counter of first) {
            expect(counter.windowStart * 1000).toBeLessThanOrEqual(t1);
            expect((counter.windowStart + counter.windowSeconds) * 1000).toBeGreaterThan(t1);
            expect(counter.expiresAt).toBeGreaterThan(t1);
          }
          const second = planCounters(policy, facts, dest, t1 + gap);
          for (const counter of first) {
            const later = second.find(
              (c) =>
                c.dimension === counter.dimension &&
                c.scope === counter.scope &&
                c.windowSeconds === counter.windowSeconds,
            );
            if (!later) continue;
            if (gap >= counter.windowSeconds * 1000) expect(later.windowStart).not.toBe(counter.windowStart);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('refuse exactly when a count passes a limit, absorbing if any absorbing limit is passed', () => {
    fc.assert(
      fc.property(
        fc.array(limit, { minLength: 1, maxLength: 8 }),
        fc.array(fc.integer({ min: 0, max: 80 }), { minLength: 8, maxLength: 8 }),
        (limits, totals) => {
          const policy = policyWith({ limits, spend: { perCountryDailyUsd: {} } });
          const facts = {
            channel: 'voice' as const,
            purpose: 'enrollment' as const,
            phone: '+33612345678',
            clientIp: '192.0.2.1',
            userId: 'u',
          };
          const planned = planCounters(
            policy,
            facts,
            { kind: 'MOBILE', country: 'FR', callingCode: '33' },
            0,
          );
          const counts = planned.map((_, i) => totals[i] ?? 0);
          const breaches = planned.flatMap((c, i) => c.limits.filter((l) => (counts[i] ?? 0) > l.limit));
          const refusal = judgeCounts(planned, counts);
          expect(refusal !== undefined).toBe(breaches.length > 0);
          if (refusal)
            expect(refusal.reply).toBe(breaches.some((b) => b.reply === 'absorb') ? 'absorb' : 'fail');
        },
      ),
      { numRuns: 400 },
    );
  });
});

describe('ipSubject', () => {
  const group = fc.integer({ min: 0, max: 0xffff });
  it('counts an IPv6 client by its /64, however the address is written', () => {
    fc.assert(
      fc.property(
        fc.array(group, { minLength: 8, maxLength: 8 }),
        fc.array(group, { minLength: 4, maxLength: 4 }),
        (groups, other) => {
          // Not an IPv4-mapped address (::ffff:a.b.c.d), which counts as IPv4.
          fc.pre(!(groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff));
          const full = groups.map((g) => g.toString(16).padStart(4, '0')).join(':');
          const upper = full.toUpperCase();
          const sameNetwork = [...groups.slice(0, 4), ...other].map((g) => g.toString(16)).join(':');
          const subject = ipSubject(full);
          expect(subject).toMatch(/^[0-9a-f]{1,4}(:[0-9a-f]{1,4}){3}::\/64$/);
          expect(ipSubject(upper)).toBe(subject);
          if (!(other.slice(0, 1).every((g) => g === 0) && other[1] === 0xffff))
            expect(ipSubject(sameNetwork)).toBe(subject);
          // The longest run of zero groups compressed, as RFC 5952 writes it.
          const compressed = full.replace(/(^|:)0000(:0000)+(:|$)/, '::').replace(/:::/, '::');
          expect(ipSubject(compressed)).toBe(subject);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('keeps an IPv4 address whole and refuses anything else', () => {
    fc.assert(
      fc.property(fc.ipV4(), (ip) => {
        expect(ipSubject(ip)).toBe(ip);
      }),
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (text) => {
        const subject = ipSubject(text);
        if (subject !== undefined) expect(subject).toMatch(/^(\d{1,3}(\.\d{1,3}){3}|[0-9a-f:]+::\/64)$/);
      }),
      { numRuns: 800 },
    );
  });
});
