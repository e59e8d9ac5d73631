import type { Channel, Purpose } from './delivery-request';
import type { SenderType } from './provider-capabilities';

/** Matches every destination country. */
export const ANY_COUNTRY = '*';

/**
 * One line of the route table: for destinations in `countries` (and, when given, only these channels and
 * purposes), try `providers` in order.
 */
export interface Route {
  /** ISO 3166-1 alpha-2 codes, upper case, or "*". */
  readonly countries: readonly string[];
  readonly channels?: readonly Channel[];
  readonly purposes?: readonly Purpose[];
  /** Provider names, most preferred first. */
  readonly providers: readonly string[];
  /**
   * Fail over even when the previous provider may have received the message. Off by default: the user
   * may then get two codes (both valid: each provider sends the same code), but never none. See README
   * "Routing and failover" for when that trade is worth it.
   */
  readonly failoverOnUncertain?: boolean;
  /** Only providers able to send from this kind of sender. */
  readonly senderType?: SenderType;
}

export interface RouteQuery {
  /** Candidate countries of the destination, most specific first (see countriesOf). */
  readonly countries: readonly string[];
  readonly channel: Channel;
  readonly purpose: Purpose;
}

function matches(route: Route, query: RouteQuery): boolean {
  const country =
    route.countries.includes(ANY_COUNTRY) || query.countries.some((c) => route.countries.includes(c));
  return (
    country &&
    (route.channels === undefined || route.channels.includes(query.channel)) &&
    (route.purposes === undefined || route.purposes.includes(query.purpose))
  );
}

/**
 * The route for a message: the first route, top to bottom, whose countries, channels and purposes all
 * match — like a firewall's rules, so the table reads in the order it is applied. A valid table ends with
 * a catch-all, so there is always one.
 */
export function selectRoute(routes: readonly Route[], query: RouteQuery): Route | undefined {
  return routes.find((route) => matches(route, query));
}

/** A catch-all matches every message: any country, every channel, every purpose. */
export function isCatchAll(route: Route): boolean {
  return (
    route.countries.includes(ANY_COUNTRY) && route.channels === undefined && route.purposes === undefined
  );
}

/**
 * What is wrong with a route table, as sentences naming the route by its position (1-based); empty when
 * nothing is. `providers` are the names the table may use.
 */
export function routeTableProblems(routes: readonly Route[], providers: readonly string[]): string[] {
  const problems: string[] = [];
  const known = new Set(providers);
  if (routes.length === 0) problems.push('the route table has no route');
  routes.forEach((route, i) => {
    const at = `route ${i + 1}`;
    if (route.providers.length === 0) problems.push(`${at} names no provider`);
    for (const name of route.providers) {
      if (!known.has(name))
        problems.push(`${at} names unknown provider "${name}" (known: ${providers.join(', ')})`);
    }
    if (new Set(route.providers).size !== route.providers.length)
      problems.push(`${at} names a provider twice`);
    for (const country of route.countries) {
      if (country !== ANY_COUNTRY && !/^[A-Z]{2}$/.test(country)) {
        problems.push(`${at}: "${country}" is not an upper-case ISO 3166-1 alpha-2 code or "*"`);
      }
    }
    if (route.countries.length === 0) problems.push(`${at} names no country`);
    if (route.channels?.length === 0)
      problems.push(`${at} has an empty channel list (leave it out for every channel)`);
    if (route.purposes?.length === 0)
      problems.push(`${at} has an empty purpose list (leave it out for every purpose)`);
    // A route after a catch-all can never be chosen: almost certainly a mistake in the order.
    const shadowedBy = routes.slice(0, i).findIndex(isCatchAll);
    if (shadowedBy >= 0)
      problems.push(`${at} comes after the catch-all route ${shadowedBy + 1} and is never used`);
  });
  const last = routes.at(-1);
  if (last && !isCatchAll(last)) {
    problems.push('the last route must be a catch-all (countries ["*"], no channels, no purposes)');
  }
  return problems;
}
