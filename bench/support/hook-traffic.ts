import { randomBytes } from 'node:crypto';
import { OKTA_PURPOSES, type OktaPurpose, oktaSamplePayload } from '../../app/local/okta-sample-payload';
import type { Channel } from '../../domain/delivery-request';

/** Ten markets as Okta would send them (its locale spelling varies), each with a valid mobile range. */
export const MARKETS = [
  { locale: 'EN-US', prefix: '+1415555', width: 4 },
  { locale: 'en-GB', prefix: '+4474001', width: 5 },
  { locale: 'fr-FR', prefix: '+3361', width: 7 },
  { locale: 'de-DE', prefix: '+49151', width: 8 },
  { locale: 'pt-BR', prefix: '+55119', width: 8 },
  { locale: 'es-ES', prefix: '+346', width: 8 },
  { locale: 'it-IT', prefix: '+39333', width: 7 },
  { locale: 'ja-JP', prefix: '+81901', width: 7 },
  { locale: 'nl-NL', prefix: '+3161', width: 7 },
  { locale: 'hi-IN', prefix: '+9198', width: 8 },
] as const;

export interface TrafficShape {
  readonly locale: string;
  readonly channel: Channel;
  readonly purpose: OktaPurpose;
  readonly phone: string;
}

/** Request `i` of a run: every 4th is a voice call; locale and purpose rotate so all combinations occur. */
export function trafficShape(i: number): TrafficShape {
  const market = MARKETS[i % MARKETS.length] as (typeof MARKETS)[number];
  // Offsets of 7 and 13 make channel and purpose vary independently of the market.
  return {
    locale: market.locale,
    channel: Math.floor(i / 7) % 4 === 3 ? 'voice' : 'sms',
    purpose: OKTA_PURPOSES[Math.floor(i / 13) % OKTA_PURPOSES.length] as OktaPurpose,
    phone: `${market.prefix}${String((i * 7919) % 10 ** market.width).padStart(market.width, '0')}`,
  };
}

/**
 * Okta hook bodies with an event id and code unique per request, so idempotency never replays and
 * every request is a real delivery. A random run tag keeps event ids unique across runs too.
 */
export function createTraffic(
  options: {
    /** Passcode lifetime from when the body is built (default Okta's 5 minutes); longer for bodies built ahead. */
    readonly expiresInSeconds?: number;
  } = {},
): { readonly runTag: string; body(i: number): string } {
  const runTag = randomBytes(4).toString('hex');
  return {
    runTag,
    body(i: number): string {
      const shape = trafficShape(i);
      const payload = oktaSamplePayload({
        ...shape,
        eventId: `bench${runTag}${i}`,
        // Eight digits, unique per request within a run.
        code: String(10_000_000 + (i % 90_000_000)),
        ...(options.expiresInSeconds ? { expiresInSeconds: options.expiresInSeconds } : {}),
      });
      // A user and client per request, as an org's traffic has: one dev user asking for thousands of
      // codes is what the brakes (issue 14) are there to refuse.
      payload.data.userProfile.userId = `00uBench${runTag}${i}`;
      payload.data.context.request.ipAddress = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
      return JSON.stringify(payload);
    },
  };
}
