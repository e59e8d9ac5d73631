import type { CallOptions } from './call-options';

export interface Conversion {
  /** Messages whose fate is known: used, or expired unused. */
  readonly settled: number;
  /** Of those, the ones whose code was used. */
  readonly converted: number;
}

/**
 * Conversion per destination country, by day: the best signal against SMS pumping (codes sent and never
 * used). An abuse policy can read it to tighten limits for a country whose conversion collapses.
 */
export interface ConversionStats {
  /** Totals over the `days` UTC days up to and including the one containing `now`. */
  forCountry(country: string, days: number, now: number, options?: CallOptions): Promise<Conversion>;
}
