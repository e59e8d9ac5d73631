import type { Channel, Purpose } from './delivery-request';
import type { NumberKind } from './phone-destination';

/**
 * How a refused request is answered. `fail`: FAILED, so the IdP sends the code through its own,
 * rate-limited provider (a false positive costs the user nothing, but an attack reaches that provider
 * and can trip the IdP's own toll-fraud cap, which for Okta blocks SMS and voice MFA org-wide for 24 h).
 * `absorb`: SUCCESSFUL without sending (the attack goes nowhere, but a real user caught by the rule
 * waits for a code that never comes).
 */
export type BrakeReply = 'fail' | 'absorb';
export const BRAKE_REPLIES: readonly BrakeReply[] = ['fail', 'absorb'];

/** What a velocity limit counts per: the number, its range, its country, the client, the user. */
export type VelocityDimension = 'phone' | 'prefix' | 'country' | 'ip' | 'user';
export const VELOCITY_DIMENSIONS: readonly VelocityDimension[] = ['phone', 'prefix', 'country', 'ip', 'user'];

/**
 * At most `limit` first claims per fixed window of `windowSeconds`, counted per subject of the dimension
 * (attempts, refused ones included: an attacker who keeps trying stays refused). The request that makes
 * the count exceed the limit is refused. Fixed windows, not a sliding approximation: two requests at
 * least a window apart never share a window, so nobody who respects "N per window" is ever refused; the
 * price is that an attacker may fit 2N into a short span across a boundary, which only doubles a burst
 * and leaves the long-run rate at N per window.
 */
export interface VelocityLimit {
  readonly dimension: VelocityDimension;
  readonly limit: number;
  readonly windowSeconds: number;
  readonly reply: BrakeReply;
  /** Only requests of these purposes count and are judged; undefined: every purpose. */
  readonly purposes?: readonly Purpose[];
}

/** Countries by ISO 3166-1 alpha-2 code ("001" for non-geographic numbers). */
export type CountryRule =
  | { readonly mode: 'allow-all' }
  | { readonly mode: 'block'; readonly countries: readonly string[] }
  | { readonly mode: 'allow'; readonly countries: readonly string[] };

/** Estimated price of one message, USD, by channel and country; `default` for unlisted countries. */
export interface PriceTable {
  /** When the figures were compiled, ISO date. */
  readonly asOf: string;
  readonly source: string;
  readonly sms: Readonly<Record<string, number>>;
  readonly voice: Readonly<Record<string, number>>;
  readonly defaultSms: number;
  readonly defaultVoice: number;
}

export interface SpendCaps {
  /** Estimated USD per UTC day, all countries together; undefined: no cap. */
  readonly dailyUsd?: number;
  /** Estimated USD per UTC day and country, unless the country has its own entry. */
  readonly countryDailyUsd?: number;
  readonly perCountryDailyUsd: Readonly<Record<string, number>>;
}

/** Rules that are not velocity limits, each with its own reply. */
export type FixedRule =
  | 'number-type'
  | 'unknown-number-type'
  | 'destination-country'
  | 'spend-daily'
  | 'spend-country-daily'
  | 'counters-unavailable';

export interface BrakePolicy {
  /** Number kinds refused per channel; UNKNOWN is refused under its own rule. */
  readonly refusedKinds: Readonly<Record<Channel, readonly NumberKind[]>>;
  readonly countries: Readonly<Record<Channel, CountryRule>>;
  readonly limits: readonly VelocityLimit[];
  /** The prefix dimension is the E.164 number without its last `prefixDropDigits` digits. */
  readonly prefixDropDigits: number;
  readonly prices: PriceTable;
  readonly spend: SpendCaps;
  readonly replies: Readonly<Record<FixedRule, BrakeReply>>;
}
