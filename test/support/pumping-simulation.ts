import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { startLocalStack } from '../../app/local/local-stack';
import { type OktaPurpose, oktaSamplePayload } from '../../app/local/okta-sample-payload';
import type { Channel } from '../../domain/delivery-request';
import { destinationOf } from '../../domain/phone-destination';
import type { LogFields, Logger } from '../../ports/logger';
import { seededRandom } from './seeded-random';

/**
 * Issue 14's proof: an SMS pumping attack mixed with real users, against the local stack (dynalite
 * counters, real HTTP, the real authorizer and hook), on a simulated clock so an hour of traffic runs in
 * a minute or two. Requests go one at a time in time order; each sets the clock to its arrival.
 */
export interface SimulationSize {
  readonly attackRequests: number;
  readonly attackNumbers: number;
  readonly attackIps: number;
  readonly legitUsers: number;
  readonly durationMs: number;
  readonly seed: number;
}

export const FULL_SIZE: SimulationSize = {
  attackRequests: 10_000,
  attackNumbers: 500,
  attackIps: 20,
  legitUsers: 2_000,
  durationMs: 3_600_000,
  seed: 14,
};

/** The attack's number ranges: sequential numbers, a quarter of them in each (premium and mobile). */
export const ATTACK_RANGES = [
  { first: '+449098765000', kind: 'premium', voiceShare: 0.5 }, // UK premium rate (09)
  { first: '+19005551000', kind: 'premium', voiceShare: 0.5 }, // US premium rate (+1 900)
  { first: '+37126123000', kind: 'mobile', voiceShare: 0.1 }, // Latvian mobiles
  { first: '+6281234567000', kind: 'mobile', voiceShare: 0.1 }, // Indonesian mobiles
] as const;

export interface SimEvent {
  readonly at: number;
  readonly side: 'attack' | 'legit';
  /** Legit: the user's index; attack: the attacker's account. */
  readonly actor: string;
  readonly eventId: string;
  readonly body: string;
  /** A second delivery of an event already sent (API Gateway or Okta retrying): must not count or send. */
  readonly duplicate: boolean;
}

interface LegitUser {
  readonly id: string;
  readonly phone: string;
  readonly ip: string;
  readonly channel: Channel;
  readonly locale: string;
}

type Random = () => number;
const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
const between = (random: Random, low: number, high: number) => low + random() * (high - low);
const digits = (random: Random, count: number) =>
  Array.from({ length: count }, () => Math.floor(random() * 10)).join('');

/** Where real users' phones are, and what a number there looks like (national part drawn at random). */
const MARKETS: readonly { weight: number; locale: string; make: (r: Random) => string }[] = [
  {
    weight: 40,
    locale: 'en-US',
    make: (r) =>
      `+1${pick(r, ['212', '310', '415', '617', '206', '312', '512'])}${2 + Math.floor(r() * 8)}${digits(r, 6)}`,
  },
  {
    weight: 5,
    locale: 'en-CA',
    make: (r) => `+1${pick(r, ['416', '604', '514'])}${2 + Math.floor(r() * 8)}${digits(r, 6)}`,
  },
  { weight: 10, locale: 'en-GB', make: (r) => `+447${pick(r, ['4', '5', '7', '8', '9'])}${digits(r, 8)}` },
  { weight: 8, locale: 'de-DE', make: (r) => `+49${pick(r, ['151', '160', '170', '176'])}${digits(r, 8)}` },
  { weight: 8, locale: 'fr-FR', make: (r) => `+33${pick(r, ['6', '7'])}${digits(r, 8)}` },
  { weight: 8, locale: 'hi-IN', make: (r) => `+91${pick(r, ['9', '8', '7'])}${digits(r, 9)}` },
  { weight: 6, locale: 'pt-BR', make: (r) => `+5511${9}${digits(r, 8)}` },
  { weight: 5, locale: 'en-AU', make: (r) => `+614${digits(r, 8)}` },
  { weight: 5, locale: 'ja-JP', make: (r) => `+81${pick(r, ['90', '80', '70'])}${digits(r, 8)}` },
  { weight: 5, locale: 'es-MX', make: (r) => `+5255${digits(r, 8)}` },
];

/** Companies whose staff phones sit in one block of numbers (corporate plans) behind one office IP. */
const COMPANIES = [
  { block: '+121273641', staff: 60, ip: '198.51.100.10', locale: 'en-US' },
  { block: '+49151234567', staff: 40, ip: '198.51.100.20', locale: 'de-DE' },
  { block: '+4474001234', staff: 50, ip: '198.51.100.30', locale: 'en-GB' },
] as const;
/** Other offices: many users, unrelated phones, one egress IP each. */
const OFFICE_IPS = ['192.0.2.10', '192.0.2.20', '2001:db8:aa::1', '192.0.2.30'];

function realPhone(random: Random, make: (r: Random) => string): string {
  for (;;) {
    const candidate = make(random);
    const kind = destinationOf(candidate).kind;
    if (
      parsePhoneNumberFromString(candidate)?.isValid() &&
      (kind === 'MOBILE' || kind === 'FIXED_LINE_OR_MOBILE')
    )
      return candidate;
  }
}

function legitUsers(size: SimulationSize, random: Random): LegitUser[] {
  const users: LegitUser[] = [];
  const totalWeight = MARKETS.reduce((sum, m) => sum + m.weight, 0);
  const scale = Math.min(1, size.legitUsers / 2_000);
  for (const company of COMPANIES) {
    for (let i = 0; i < Math.max(2, Math.round(company.staff * scale)); i += 1) {
      users.push({
        id: `00uC${users.length}`,
        phone: `${company.block}${String(i).padStart(2, '0')}`,
        ip: company.ip,
        channel: random() < 0.12 ? 'voice' : 'sms',
        locale: company.locale,
      });
    }
  }
  while (users.length < size.legitUsers) {
    const market = weighted(random, totalWeight);
    const office = random() < 0.3;
    users.push({
      id: `00uL${users.length}`,
      phone: realPhone(random, market.make),
      ip: office
        ? pick(random, OFFICE_IPS)
        : random() < 0.2
          ? `2001:db8:${Math.floor(random() * 0xffff).toString(16)}:${Math.floor(random() * 0xffff).toString(16)}::${Math.floor(random() * 0xffff).toString(16)}`
          : `203.0.${Math.floor(random() * 200)}.${1 + Math.floor(random() * 254)}`,
      channel: random() < 0.12 ? 'voice' : 'sms',
      locale: market.locale,
    });
  }
  return users;
}

function weighted(random: Random, totalWeight: number): (typeof MARKETS)[number] {
  let roll = random() * totalWeight;
  for (const market of MARKETS) {
    roll -= market.weight;
    if (roll < 0) return market;
  }
  return MARKETS[0] as (typeof MARKETS)[number];
}

function body(
  random: Random,
  at: number,
  eventId: string,
  request: {
    phone: string;
    channel: Channel;
    purpose: OktaPurpose;
    locale: string;
    ip: string;
    userId: string;
  },
): string {
  const payload = oktaSamplePayload({
    eventId,
    now: at,
    phone: request.phone,
    channel: request.channel,
    purpose: request.purpose,
    locale: request.locale,
    code: String(10_000_000 + Math.floor(random() * 89_999_999)),
  });
  payload.data.context.request.ipAddress = request.ip;
  payload.data.userProfile.userId = request.userId;
  return JSON.stringify(payload);
}

/** The whole run's requests in arrival order: the attack and real users with realistic retries. */
export function pumpingTraffic(size: SimulationSize): SimEvent[] {
  const random = seededRandom(size.seed);
  const events: SimEvent[] = [];
  let serial = 0;
  const push = (
    event: Omit<SimEvent, 'eventId' | 'body' | 'duplicate'>,
    request: Parameters<typeof body>[3],
  ) => {
    serial += 1;
    const eventId = `sim${size.seed}e${serial}`;
    const made: SimEvent = {
      ...event,
      eventId,
      body: body(random, event.at, eventId, request),
      duplicate: false,
    };
    events.push(made);
    // About 1 % of deliveries arrive twice (a retry somewhere between Okta and the hook).
    if (random() < 0.01)
      events.push({ ...made, at: made.at + Math.floor(random() * 2_000), duplicate: true });
  };

  // The attack: sequential numbers, enrollment challenges from a handful of IPs and throwaway accounts.
  const perRange = Math.ceil(size.attackNumbers / ATTACK_RANGES.length);
  const numbers = ATTACK_RANGES.flatMap((range) =>
    Array.from({ length: perRange }, (_, i) => ({
      phone: `+${(BigInt(range.first.slice(1)) + BigInt(i)).toString()}`,
      voiceShare: range.voiceShare,
    })),
  ).slice(0, size.attackNumbers);
  const attackIps = Array.from({ length: size.attackIps }, (_, i) =>
    i % 5 === 4
      ? `2001:db8:${(0xbad0 + i).toString(16)}:1::${i}`
      : `${45 + (i % 7)}.${(i * 37) % 256}.${(i * 11) % 256}.${10 + i}`,
  );
  for (let i = 0; i < size.attackRequests; i += 1) {
    const target = pick(random, numbers);
    const account = `00uX${Math.floor(random() * Math.max(1, size.attackRequests / 10))}`;
    push(
      { at: Math.floor(random() * size.durationMs), side: 'attack', actor: account },
      {
        phone: target.phone,
        channel: random() < target.voiceShare ? 'voice' : 'sms',
        purpose: 'enrollment',
        locale: 'en-US',
        ip: pick(random, attackIps),
        userId: account,
      },
    );
  }

  // Real users: a sign-in (sometimes a first enrollment, a reset or an unlock), resends after Okta's
  // 30 s, now and then "call me instead", and some come back later in the hour.
  for (const user of legitUsers(size, random)) {
    const sessions = random() < 0.1 ? 2 : 1;
    let start = Math.floor(random() * (size.durationMs - 20 * 60_000));
    for (let s = 0; s < sessions; s += 1) {
      const roll = random();
      const purpose: OktaPurpose =
        roll < 0.08
          ? 'enrollment'
          : roll < 0.12
            ? 'password-reset'
            : roll < 0.15
              ? 'account-unlock'
              : 'verification';
      const send = (at: number, channel: Channel) =>
        push({ at, side: 'legit', actor: user.id }, { ...user, channel, purpose, userId: user.id });
      let at = start;
      send(at, user.channel);
      const resends = random() < 0.25 ? (random() < 0.3 ? 2 : 1) : 0;
      for (let r = 0; r < resends; r += 1) {
        at += Math.floor(between(random, 30_000, 90_000));
        send(at, user.channel);
      }
      if (user.channel === 'sms' && random() < 0.04)
        send(at + Math.floor(between(random, 30_000, 60_000)), 'voice');
      start += Math.floor(between(random, 10 * 60_000, 20 * 60_000));
    }
  }
  return events.sort((a, b) => a.at - b.at);
}

export interface SimulationReport {
  readonly size: SimulationSize;
  readonly attack: {
    readonly requests: number;
    readonly sent: number;
    readonly sentPercent: number;
    /** Of those sent, how many went while their counters had not answered in time (failed open). */
    readonly sentWhileFailedOpen: number;
    /** Refused with `fail`: Okta would send these through its own, rate-limited provider. */
    readonly toOktaFallback: number;
    readonly absorbed: number;
    readonly byRule: Readonly<Record<string, number>>;
  };
  readonly legit: {
    readonly users: number;
    readonly requests: number;
    readonly sent: number;
    readonly usersRefused: number;
    readonly requestsRefused: number;
    /** Not sent for reasons of our own (deadline, load), not the brakes: each got FAILED or PENDING. */
    readonly notSentOther: Readonly<Record<string, number>>;
    readonly byRule: Readonly<Record<string, number>>;
  };
  readonly duplicates: { readonly requests: number; readonly sentAgain: number };
  /** Requests whose counters did not answer in time (they failed open): should be none. */
  readonly counterFailures: Readonly<Record<string, number>>;
  readonly wallMs: number;
  readonly requestsPerSecond: number;
}

/** Counts the brakes' refusal lines and drops everything else (a run logs ~10,000 lines). */
class RefusalTally implements Logger {
  readonly refusals = new Map<string, string>();
  debug(): void {}
  info(): void {}
  warn(message: string, fields?: LogFields): void {
    if (message === 'otp refused by brakes' && fields)
      this.refusals.set(String(fields.eventId), String(fields.rule));
  }
  readonly counterFailures: string[] = [];
  readonly failedOpen = new Set<string>();
  error(message: string, fields?: LogFields): void {
    if (message !== 'brake counters unavailable') return;
    this.counterFailures.push(String(fields?.error));
    this.failedOpen.add(String(fields?.eventId));
  }
}

export async function runPumpingSimulation(
  size: SimulationSize,
  options: {
    env?: Record<string, string>;
    concurrency?: number;
    onProgress?: (done: number, total: number) => void;
  } = {},
): Promise<SimulationReport> {
  const events = pumpingTraffic(size);
  const dataDir = await mkdtemp(join(tmpdir(), 'otp-courier-pumping-'));
  const time = { now: events[0]?.at ?? Date.now() };
  const tally = new RefusalTally();
  const stack = await startLocalStack({
    // A generous counter timeout and deadline: this runs on shared 2-core machines where dynalite,
    // doing every table's work in this process, stalls far longer than DynamoDB would; a counter timeout
    // fails open and blurs the result (the report counts those apart).
    env: {
      DATA_DIR: dataDir,
      BRAND_NAME: 'Acme',
      LOG_LEVEL: 'WARN',
      BRAKES_COUNTER_TIMEOUT_MS: '2000',
      DEADLINE_MS: '2900',
      FAILURE_PATH_RESERVE_MS: '300',
      ...options.env,
    },
    inMemory: true,
    port: 0,
    announce: () => {},
    logger: tally,
    clock: { now: () => time.now },
  });
  const started = performance.now();
  const replies = new Map<
    string,
    { side: SimEvent['side']; actor: string; status: string; reason?: string }
  >();
  let sentAgain = 0;
  try {
    const issuer = stack.devIssuer;
    if (!issuer) throw new Error('the local stack did not start its dev issuer');
    let token = await issuer.mint();
    // Events carry times from a fixed epoch; shift them to now so expiry checks see live codes.
    const offset = Date.now() - (events[0]?.at ?? 0);
    // Requests go in small concurrent batches (as a busy org's would) that share one arrival time, the
    // last of the batch: time only moves forward and never moves during a request, so deadlines hold.
    const concurrency = options.concurrency ?? 4;
    let done = 0;
    for (let i = 0; i < events.length; i += concurrency) {
      if (Math.floor(i / 2_000) !== Math.floor((i + concurrency) / 2_000)) token = await issuer.mint();
      const batch = events.slice(i, i + concurrency);
      time.now = (batch[batch.length - 1]?.at ?? 0) + offset;
      await Promise.all(
        batch.map(async (event) => {
          const response = await fetch(stack.hookUrl, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
            body: shiftTimes(event.body, offset),
          });
          const reply = (await response.json()) as {
            commands?: { value: { status: string; provider: string }[] }[];
            error?: { errorCauses: { reason?: string }[] };
          };
          const value = reply.commands?.[0]?.value[0];
          const status = value
            ? value.provider === 'otp-courier-brakes'
              ? 'ABSORBED'
              : value.status
            : 'FAILED';
          if (event.duplicate) return;
          replies.set(event.eventId, {
            side: event.side,
            actor: event.actor,
            status,
            ...(reply.error ? { reason: reply.error.errorCauses[0]?.reason ?? 'unknown' } : {}),
          });
        }),
      );
      done += batch.length;
      options.onProgress?.(done, events.length);
    }
    const outbox = await readOutbox(stack.config.outboxFile);
    const sentIds = new Map<string, number>();
    for (const id of outbox) sentIds.set(id, (sentIds.get(id) ?? 0) + 1);
    sentAgain = [...sentIds.values()].filter((count) => count > 1).length;

    const wallMs = performance.now() - started;
    const side = (which: SimEvent['side']) => [...replies].filter(([, r]) => r.side === which);
    const byRule = (which: SimEvent['side']) => {
      const counts: Record<string, number> = {};
      for (const [eventId] of side(which)) {
        const rule = tally.refusals.get(eventId);
        if (rule) counts[rule] = (counts[rule] ?? 0) + 1;
      }
      return counts;
    };
    const attack = side('attack');
    const legit = side('legit');
    const attackSent = attack.filter(([id]) => sentIds.has(id)).length;
    const legitRefused = legit.filter(([id]) => tally.refusals.has(id));
    return {
      size,
      attack: {
        requests: attack.length,
        sent: attackSent,
        sentPercent: Math.round((attackSent / Math.max(1, attack.length)) * 10_000) / 100,
        sentWhileFailedOpen: attack.filter(([id]) => sentIds.has(id) && tally.failedOpen.has(id)).length,
        toOktaFallback: attack.filter(([id, r]) => tally.refusals.has(id) && r.status === 'FAILED').length,
        absorbed: attack.filter(([, r]) => r.status === 'ABSORBED').length,
        byRule: byRule('attack'),
      },
      legit: {
        users: new Set(legit.map(([, r]) => r.actor)).size,
        requests: legit.length,
        sent: legit.filter(([id]) => sentIds.has(id)).length,
        usersRefused: new Set(legitRefused.map(([, r]) => r.actor)).size,
        requestsRefused: legitRefused.length,
        notSentOther: legit
          .filter(([id]) => !sentIds.has(id) && !tally.refusals.has(id))
          .reduce<Record<string, number>>((counts, [, r]) => {
            const why = `${r.status}${r.reason ? ` ${r.reason}` : ''}`;
            counts[why] = (counts[why] ?? 0) + 1;
            return counts;
          }, {}),
        byRule: byRule('legit'),
      },
      duplicates: { requests: events.filter((e) => e.duplicate).length, sentAgain },
      counterFailures: tally.counterFailures.reduce<Record<string, number>>((counts, name) => {
        counts[name] = (counts[name] ?? 0) + 1;
        return counts;
      }, {}),
      wallMs: Math.round(wallMs),
      requestsPerSecond: Math.round(events.length / (wallMs / 1000)),
    };
  } finally {
    await stack.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** Moves eventTime and otpExpires by `offset` ms (the traffic is generated on a fixed epoch). */
function shiftTimes(raw: string, offset: number): string {
  const payload = JSON.parse(raw);
  payload.eventTime = new Date(Date.parse(payload.eventTime) + offset).toISOString();
  payload.data.messageProfile.otpExpires = new Date(
    Date.parse(payload.data.messageProfile.otpExpires) + offset,
  ).toISOString();
  return JSON.stringify(payload);
}

async function readOutbox(file: string): Promise<string[]> {
  try {
    return (await readFile(file, 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((line) => String((JSON.parse(line) as { eventId: string }).eventId));
  } catch {
    return [];
  }
}
