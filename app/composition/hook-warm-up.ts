import { PURPOSES } from '../../domain/delivery-request';
import { localeFallbackChain } from '../../domain/locale';
import { maskPhone } from '../../domain/mask';
import type { TemplatePurpose } from '../../domain/message-template';
import { countriesOf } from '../../domain/phone-country';
import { destinationOf } from '../../domain/phone-destination';
import { toE164 } from '../../domain/phone-number';
import type { Clock } from '../../ports/clock';
import type { Fingerprinter } from '../../ports/fingerprinter';
import type { Logger } from '../../ports/logger';
import type { TemplateQuery } from '../../ports/template-store';
import type { CachedTemplateStore } from '../cached-template-store';
import type { WarmUpPrime } from './sdk-call-primes';

export interface HookWarmUpTargets {
  readonly fingerprinter: Fingerprinter;
  /** The template table's cache; absent when there is no table. */
  readonly templateCache?: CachedTemplateStore;
  readonly defaultLocale: string;
  /** Region for numbers without "+": with the default language, the likeliest locale of a request. */
  readonly defaultPhoneRegion: string;
  readonly clock: Clock;
  readonly logger: Logger;
  /**
   * First-call work of the request path that sends nothing (sdk-call-primes.ts: the first request's SDK
   * operations, stopped before the wire), run while the round trips above are in flight.
   */
  readonly primes?: readonly WarmUpPrime[];
}

/** How long a prime may take before the warm-up stops waiting for it (it sends nothing, so it ends anyway). */
export const PRIME_BOUND_MS = 1_000;

export interface HookWarmUpReport {
  /** Time to derive the fingerprint key, or undefined when it failed. */
  readonly fingerprintKeyMs?: number;
  /** Time to fetch the default language's templates, or undefined when it failed or there is no table. */
  readonly templatesMs?: number;
  readonly templatesFound?: number;
  /** How many primes completed. */
  readonly primed: number;
  readonly failures: readonly string[];
}

/**
 * The work every first request would otherwise pay, done once while the execution environment
 * initialises (Lambda runs a module's top-level code, awaits included, before the first invoke, and
 * ahead of traffic with provisioned concurrency): the KMS-derived fingerprint key, and the templates of
 * the default language for both channels and every purpose, so a first request in that language finds
 * them cached. The SDK clients (credentials, endpoints, connections) warm up on the way.
 *
 * Bounded and failure-tolerant: each call is bounded by its own client (a hung KMS or DynamoDB ends
 * within its attempts' timeouts, so nothing is left running into the freeze), and a failure is logged,
 * never thrown — the first request then does the work itself, as it would without a warm-up.
 */
export async function warmUpHook(targets: HookWarmUpTargets): Promise<HookWarmUpReport> {
  const { clock, logger } = targets;
  const started = clock.now();
  const failures: string[] = [];
  let fingerprintKeyMs: number | undefined;
  let templatesMs: number | undefined;
  let templatesFound: number | undefined;
  const failed = (what: string) => (error: unknown) => {
    failures.push(`${what}: ${error instanceof Error ? error.name : 'unknown'}`);
  };
  let primed = 0;
  const roundTrips = [
    // Any fingerprint derives the key; this input is never a request's (those always carry a kind).
    targets.fingerprinter.fingerprint(['warm-up']).then(() => {
      fingerprintKeyMs = clock.now() - started;
    }, failed('fingerprint key')),
    ...(targets.templateCache
      ? [
          primeDefaultLanguage(targets.templateCache, targets).then((found) => {
            templatesMs = clock.now() - started;
            templatesFound = found;
          }, failed('templates')),
        ]
      : []),
  ];
  // Started after the round trips, so their CPU runs while those wait on the network.
  const primes = (targets.primes ?? []).map((prime) =>
    bounded(prime).then(
      () => {
        primed += 1;
      },
      failed(`prime ${prime.name}`),
    ),
  );
  await Promise.all([...roundTrips, ...primes]);
  const report: HookWarmUpReport = {
    ...(fingerprintKeyMs === undefined ? {} : { fingerprintKeyMs }),
    ...(templatesMs === undefined ? {} : { templatesMs, templatesFound }),
    primed,
    failures,
  };
  const fields = { ...report, failures: failures.join('; ') };
  if (failures.length > 0) {
    logger.warn('init warm-up incomplete; the first requests will do the rest', fields);
  } else {
    logger.info('init warm-up done', fields);
  }
  return report;
}

/** A prime's run, or a TimeoutError after PRIME_BOUND_MS; never throws synchronously. */
async function bounded(prime: WarmUpPrime): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new Error(`${prime.name} took over ${PRIME_BOUND_MS} ms`);
      error.name = 'TimeoutError';
      reject(error);
    }, PRIME_BOUND_MS);
  });
  try {
    await Promise.race([Promise.resolve().then(() => prime.run()), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * libphonenumber's first parse compiles its metadata's patterns and JIT-compiles its code (~15 ms on
 * the first request in a profile): done here with a fictional number, as a request reads one (the
 * inbound adapter's E.164, the brakes' destination, the sender's country, the logs' mask).
 */
export function phoneNumberPrime(region: string): WarmUpPrime {
  return {
    name: 'phone numbers',
    async run() {
      const e164 = toE164('+1 202-555-0100', region as Parameters<typeof toE164>[1]) ?? '+12025550100';
      destinationOf(e164);
      countriesOf(e164);
      maskPhone(e164);
    },
  };
}

/**
 * One BatchGetItem per channel for the default language and its regional form (en and en-US), every
 * purpose and generic; then every query a request in either locale makes is answered from the cache.
 */
async function primeDefaultLanguage(
  cache: CachedTemplateStore,
  targets: Pick<HookWarmUpTargets, 'defaultLocale' | 'defaultPhoneRegion'>,
): Promise<number> {
  const language = targets.defaultLocale.split('-')[0] ?? targets.defaultLocale;
  const chains = uniqueChains([
    localeFallbackChain(targets.defaultLocale, targets.defaultLocale),
    localeFallbackChain(`${language}-${targets.defaultPhoneRegion}`, targets.defaultLocale),
  ]);
  const purposes: readonly TemplatePurpose[] = [...PURPOSES, 'generic'];
  const found = await Promise.all(
    (['sms', 'voice'] as const).map((channel) => {
      const superset: TemplateQuery = { channel, locales: [...new Set(chains.flat())], purposes };
      const queries = chains.flatMap((locales) =>
        PURPOSES.map((purpose): TemplateQuery => ({ channel, locales, purposes: [purpose, 'generic'] })),
      );
      return cache.prime(superset, queries);
    }),
  );
  return found.reduce((a, b) => a + b, 0);
}

function uniqueChains(chains: readonly string[][]): string[][] {
  const seen = new Set<string>();
  return chains.filter((chain) => {
    const key = chain.join('\u0000');
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Whether this init is off every request's path, by the initialization type Lambda sets in the environment
 * (`AWS_LAMBDA_INITIALIZATION_TYPE`: `on-demand`, `provisioned-concurrency`, `snap-start`). On demand, the
 * first request waits for init *and* its own work, so CPU moved from one to the other is no gain: measured
 * (README, "The first request after init"), priming the SDK operations took ~25 ms of CPU off the first
 * request but added more to init, because the first request's calls run in parallel and overlap their
 * first-time set-up with each other's round trips. With provisioned concurrency or SnapStart, init happens
 * before any traffic, so whatever it does is taken off the first request for free.
 */
export function initIsOffRequestPath(env: Readonly<Record<string, string | undefined>>): boolean {
  const type = env.AWS_LAMBDA_INITIALIZATION_TYPE;
  return type === 'provisioned-concurrency' || type === 'snap-start';
}

/** The warm-up of a function built on `awsHookAdapters` (the hook, the Cognito trigger): run at init. */
export function warmUpHookAdapters(
  adapters: Pick<HookWarmUpTargets, 'fingerprinter' | 'templateCache' | 'clock' | 'logger' | 'primes'>,
  settings: {
    readonly defaultLocale: string;
    readonly defaultPhoneRegion: string;
    /** Run the CPU-only primes too (the SDK operations, libphonenumber): see initIsOffRequestPath. */
    readonly prime: boolean;
  },
): Promise<HookWarmUpReport> {
  return warmUpHook({
    fingerprinter: adapters.fingerprinter,
    templateCache: adapters.templateCache,
    defaultLocale: settings.defaultLocale,
    defaultPhoneRegion: settings.defaultPhoneRegion,
    clock: adapters.clock,
    logger: adapters.logger,
    ...(settings.prime
      ? { primes: [phoneNumberPrime(settings.defaultPhoneRegion), ...(adapters.primes ?? [])] }
      : {}),
  });
}
