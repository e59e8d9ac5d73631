import { describe, expect, it } from 'vitest';
import { DEFAULT_REFUSED_KINDS, DEFAULT_REPLIES, loadBrakesConfig } from '../../app/config/brakes-config';
import { ConfigError } from '../../app/config/env-readers';

function problemsOf(load: () => unknown): readonly string[] {
  try {
    load();
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

describe('loadBrakesConfig', () => {
  it('ships defaults that refuse premium-rate and friends, fail open, and allow every country', () => {
    const { policy, onCounterFailure, counterTimeoutMs } = loadBrakesConfig({});
    expect(onCounterFailure).toBe('open');
    expect(counterTimeoutMs).toBe(400);
    expect(policy.refusedKinds.sms).toEqual([
      'PREMIUM_RATE',
      'SHARED_COST',
      'PERSONAL_NUMBER',
      'UAN',
      'PAGER',
      'VOICEMAIL',
    ]);
    expect(policy.refusedKinds.voice).toEqual([...policy.refusedKinds.sms, 'UNKNOWN']);
    expect(policy.countries).toEqual({ sms: { mode: 'allow-all' }, voice: { mode: 'allow-all' } });
    expect(policy.replies).toEqual(DEFAULT_REPLIES);
    expect(policy.spend).toEqual({ dailyUsd: 5000, countryDailyUsd: 1000, perCountryDailyUsd: {} });
    expect(policy.prefixDropDigits).toBe(2);
    expect(policy.prices.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('counts coarse guards per instance, written once a second, unless BRAKES_COARSE_FLUSH_MS says otherwise', () => {
    expect(loadBrakesConfig({}).coarseFlushMs).toBe(1000);
    expect(loadBrakesConfig({ BRAKES_COARSE_FLUSH_MS: '0' }).coarseFlushMs).toBe(0);
    expect(loadBrakesConfig({ BRAKES_COARSE_FLUSH_MS: '5000' }).coarseFlushMs).toBe(5000);
    expect(problemsOf(() => loadBrakesConfig({ BRAKES_COARSE_FLUSH_MS: '-1' }))).toHaveLength(1);
    expect(problemsOf(() => loadBrakesConfig({ BRAKES_COARSE_FLUSH_MS: '600000' }))).toHaveLength(1);
  });

  it('reads limits, replies, kinds, spend and prices from BRAKES_*', () => {
    const { policy, onCounterFailure } = loadBrakesConfig({
      BRAKES_LIMITS: 'phone=1/30s, prefix[enrollment+password-reset]=5/2h:absorb, ip=1000/1d:fail',
      BRAKES_REPLIES: 'number-type=fail, destination-country=fail',
      BRAKES_SMS_REFUSED_KINDS: 'premium-rate, voip',
      BRAKES_VOICE_REFUSED_KINDS: 'none',
      BRAKES_SPEND_DAILY_USD: 'none',
      BRAKES_SPEND_COUNTRY_DAILY_USD: '250',
      BRAKES_SPEND_COUNTRY_CAPS: 'US=3000, IN=20.5',
      BRAKES_PRICES: 'sms.US=0.0079, voice.*=0.5',
      BRAKES_ON_COUNTER_FAILURE: 'CLOSED',
    });
    expect(policy.limits).toEqual([
      { dimension: 'phone', limit: 1, windowSeconds: 30, reply: 'fail' },
      {
        dimension: 'prefix',
        limit: 5,
        windowSeconds: 7200,
        reply: 'absorb',
        purposes: ['enrollment', 'password-reset'],
      },
      { dimension: 'ip', limit: 1000, windowSeconds: 86_400, reply: 'fail' },
    ]);
    expect(policy.replies).toMatchObject({
      'number-type': 'fail',
      'destination-country': 'fail',
      'spend-daily': 'fail',
    });
    expect(policy.refusedKinds).toEqual({ sms: ['PREMIUM_RATE', 'VOIP'], voice: [] });
    expect(policy.spend).toEqual({
      dailyUsd: undefined,
      countryDailyUsd: 250,
      perCountryDailyUsd: { US: 3000, IN: 20.5 },
    });
    expect(policy.prices.sms.US).toBe(0.0079);
    expect(policy.prices.defaultVoice).toBe(0.5);
    expect(policy.prices.source).toMatch(/overridden by BRAKES_PRICES/);
    expect(onCounterFailure).toBe('closed');
    expect(loadBrakesConfig({ BRAKES_LIMITS: 'none' }).policy.limits).toEqual([]);
    // Blank is unset (CloudFormation passes "" for an empty parameter).
    expect(loadBrakesConfig({ BRAKES_LIMITS: '', BRAKES_SPEND_DAILY_USD: ' ' }).policy).toEqual(
      loadBrakesConfig({}).policy,
    );
  });

  it('names every bad setting at once (malformed scalars first, then every list entry)', () => {
    expect(
      problemsOf(() =>
        loadBrakesConfig({
          BRAKES_LIMITS: 'phone=2/30s, phone=1/30x, moon=1/1h, ip[signup]=1/1h, user=1/1h:maybe, ip=1/8d',
          BRAKES_REPLIES: 'velocity=fail, number-type=drop',
          BRAKES_SMS_REFUSED_KINDS: 'PREMIUM',
          BRAKES_SPEND_DAILY_USD: 'lots',
          BRAKES_SPEND_COUNTRY_CAPS: 'USA=1',
          BRAKES_PRICES: 'sms.US=cheap, mms.US=1',
          BRAKES_ON_COUNTER_FAILURE: 'maybe',
          BRAKES_PREFIX_DROP_DIGITS: '9',
        }),
      ),
    ).toHaveLength(2);
    expect(
      problemsOf(() =>
        loadBrakesConfig({
          BRAKES_LIMITS: 'phone=2/30s, phone=1/30x, moon=1/1h, ip[signup]=1/1h, user=1/1h:maybe, ip=1/8d',
          BRAKES_REPLIES: 'velocity=fail, number-type=drop',
          BRAKES_SMS_REFUSED_KINDS: 'PREMIUM',
          BRAKES_SPEND_DAILY_USD: 'lots',
          BRAKES_SPEND_COUNTRY_CAPS: 'USA=1',
          BRAKES_PRICES: 'sms.US=cheap, mms.US=1',
        }),
      ),
    ).toEqual([
      'BRAKES_SPEND_COUNTRY_CAPS entry "USA=1" must look like US=3000',
      'BRAKES_SMS_REFUSED_KINDS "PREMIUM" must be one of MOBILE, FIXED_LINE, FIXED_LINE_OR_MOBILE, TOLL_FREE, VOIP, PREMIUM_RATE, SHARED_COST, PERSONAL_NUMBER, UAN, PAGER, VOICEMAIL, UNKNOWN',
      'BRAKES_LIMITS entry "phone=1/30x" must look like prefix[enrollment]=10/1h:absorb',
      'BRAKES_LIMITS "moon=1/1h": dimension must be one of phone, prefix, country, ip, user',
      'BRAKES_LIMITS "ip[signup]=1/1h": purposes must be among enrollment, verification, account-unlock, password-reset, temporary-password',
      'BRAKES_LIMITS "user=1/1h:maybe": reply must be fail or absorb',
      'BRAKES_LIMITS "ip=1/8d": window must be between 1s and 7d',
      'BRAKES_PRICES entry "sms.US=cheap" must look like sms.US=0.0088 or voice.*=0.30',
      'BRAKES_PRICES entry "mms.US=1" must look like sms.US=0.0088 or voice.*=0.30',
      'BRAKES_SPEND_DAILY_USD must be an amount in USD such as 250 or 0.05, or "none"',
      'BRAKES_REPLIES rule "velocity" must be one of number-type, unknown-number-type, destination-country, spend-daily, spend-country-daily, counters-unavailable',
      'BRAKES_REPLIES "number-type" must be fail or absorb',
    ]);
  });

  it('validates the country policy it is given', () => {
    expect(
      problemsOf(() =>
        loadBrakesConfig(
          {},
          { sms: { mode: 'block', countries: ['UK', 'usa', '001'] }, voice: { mode: 'allow-all' } },
        ),
      ),
    ).toEqual([
      'country policy (sms) "UK" must be an ISO 3166-1 alpha-2 region (GB, not UK) or 001',
      'country policy (sms) "usa" must be an ISO 3166-1 alpha-2 region (GB, not UK) or 001',
    ]);
    expect(DEFAULT_REFUSED_KINDS.voice).toContain('UNKNOWN');
  });
});
