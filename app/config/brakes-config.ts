import * as v from 'valibot';
import {
  BRAKE_REPLIES,
  type BrakePolicy,
  type BrakeReply,
  type CountryRule,
  type FixedRule,
  VELOCITY_DIMENSIONS,
  type VelocityDimension,
  type VelocityLimit,
} from '../../domain/brake-policy';
import { CHANNELS, type Channel, PURPOSES, type Purpose } from '../../domain/delivery-request';
import { knownRegions, NON_GEOGRAPHIC, NUMBER_KINDS, type NumberKind } from '../../domain/phone-destination';
import type { BrakesSettings } from '../brakes-settings';
import { COUNTRY_POLICY } from './country-policy';
import { ConfigError, type Env, integer, readEnv, text } from './env-readers';
import { MESSAGE_PRICES } from './message-prices';

/**
 * The brakes' defaults, chosen so that no real user meets them (see README, "Brakes"):
 * - per phone, 2 per 30 s (Okta itself allows one challenge per factor per 30 s; SMS then "call me
 *   instead" is two) and 10 per hour; per user 10 per hour: a person who needs more is stuck anyway, and
 *   `fail` hands them to Okta's own provider, so a false positive still gets a code;
 * - per number block (E.164 minus 2 digits, 100 numbers), enrollments only: 10 per hour fail, 25 absorb.
 *   Pumping walks sequential numbers and arrives as enrollments (an attacker cannot pass verification
 *   for a number they never enrolled); sign-ins are not counted, so a company whose phones share a
 *   block is never refused at 9 a.m.;
 * - per client IP (IPv6 by /64): 300 per hour fail (a corporate NAT carries many users); enrollments
 *   30 fail, 100 absorb;
 * - per destination country 10,000 per hour, fail: a coarse guard to size to your organisation;
 * - spend: 5,000 USD per UTC day overall, 1,000 per country, fail.
 */
export const DEFAULT_LIMITS =
  'phone=2/30s:fail, phone=10/1h:fail, user=10/1h:fail, ' +
  'prefix[enrollment]=10/1h:fail, prefix[enrollment]=25/1h:absorb, ' +
  'ip=300/1h:fail, ip[enrollment]=30/1h:fail, ip[enrollment]=100/1h:absorb, ' +
  'country=10000/1h:fail';

/**
 * Country velocity and daily spend are written at most once a second per instance (their error bound is
 * in app/coarse-counters.ts and the README); a per-request write to one global item would cost two
 * DynamoDB calls per request and make that item a hot key.
 */
export const DEFAULT_COARSE_FLUSH_MS = 1000;

/** Never worth a message, whatever the channel: they cost the sender or reach no person. */
const REFUSED_EVERYWHERE: readonly NumberKind[] = [
  'PREMIUM_RATE',
  'SHARED_COST',
  'PERSONAL_NUMBER',
  'UAN',
  'PAGER',
  'VOICEMAIL',
];

export const DEFAULT_REFUSED_KINDS: Readonly<Record<Channel, readonly NumberKind[]>> = {
  sms: REFUSED_EVERYWHERE,
  // Voice also refuses numbers not shown to take calls: PAGER (above) and UNKNOWN, a range the numbering
  // plan lists as nothing (its default reply is `fail`, so stale metadata never strands a user).
  voice: [...REFUSED_EVERYWHERE, 'UNKNOWN'],
};

export const DEFAULT_REPLIES: Readonly<Record<FixedRule, BrakeReply>> = {
  // Nobody's MFA phone is a premium-rate line: absorb, so the attack does not reach Okta's provider.
  'number-type': 'absorb',
  'unknown-number-type': 'fail',
  'destination-country': 'absorb',
  'spend-daily': 'fail',
  'spend-country-daily': 'fail',
  'counters-unavailable': 'fail',
};

const DURATION = /^(\d{1,7})(s|m|h|d)$/;
const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86_400 } as const;
const LIMIT_ENTRY = /^([a-z]+)(?:\[([a-z+-]+)\])?=(\d{1,9})\/(\d{1,7}[smhd])(?::([a-z]+))?$/;
const COUNTRY = /^([A-Z]{2}|001)$/;

function parseLimits(value: string, problems: string[]): VelocityLimit[] {
  if (value.trim().toLowerCase() === 'none') return [];
  const limits: VelocityLimit[] = [];
  for (const entry of value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)) {
    const match = LIMIT_ENTRY.exec(entry);
    const duration = match?.[4] ? DURATION.exec(match[4]) : null;
    if (!match || !duration) {
      problems.push(`BRAKES_LIMITS entry "${entry}" must look like prefix[enrollment]=10/1h:absorb`);
      continue;
    }
    const [, dimension = '', scope, limit = '0', , reply = 'fail'] = match;
    const windowSeconds = Number(duration[1]) * UNIT_SECONDS[duration[2] as keyof typeof UNIT_SECONDS];
    const purposes = scope ? scope.split('+') : undefined;
    if (!VELOCITY_DIMENSIONS.includes(dimension as VelocityDimension))
      problems.push(`BRAKES_LIMITS "${entry}": dimension must be one of ${VELOCITY_DIMENSIONS.join(', ')}`);
    if (purposes?.some((p) => !PURPOSES.includes(p as Purpose)))
      problems.push(`BRAKES_LIMITS "${entry}": purposes must be among ${PURPOSES.join(', ')}`);
    if (!BRAKE_REPLIES.includes(reply as BrakeReply))
      problems.push(`BRAKES_LIMITS "${entry}": reply must be fail or absorb`);
    if (windowSeconds < 1 || windowSeconds > 7 * 86_400)
      problems.push(`BRAKES_LIMITS "${entry}": window must be between 1s and 7d`);
    limits.push({
      dimension: dimension as VelocityDimension,
      limit: Number(limit),
      windowSeconds,
      reply: reply as BrakeReply,
      ...(purposes ? { purposes: purposes as Purpose[] } : {}),
    });
  }
  return limits;
}

function parseKinds(
  name: string,
  value: string | undefined,
  fallback: readonly NumberKind[],
  problems: string[],
) {
  if (value === undefined) return fallback;
  if (value.trim().toLowerCase() === 'none') return [];
  const kinds = value
    .split(',')
    .map((item) => item.trim().toUpperCase().replace(/-/g, '_'))
    .filter(Boolean);
  for (const kind of kinds)
    if (!NUMBER_KINDS.includes(kind as NumberKind))
      problems.push(`${name} "${kind}" must be one of ${NUMBER_KINDS.join(', ')}`);
  return kinds as NumberKind[];
}

function parsePairs(name: string, value: string | undefined, problems: string[]): [string, string][] {
  if (value === undefined) return [];
  const pairs: [string, string][] = [];
  for (const entry of value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)) {
    const eq = entry.indexOf('=');
    if (eq <= 0) {
      problems.push(`${name} entry "${entry}" must look like key=value`);
      continue;
    }
    pairs.push([entry.slice(0, eq).trim(), entry.slice(eq + 1).trim()]);
  }
  return pairs;
}

const USD = /^\d{1,7}(\.\d{1,6})?$/;

function parseUsd(name: string, value: string | undefined, fallback: number | undefined, problems: string[]) {
  if (value === undefined) return fallback;
  if (value.trim().toLowerCase() === 'none') return undefined;
  if (!USD.test(value.trim())) {
    problems.push(`${name} must be an amount in USD such as 250 or 0.05, or "none"`);
    return fallback;
  }
  return Number(value);
}

function parseReplies(value: string | undefined, problems: string[]): Record<FixedRule, BrakeReply> {
  const replies: Record<FixedRule, BrakeReply> = { ...DEFAULT_REPLIES };
  for (const [rule, reply] of parsePairs('BRAKES_REPLIES', value, problems)) {
    if (!Object.hasOwn(DEFAULT_REPLIES, rule))
      problems.push(
        `BRAKES_REPLIES rule "${rule}" must be one of ${Object.keys(DEFAULT_REPLIES).join(', ')}`,
      );
    else if (!BRAKE_REPLIES.includes(reply as BrakeReply))
      problems.push(`BRAKES_REPLIES "${rule}" must be fail or absorb`);
    else replies[rule as FixedRule] = reply as BrakeReply;
  }
  return replies;
}

function parsePrices(value: string | undefined, problems: string[]): BrakePolicy['prices'] {
  const sms: Record<string, number> = { ...MESSAGE_PRICES.sms };
  const voice: Record<string, number> = { ...MESSAGE_PRICES.voice };
  let { defaultSms, defaultVoice } = MESSAGE_PRICES;
  const overridden = parsePairs('BRAKES_PRICES', value, problems);
  for (const [key, price] of overridden) {
    const match = /^(sms|voice)\.([A-Z]{2}|001|\*)$/.exec(key);
    if (!match || !USD.test(price)) {
      problems.push(`BRAKES_PRICES entry "${key}=${price}" must look like sms.US=0.0088 or voice.*=0.30`);
      continue;
    }
    const [, channel, country] = match;
    if (country === '*') {
      if (channel === 'sms') defaultSms = Number(price);
      else defaultVoice = Number(price);
    } else (channel === 'sms' ? sms : voice)[country as string] = Number(price);
  }
  return {
    asOf: MESSAGE_PRICES.asOf,
    source:
      overridden.length > 0 ? `${MESSAGE_PRICES.source}; overridden by BRAKES_PRICES` : MESSAGE_PRICES.source,
    sms,
    voice,
    defaultSms,
    defaultVoice,
  };
}

/** Validates a country policy (the file's, or a test's). */
export function checkCountryPolicy(policy: Readonly<Record<Channel, CountryRule>>): string[] {
  const problems: string[] = [];
  const regions = new Set([...knownRegions(), NON_GEOGRAPHIC]);
  for (const channel of CHANNELS) {
    const rule = policy[channel];
    if (!rule) problems.push(`country policy has no rule for ${channel}`);
    else if (rule.mode !== 'allow-all')
      for (const code of rule.countries)
        if (!regions.has(code))
          problems.push(
            `country policy (${channel}) "${code}" must be an ISO 3166-1 alpha-2 region (GB, not UK) or ${NON_GEOGRAPHIC}`,
          );
  }
  return problems;
}

/**
 * The brakes' configuration: environment (BRAKES_*) over the defaults above; country rules come from
 * app/config/country-policy.ts only, because template.yaml's protect configuration must carry the same.
 */
export function loadBrakesConfig(
  env: Env,
  countries: Readonly<Record<Channel, CountryRule>> = COUNTRY_POLICY,
): BrakesSettings {
  const raw = readEnv(env, {
    BRAKES_LIMITS: text(DEFAULT_LIMITS),
    BRAKES_SMS_REFUSED_KINDS: text(),
    BRAKES_VOICE_REFUSED_KINDS: text(),
    BRAKES_REPLIES: text(),
    BRAKES_PREFIX_DROP_DIGITS: integer(2, 1, 6),
    BRAKES_SPEND_DAILY_USD: text(),
    BRAKES_SPEND_COUNTRY_DAILY_USD: text(),
    BRAKES_SPEND_COUNTRY_CAPS: text(),
    BRAKES_PRICES: text(),
    BRAKES_ON_COUNTER_FAILURE: v.pipe(
      text('open'),
      v.transform((value) => (value ?? 'open').toLowerCase()),
      v.picklist(['open', 'closed'] as const, 'must be open or closed'),
    ),
    BRAKES_COUNTER_TIMEOUT_MS: integer(400, 50, 2000),
    BRAKES_COARSE_FLUSH_MS: integer(DEFAULT_COARSE_FLUSH_MS, 0, 60_000),
  });
  const problems: string[] = [...checkCountryPolicy(countries)];
  const perCountryDailyUsd: Record<string, number> = {};
  for (const [country, usd] of parsePairs(
    'BRAKES_SPEND_COUNTRY_CAPS',
    raw.BRAKES_SPEND_COUNTRY_CAPS,
    problems,
  )) {
    if (!COUNTRY.test(country) || !USD.test(usd))
      problems.push(`BRAKES_SPEND_COUNTRY_CAPS entry "${country}=${usd}" must look like US=3000`);
    else perCountryDailyUsd[country] = Number(usd);
  }
  const policy: BrakePolicy = {
    refusedKinds: {
      sms: parseKinds(
        'BRAKES_SMS_REFUSED_KINDS',
        raw.BRAKES_SMS_REFUSED_KINDS,
        DEFAULT_REFUSED_KINDS.sms,
        problems,
      ),
      voice: parseKinds(
        'BRAKES_VOICE_REFUSED_KINDS',
        raw.BRAKES_VOICE_REFUSED_KINDS,
        DEFAULT_REFUSED_KINDS.voice,
        problems,
      ),
    },
    countries,
    limits: parseLimits(raw.BRAKES_LIMITS ?? DEFAULT_LIMITS, problems),
    prefixDropDigits: raw.BRAKES_PREFIX_DROP_DIGITS,
    prices: parsePrices(raw.BRAKES_PRICES, problems),
    spend: {
      dailyUsd: parseUsd('BRAKES_SPEND_DAILY_USD', raw.BRAKES_SPEND_DAILY_USD, 5000, problems),
      countryDailyUsd: parseUsd(
        'BRAKES_SPEND_COUNTRY_DAILY_USD',
        raw.BRAKES_SPEND_COUNTRY_DAILY_USD,
        1000,
        problems,
      ),
      perCountryDailyUsd,
    },
    replies: parseReplies(raw.BRAKES_REPLIES, problems),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    policy,
    onCounterFailure: raw.BRAKES_ON_COUNTER_FAILURE,
    counterTimeoutMs: raw.BRAKES_COUNTER_TIMEOUT_MS,
    coarseFlushMs: raw.BRAKES_COARSE_FLUSH_MS,
  };
}
