import type { BrakePolicy } from '../domain/brake-policy';

/** What the Brakes service needs from configuration (app/config/brakes-config.ts builds it). */
export interface BrakesSettings {
  readonly policy: BrakePolicy;
  /**
   * When the counters cannot be read in time: `open` sends anyway (the pure rules still apply; a log line
   * and its alarm say so), `closed` refuses under the `counters-unavailable` rule.
   */
  readonly onCounterFailure: 'open' | 'closed';
  /** How long the counters may take; they run beside the idempotency claim, so keep it under its budget. */
  readonly counterTimeoutMs: number;
  /**
   * Coarse guards (country velocity, daily spend) are counted per instance and written at most once per
   * this many ms (app/coarse-counters.ts, with its error bound); 0 or undefined: one write per request.
   */
  readonly coarseFlushMs?: number;
}
