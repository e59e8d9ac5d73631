import type {
  BrakePolicy,
  BrakeReply,
  CountryRule,
  FixedRule,
  VelocityDimension,
  VelocityLimit,
} from './brake-policy';
import type { Channel, Purpose } from './delivery-request';
import { ipSubject } from './ip-prefix';
import type { NumberKind, PhoneDestination } from './phone-destination';

/** What the brakes look at in a request. */
export interface BrakeFacts {
  readonly channel: Channel;
  readonly purpose: Purpose;
  /** E.164. */
  readonly phone: string;
  readonly clientIp?: string;
  readonly userId?: string;
}

/** Why a request is not sent, and how to answer it. Every field is safe to log. */
export interface Refusal {
  /** "number-type", "destination-country", "prefix/1h", "spend-daily", … */
  readonly rule: string;
  readonly reply: BrakeReply;
  readonly kind?: NumberKind;
  readonly country?: string;
  readonly count?: number;
  readonly limit?: number;
}

export type CounterDimension = VelocityDimension | 'spend' | 'spend-country';

/**
 * One counter a request adds to: a subject in one fixed window, and the limits judged against it. Limits
 * that share dimension, window and purpose scope share the counter, so it is counted once.
 */
export interface PlannedCounter {
  readonly dimension: CounterDimension;
  /** "" or the purposes a scoped limit counts, e.g. "enrollment". */
  readonly scope: string;
  /** The clear subject: a phone, prefix, country, client, user, or "*" (all traffic). */
  readonly subject: string;
  /** Phones, prefixes, clients and users are personal data: store only a keyed fingerprint of them. */
  readonly personal: boolean;
  readonly windowSeconds: number;
  /** Epoch seconds at which the window opened. */
  readonly windowStart: number;
  /** Epoch ms after which the counter is of no use (its window closed, plus a margin). */
  readonly expiresAt: number;
  /** 1 for velocity; the estimated price in micro-USD for spend. */
  readonly amount: number;
  /** Spend only counts what is sent: take it back when the request ends unsent. */
  readonly onlyIfSent: boolean;
  readonly limits: readonly { readonly rule: string; readonly limit: number; readonly reply: BrakeReply }[];
  /**
   * Where the counter is stored: counters of one subject whose windows nest share one item (one write
   * per subject instead of one per limit), each under its own field. `item.name` lacks the subject,
   * which the caller fingerprints when personal; `item.subject` is the clear one.
   */
  readonly item: { readonly name: string; readonly subject: string; readonly expiresAt: number };
  readonly field: string;
}

const DAY_SECONDS = 86_400;
/** Counters outlive their window a little, so a late reader still finds them; TTL removes them later. */
const EXPIRY_MARGIN_MS = 60_000;
export const MICRO_USD = 1_000_000;

/**
 * The rules that need no counting: the number's kind and its country. A refusal here costs no I/O and
 * adds to no counter.
 */
export function screenDestination(
  policy: BrakePolicy,
  channel: Channel,
  destination: PhoneDestination,
): Refusal | undefined {
  const refused = policy.refusedKinds[channel];
  if (refused.includes(destination.kind)) {
    const rule: FixedRule = destination.kind === 'UNKNOWN' ? 'unknown-number-type' : 'number-type';
    return { rule, reply: policy.replies[rule], kind: destination.kind, country: destination.country };
  }
  if (!countryAllowed(policy.countries[channel], destination.country)) {
    return {
      rule: 'destination-country',
      reply: policy.replies['destination-country'],
      country: destination.country,
    };
  }
  return undefined;
}

export function countryAllowed(rule: CountryRule, country: string): boolean {
  if (rule.mode === 'allow-all') return true;
  const listed = rule.countries.includes(country);
  return rule.mode === 'allow' ? listed : !listed;
}

/** Window length as rule names show it: 30s, 1h, 1d, 90m. */
export function windowLabel(seconds: number): string {
  if (seconds % DAY_SECONDS === 0) return `${seconds / DAY_SECONDS}d`;
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

export function limitRuleName(limit: VelocityLimit): string {
  const scope = limit.purposes?.length ? `[${[...limit.purposes].sort().join('+')}]` : '';
  return `${limit.dimension}/${windowLabel(limit.windowSeconds)}${scope}`;
}

/** The E.164 number without its last digits: the block a pumping attack walks through. */
export function phonePrefix(phone: string, dropDigits: number): string {
  // Keep at least "+" and four digits, so a short number never collapses into its calling code.
  return phone.slice(0, Math.max(5, phone.length - dropDigits));
}

function subjectOf(
  dimension: VelocityDimension,
  facts: BrakeFacts,
  destination: PhoneDestination,
  policy: BrakePolicy,
): string | undefined {
  switch (dimension) {
    case 'phone':
      return facts.phone;
    case 'prefix':
      return phonePrefix(facts.phone, policy.prefixDropDigits);
    case 'country':
      return destination.country;
    case 'ip':
      return ipSubject(facts.clientIp);
    case 'user':
      return facts.userId?.trim() ? facts.userId.trim() : undefined;
  }
}

/**
 * Every counter this request adds to, with the limits to judge. Limits whose subject is missing (no
 * client IP, no user id) or whose purposes exclude this request do not apply.
 */
export function planCounters(
  policy: BrakePolicy,
  facts: BrakeFacts,
  destination: PhoneDestination,
  nowMs: number,
): PlannedCounter[] {
  const nowSeconds = Math.floor(nowMs / 1000);
  const counters = new Map<string, Unstored & { limits: PlannedCounter['limits'][number][] }>();
  const add = (
    base: Omit<Unstored, 'limits' | 'windowStart' | 'expiresAt'>,
    limit: PlannedCounter['limits'][number],
  ) => {
    const id = `${base.dimension}|${base.scope}|${base.windowSeconds}|${base.subject}`;
    let counter = counters.get(id);
    if (!counter) {
      const windowStart = nowSeconds - (nowSeconds % base.windowSeconds);
      // Fields listed, not spread: object spread here cost ~10 µs per counter (V8 profile).
      counter = {
        dimension: base.dimension,
        scope: base.scope,
        subject: base.subject,
        personal: base.personal,
        windowSeconds: base.windowSeconds,
        windowStart,
        expiresAt: (windowStart + base.windowSeconds) * 1000 + EXPIRY_MARGIN_MS,
        amount: base.amount,
        onlyIfSent: base.onlyIfSent,
        limits: [],
      };
      counters.set(id, counter);
    }
    counter.limits.push(limit);
  };

  for (const limit of policy.limits) {
    if (limit.purposes?.length && !limit.purposes.includes(facts.purpose)) continue;
    const subject = subjectOf(limit.dimension, facts, destination, policy);
    if (subject === undefined) continue;
    add(
      {
        dimension: limit.dimension,
        scope: limit.purposes?.length ? [...limit.purposes].sort().join('+') : '',
        subject,
        personal: limit.dimension !== 'country',
        windowSeconds: limit.windowSeconds,
        amount: 1,
        onlyIfSent: false,
      },
      { rule: limitRuleName(limit), limit: limit.limit, reply: limit.reply },
    );
  }

  const cost = estimatedCostMicroUsd(policy, facts.channel, destination.country);
  const spend = (dimension: 'spend' | 'spend-country', subject: string) => ({
    dimension,
    scope: '',
    subject,
    personal: false,
    windowSeconds: DAY_SECONDS,
    amount: cost,
    onlyIfSent: true,
  });
  if (policy.spend.dailyUsd !== undefined) {
    add(spend('spend', '*'), {
      rule: 'spend-daily',
      limit: Math.round(policy.spend.dailyUsd * MICRO_USD),
      reply: policy.replies['spend-daily'],
    });
  }
  const countryCap = policy.spend.perCountryDailyUsd[destination.country] ?? policy.spend.countryDailyUsd;
  if (countryCap !== undefined) {
    add(spend('spend-country', destination.country), {
      rule: 'spend-country-daily',
      limit: Math.round(countryCap * MICRO_USD),
      reply: policy.replies['spend-country-daily'],
    });
  }
  // The item a counter lives in must depend on the policy alone, never on which limits this request's
  // purpose brings in: otherwise a sign-in and an enrollment would count one phone's 30 s window in two
  // different items (the longer, purpose-scoped window naming one of them) and each would see half.
  const longestWindow = new Map<string, number>();
  for (const limit of policy.limits)
    longestWindow.set(
      limit.dimension,
      Math.max(longestWindow.get(limit.dimension) ?? 0, limit.windowSeconds),
    );
  return assignItems([...counters.values()], longestWindow);
}

type Unstored = Omit<PlannedCounter, 'item' | 'field'>;

/**
 * Groups counters into stored items: per subject (spend: per day, the total and the country together;
 * country velocity: every country in one item, a field each),
 * the longest window among the policy's limits on that dimension names the item (whatever this request's
 * purpose brings in) and every counter whose window divides it lives in it. Windows are
 * aligned on the epoch, so such a window lies wholly inside one item window.
 */
function assignItems(
  counters: readonly Unstored[],
  longestWindow: ReadonlyMap<string, number>,
): PlannedCounter[] {
  // Coarse guards of every country share one item per dimension: an instance that counts them locally
  // writes them with one call per interval, however many countries its traffic reaches.
  const groupOf = (c: Unstored) =>
    c.dimension === 'spend' || c.dimension === 'spend-country'
      ? { dimension: 'spend', subject: '*' }
      : c.dimension === 'country'
        ? { dimension: 'country', subject: '*' }
        : { dimension: c.dimension, subject: c.subject };
  const longest = new Map<string, number>();
  for (const counter of counters) {
    const { dimension, subject } = groupOf(counter);
    const id = `${dimension}|${subject}`;
    longest.set(
      id,
      Math.max(longest.get(id) ?? 0, longestWindow.get(counter.dimension) ?? 0, counter.windowSeconds),
    );
  }
  return counters.map((counter) => {
    const { dimension, subject } = groupOf(counter);
    const groupWindow = longest.get(`${dimension}|${subject}`) ?? counter.windowSeconds;
    const itemWindow = groupWindow % counter.windowSeconds === 0 ? groupWindow : counter.windowSeconds;
    const start = counter.windowStart - (counter.windowStart % itemWindow);
    const field =
      counter.dimension === 'spend'
        ? 'total'
        : counter.dimension === 'spend-country'
          ? `country.${counter.subject}`
          : counter.dimension === 'country'
            ? `${counter.subject}.${counter.scope || 'all'}.${counter.windowSeconds}.${counter.windowStart}`
            : `${counter.scope || 'all'}.${counter.windowSeconds}.${counter.windowStart}`;
    return {
      dimension: counter.dimension,
      scope: counter.scope,
      subject: counter.subject,
      personal: counter.personal,
      windowSeconds: counter.windowSeconds,
      windowStart: counter.windowStart,
      expiresAt: counter.expiresAt,
      amount: counter.amount,
      onlyIfSent: counter.onlyIfSent,
      limits: counter.limits,
      item: {
        name: `${dimension}#${itemWindow}#${start}`,
        subject,
        expiresAt: (start + itemWindow) * 1000 + EXPIRY_MARGIN_MS,
      },
      field,
    };
  });
}

/**
 * Coarse guards: counters over all the traffic of a country or of the whole service (country velocity,
 * daily spend). They catch a flood, not a person, so an instance may count them locally and write them
 * in batches (app/coarse-counters.ts); per-subject counters (phone, block, client, user) stay exact.
 */
export function isCoarseGuard(counter: Pick<PlannedCounter, 'dimension'>): boolean {
  return (
    counter.dimension === 'country' || counter.dimension === 'spend' || counter.dimension === 'spend-country'
  );
}

/** The estimated price of one message in micro-USD (integers add up exactly in a counter). */
export function estimatedCostMicroUsd(policy: BrakePolicy, channel: Channel, country: string): number {
  const table = channel === 'sms' ? policy.prices.sms : policy.prices.voice;
  const fallback = channel === 'sms' ? policy.prices.defaultSms : policy.prices.defaultVoice;
  const price = Object.hasOwn(table, country) ? (table[country] as number) : fallback;
  return Math.max(0, Math.round(price * MICRO_USD));
}

/**
 * The verdict on counted totals (`counts[i]` is counter i's total including this request). Any `absorb`
 * breach wins over `fail` ones, so an attack caught by an absorbing rule never reaches the IdP's fallback;
 * among equals, the rule exceeded by the largest factor is reported.
 */
export function judgeCounts(
  counters: readonly PlannedCounter[],
  counts: readonly number[],
): Refusal | undefined {
  let worst: (Refusal & { ratio: number }) | undefined;
  counters.forEach((counter, index) => {
    const count = counts[index];
    if (count === undefined) return;
    for (const { rule, limit, reply } of counter.limits) {
      if (count <= limit) continue;
      const ratio = limit > 0 ? count / limit : Number.POSITIVE_INFINITY;
      const better =
        !worst ||
        (reply === 'absorb' && worst.reply === 'fail') ||
        (reply === worst.reply && ratio > worst.ratio);
      if (better) worst = { rule, reply, count, limit, ratio };
    }
  });
  if (!worst) return undefined;
  const { ratio: _ratio, ...refusal } = worst;
  return refusal;
}
