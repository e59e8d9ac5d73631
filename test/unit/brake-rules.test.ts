import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, loadBrakesConfig } from '../../app/config/brakes-config';
import {
  estimatedCostMicroUsd,
  isCoarseGuard,
  judgeCounts,
  limitRuleName,
  phonePrefix,
  planCounters,
  screenDestination,
} from '../../domain/brake-rules';
import { ipSubject } from '../../domain/ip-prefix';
import { destinationOf } from '../../domain/phone-destination';
import { DEFAULT_POLICY, policyWith } from '../support/brake-policy';

const facts = (phone: string, over: Record<string, unknown> = {}) => ({
  channel: 'sms' as const,
  purpose: 'verification' as const,
  phone,
  clientIp: '198.51.100.7',
  userId: '00u1',
  ...over,
});

describe('destinationOf (full libphonenumber metadata)', () => {
  it.each([
    ['+19005551234', 'PREMIUM_RATE', 'US'],
    ['+449012345678', 'PREMIUM_RATE', 'GB'],
    ['+979123456789', 'PREMIUM_RATE', '001'],
    ['+4918012345678', 'SHARED_COST', 'DE'],
    ['+447012345678', 'PERSONAL_NUMBER', 'GB'],
    ['+443012345678', 'UAN', 'GB'],
    ['+447640123456', 'PAGER', 'GB'],
    ['+33612345678', 'MOBILE', 'FR'],
    ['+14155550123', 'FIXED_LINE_OR_MOBILE', 'US'],
    ['+18765550123', 'MOBILE', 'JM'],
    ['+3270123456', 'UNKNOWN', 'BE'],
  ])('%s is %s in %s', (phone, kind, country) => {
    expect(destinationOf(phone)).toMatchObject({ kind, country });
  });
});

describe('screenDestination with the default policy', () => {
  it.each([
    '+19005551234',
    '+449012345678',
    '+979123456789',
    '+4918012345678',
    '+447012345678',
    '+443012345678',
    '+447640123456',
  ])('refuses %s for SMS and voice, absorbing', (phone) => {
    for (const channel of ['sms', 'voice'] as const) {
      expect(screenDestination(DEFAULT_POLICY, channel, destinationOf(phone))).toMatchObject({
        rule: 'number-type',
        reply: 'absorb',
      });
    }
  });

  it('refuses an unassigned range for voice only, with fail (stale metadata must not strand anyone)', () => {
    const unknown = destinationOf('+3270123456');
    expect(screenDestination(DEFAULT_POLICY, 'sms', unknown)).toBeUndefined();
    expect(screenDestination(DEFAULT_POLICY, 'voice', unknown)).toMatchObject({
      rule: 'unknown-number-type',
      reply: 'fail',
    });
  });

  it('lets mobiles and landlines through, and every country by default', () => {
    for (const phone of ['+33612345678', '+14155550123', '+442012345678', '+18765550123']) {
      expect(screenDestination(DEFAULT_POLICY, 'sms', destinationOf(phone))).toBeUndefined();
      expect(screenDestination(DEFAULT_POLICY, 'voice', destinationOf(phone))).toBeUndefined();
    }
  });

  it('applies allow and block lists per channel', () => {
    const policy = policyWith({
      sms: { mode: 'allow', countries: ['US', 'GB'] },
      voice: { mode: 'block', countries: ['JM'] },
    });
    expect(screenDestination(policy, 'sms', destinationOf('+33612345678'))).toMatchObject({
      rule: 'destination-country',
      country: 'FR',
      reply: 'absorb',
    });
    expect(screenDestination(policy, 'sms', destinationOf('+14155550123'))).toBeUndefined();
    expect(screenDestination(policy, 'voice', destinationOf('+18765550123'))).toMatchObject({
      rule: 'destination-country',
      country: 'JM',
    });
    expect(screenDestination(policy, 'voice', destinationOf('+33612345678'))).toBeUndefined();
  });
});

describe('planCounters', () => {
  const now = Date.UTC(2026, 10, 29, 10, 15, 7);

  it('counts the default limits once per counter, in fixed windows', () => {
    const planned = planCounters(DEFAULT_POLICY, facts('+33612345678'), destinationOf('+33612345678'), now);
    const names = planned.map((c) => `${c.dimension}/${c.windowSeconds}${c.scope ? `[${c.scope}]` : ''}`);
    // Sign-ins do not count per block or per client for enrollments.
    expect(names).toEqual([
      'phone/30',
      'phone/3600',
      'user/3600',
      'ip/3600',
      'country/3600',
      'spend/86400',
      'spend-country/86400',
    ]);
    const hourly = planned.find((c) => c.dimension === 'phone' && c.windowSeconds === 3600);
    expect(hourly?.windowStart).toBe(Date.UTC(2026, 10, 29, 10) / 1000);
    expect(hourly?.expiresAt).toBe(Date.UTC(2026, 10, 29, 11, 1));
    expect(planned.filter((c) => c.personal).map((c) => c.dimension)).toEqual([
      'phone',
      'phone',
      'user',
      'ip',
    ]);
  });

  it('shares one counter between two limits on the same window and scope', () => {
    const planned = planCounters(
      DEFAULT_POLICY,
      facts('+33612345678', { purpose: 'enrollment' }),
      destinationOf('+33612345678'),
      now,
    );
    const prefix = planned.filter((c) => c.dimension === 'prefix');
    expect(prefix).toHaveLength(1);
    expect(prefix[0]?.subject).toBe('+336123456');
    expect(prefix[0]?.limits.map((l) => `${l.rule}:${l.limit}:${l.reply}`)).toEqual([
      'prefix/1h[enrollment]:10:fail',
      'prefix/1h[enrollment]:25:absorb',
    ]);
  });

  it('keeps a counter in the same item whatever limits the purpose brings in (a scoped longer window)', () => {
    // phone=1/30s for every purpose and phone[account-unlock]=0/1h: an unlock and an enrollment to one phone
    // must add to the same 30 s counter, or each would see only its own half of the traffic.
    const policy = {
      ...DEFAULT_POLICY,
      limits: [
        { dimension: 'phone' as const, limit: 1, windowSeconds: 30, reply: 'fail' as const },
        {
          dimension: 'phone' as const,
          limit: 0,
          windowSeconds: 3600,
          reply: 'fail' as const,
          purposes: ['account-unlock' as const],
        },
      ],
    };
    const thirty = (purpose: 'account-unlock' | 'enrollment') =>
      planCounters(policy, facts('+33612345678', { purpose }), destinationOf('+33612345678'), now).find(
        (c) => c.dimension === 'phone' && c.windowSeconds === 30,
      );
    const unlock = thirty('account-unlock');
    const enrollment = thirty('enrollment');
    expect(enrollment?.item).toEqual(unlock?.item);
    expect(enrollment?.field).toBe(unlock?.field);
  });

  it('stores counters of one subject in one item when their windows nest: one write per subject', () => {
    const planned = planCounters(DEFAULT_POLICY, facts('+33612345678'), destinationOf('+33612345678'), now);
    const hour = Date.UTC(2026, 10, 29, 10) / 1000;
    const day = Date.UTC(2026, 10, 29) / 1000;
    const at = (dimension: string) => planned.filter((c) => c.dimension === dimension);
    expect(at('phone').map((c) => [c.item.name, c.field])).toEqual([
      [`phone#3600#${hour}`, `all.30.${hour + 900}`],
      [`phone#3600#${hour}`, `all.3600.${hour}`],
    ]);
    expect(
      [...at('spend'), ...at('spend-country')].map((c) => [c.item.name, c.item.subject, c.field]),
    ).toEqual([
      [`spend#86400#${day}`, '*', 'total'],
      [`spend#86400#${day}`, '*', 'country.FR'],
    ]);
    expect(new Set(planned.map((c) => `${c.item.name}|${c.item.subject}`)).size).toBe(5);
  });

  it("keeps every country's velocity in one item, a field per country (one write per interval when counted per instance)", () => {
    const hour = Date.UTC(2026, 10, 29, 10) / 1000;
    const country = (phone: string) =>
      planCounters(DEFAULT_POLICY, facts(phone), destinationOf(phone), now)
        .filter((c) => c.dimension === 'country')
        .map((c) => [c.item.name, c.item.subject, c.field, isCoarseGuard(c)]);
    expect(country('+33612345678')).toEqual([[`country#3600#${hour}`, '*', `FR.all.3600.${hour}`, true]]);
    expect(country('+14155550123')).toEqual([[`country#3600#${hour}`, '*', `US.all.3600.${hour}`, true]]);
  });

  it('skips limits whose subject is missing', () => {
    const planned = planCounters(
      DEFAULT_POLICY,
      facts('+33612345678', { clientIp: 'not an ip', userId: undefined }),
      destinationOf('+33612345678'),
      now,
    );
    expect(planned.some((c) => c.dimension === 'ip' || c.dimension === 'user')).toBe(false);
  });

  it('prices spend by channel and country, unlisted countries at the high default', () => {
    expect(estimatedCostMicroUsd(DEFAULT_POLICY, 'sms', 'US')).toBe(8_800);
    expect(estimatedCostMicroUsd(DEFAULT_POLICY, 'voice', 'GB')).toBe(30_000);
    expect(estimatedCostMicroUsd(DEFAULT_POLICY, 'sms', 'TV')).toBe(120_000);
  });
});

describe('judgeCounts', () => {
  const planned = planCounters(
    DEFAULT_POLICY,
    facts('+33612345678', { purpose: 'enrollment' }),
    destinationOf('+33612345678'),
    0,
  );
  const counts = (over: Record<string, number>) =>
    planned.map((c) => over[`${c.dimension}/${c.windowSeconds}`] ?? 1);

  it('lets a request at the limit through and refuses the one past it', () => {
    expect(judgeCounts(planned, counts({ 'phone/30': 2 }))).toBeUndefined();
    expect(judgeCounts(planned, counts({ 'phone/30': 3 }))).toMatchObject({
      rule: 'phone/30s',
      reply: 'fail',
      count: 3,
      limit: 2,
    });
  });

  it('prefers an absorbing rule over failing ones', () => {
    expect(judgeCounts(planned, counts({ 'phone/30': 9, 'prefix/3600': 26 }))).toMatchObject({
      rule: 'prefix/1h[enrollment]',
      reply: 'absorb',
    });
  });
});

describe('small pieces', () => {
  it('names rules after dimension, window and scope', () => {
    expect(limitRuleName({ dimension: 'ip', limit: 1, windowSeconds: 86_400, reply: 'fail' })).toBe('ip/1d');
    expect(
      limitRuleName({
        dimension: 'prefix',
        limit: 1,
        windowSeconds: 90,
        reply: 'fail',
        purposes: ['password-reset', 'enrollment'],
      }),
    ).toBe('prefix/90s[enrollment+password-reset]');
  });

  it('drops the last digits for the prefix, never the calling code', () => {
    expect(phonePrefix('+14155550123', 2)).toBe('+141555501');
    expect(phonePrefix('+3531', 6)).toBe('+3531');
  });

  it('counts IPv6 clients by /64 and unwraps IPv4-mapped addresses', () => {
    expect(ipSubject('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(ipSubject('2001:0db8:0001:0002:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(ipSubject('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(ipSubject('192.0.2.1')).toBe('192.0.2.1');
    expect(ipSubject('999.1.1.1')).toBeUndefined();
    expect(ipSubject(undefined)).toBeUndefined();
  });

  it('ships the documented defaults', () => {
    expect(loadBrakesConfig({}).policy.limits).toHaveLength(DEFAULT_LIMITS.split(',').length);
  });
});
