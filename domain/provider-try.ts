import type { FailureCertainty } from './delivery-certainty';

/**
 * What happened with one provider while delivering one message: the reply, the outbox record, the
 * logs and the dead letter all carry the list of these, in the order the providers were tried.
 */
export interface ProviderTry {
  /** The provider's name, e.g. "aws-end-user-messaging", "twilio". */
  readonly provider: string;
  /**
   * `sent`; a failure's certainty; or `skipped` when the provider was not called at all (its circuit was
   * open, it cannot carry this message, or no time was left).
   */
  readonly outcome: 'sent' | FailureCertainty | 'skipped';
  /** Why it failed (a DeliveryFailureKind) or was skipped ("circuit-open", "no-voice"…). Never free text. */
  readonly reason?: string;
  /** Provider calls made, retries included. */
  readonly calls: number;
  /** Milliseconds spent on this provider, backoff included. */
  readonly ms: number;
}

export const PROVIDER_TRY_OUTCOMES = ['sent', 'not-sent', 'uncertain', 'skipped'] as const;

/** Provider calls made across every provider. */
export function callsOf(tries: readonly ProviderTry[]): number {
  return tries.reduce((sum, t) => sum + t.calls, 0);
}

/**
 * The certainty of a delivery that ended without a send: uncertain as soon as any provider may have
 * received it (only possible when a route opted into failing over an uncertain failure), else not sent.
 */
export function certaintyOfTries(tries: readonly ProviderTry[]): FailureCertainty {
  return tries.some((t) => t.outcome === 'uncertain') ? 'uncertain' : 'not-sent';
}

/**
 * One short line for logs: "aws-end-user-messaging not-sent/throttled ×3 → twilio sent ×1".
 * Names and reasons are machine tokens, so the line is safe to log.
 */
export function describeTries(tries: readonly ProviderTry[]): string {
  return tries
    .map((t) => `${t.provider} ${t.outcome}${t.reason ? `/${t.reason}` : ''} ×${t.calls}`)
    .join(' → ');
}
