import type { BrakesLatencyResult } from '../sections/brakes';
import type { ColdStartOptions, ColdStartResult } from '../sections/cold-start';
import type { FailoverResult } from '../sections/failover';
import type { LocalStackLoadResult } from '../sections/local-stack-load';
import type { ProviderStressResult } from '../sections/provider-stress';
import type { PumpingResult } from '../sections/pumping';
import type { ShippedPathResult } from '../sections/shipped-path';
import type { TemplateScalingResult } from '../sections/template-scaling';
import type { WarmPathResult } from '../sections/warm-path';

export type SectionOptions = ColdStartOptions & {
  /** A smaller run of the sections that support it (shipped-path): a look, not the headline. */
  readonly quick?: boolean;
};

export interface SectionResults {
  'shipped-path': ShippedPathResult;
  'warm-path': WarmPathResult;
  'local-stack': LocalStackLoadResult;
  'cold-start': ColdStartResult;
  'template-scaling': TemplateScalingResult;
  'provider-stress': ProviderStressResult;
  brakes: BrakesLatencyResult;
  pumping: PumpingResult;
  failover: FailoverResult;
}

export type SectionName = keyof SectionResults;

/**
 * The measurements, in the order they run and print: the shipped path (issue 10) first, then the five of
 * issue 6. Loaded lazily: each runs in its own process.
 */
export const SECTIONS: {
  readonly [K in SectionName]: (options: SectionOptions) => Promise<SectionResults[K]>;
} = {
  'shipped-path': async (options) => (await import('../sections/shipped-path')).runShippedPath(options),
  'warm-path': async () => (await import('../sections/warm-path')).runWarmPath(),
  'local-stack': async () => (await import('../sections/local-stack-load')).runLocalStackLoad(),
  'cold-start': async (options) => (await import('../sections/cold-start')).runColdStart(options),
  'template-scaling': async () => (await import('../sections/template-scaling')).runTemplateScaling(),
  'provider-stress': async () => (await import('../sections/provider-stress')).runProviderStress(),
  brakes: async () => (await import('../sections/brakes')).runBrakesLatency(),
  pumping: async () => (await import('../sections/pumping')).runPumping(),
  failover: async () => (await import('../sections/failover')).runFailover(),
};

/** Sections too long for a plain `npm run bench`: they run when named in --only. */
export const OPT_IN_SECTIONS: readonly SectionName[] = ['pumping'];

export const SECTION_NAMES = Object.keys(SECTIONS) as SectionName[];

export function isSectionName(name: string): name is SectionName {
  return name in SECTIONS;
}

/** What a section process sends its parent. */
export type SectionMessage =
  | { readonly ok: true; readonly result: unknown }
  | { readonly ok: false; readonly error: string };
