import { PURPOSES } from '../../domain/delivery-request';
import { localeFallbackChain } from '../../domain/locale';
import type { TemplatePurpose } from '../../domain/message-template';
import type { Clock } from '../../ports/clock';
import type { Fingerprinter } from '../../ports/fingerprinter';
import type { Logger } from '../../ports/logger';
import type { TemplateQuery } from '../../ports/template-store';
import type { CachedTemplateStore } from '../cached-template-store';

export interface HookWarmUpTargets {
  readonly fingerprinter: Fingerprinter;
  /** The template table's cache; absent when there is no table. */
  readonly templateCache?: CachedTemplateStore;
  readonly defaultLocale: string;
  /** Region for numbers without "+": with the default language, the likeliest locale of a request. */
  readonly defaultPhoneRegion: string;
  readonly clock: Clock;
  readonly logger: Logger;
}

export interface HookWarmUpReport {
  /** Time to derive the fingerprint key, or undefined when it failed. */
  readonly fingerprintKeyMs?: number;
  /** Time to fetch the default language's templates, or undefined when it failed or there is no table. */
  readonly templatesMs?: number;
  readonly templatesFound?: number;
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
  await Promise.all([
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
  ]);
  const report: HookWarmUpReport = {
    ...(fingerprintKeyMs === undefined ? {} : { fingerprintKeyMs }),
    ...(templatesMs === undefined ? {} : { templatesMs, templatesFound }),
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

/** The warm-up of a function built on `awsHookAdapters` (the hook, the Cognito trigger): run at init. */
export function warmUpHookAdapters(
  adapters: Pick<HookWarmUpTargets, 'fingerprinter' | 'templateCache' | 'clock' | 'logger'>,
  settings: { readonly defaultLocale: string; readonly defaultPhoneRegion: string },
): Promise<HookWarmUpReport> {
  return warmUpHook({
    fingerprinter: adapters.fingerprinter,
    templateCache: adapters.templateCache,
    defaultLocale: settings.defaultLocale,
    defaultPhoneRegion: settings.defaultPhoneRegion,
    clock: adapters.clock,
    logger: adapters.logger,
  });
}
