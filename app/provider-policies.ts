import {
  type CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  CountBreaker,
  circuitBreaker,
  ExponentialBackoff,
  fullJitterGenerator,
  handleWhen,
  type IBackoff,
  type IBackoffFactory,
  type IBreaker,
  type RetryPolicy,
  retry,
} from 'cockatiel';
import { DeliveryError, type DeliveryFailureKind, maySendAgain } from '../domain/errors';

/**
 * Retry and circuit breaking, the same for every provider, built on cockatiel (its retry loop, its
 * breakers and their half-open probe). What is ours is only what no general library can know: which
 * failures say something about a provider's health, and that no retry may outlive the request's deadline.
 */

/** When a provider's circuit opens, and when it lets a probe through again. */
export interface BreakerSettings {
  /** Opens after this many failed messages in a row (a message's retries count once). */
  readonly consecutiveFailures?: number;
  /** Opens when more than `threshold` (0–1) of the last `windowCalls` messages failed, after `minimumCalls`. */
  readonly failureRate?: {
    readonly threshold: number;
    readonly windowCalls: number;
    readonly minimumCalls: number;
  };
  /** An open circuit lets one probe call through after this long. */
  readonly halfOpenAfterMs: number;
}

/** How the router treats one provider. */
export interface ProviderPolicy {
  /**
   * On a route that fails over uncertain failures, a call is abandoned after this long, so the next
   * provider has time left. Elsewhere a call may use the whole send window (see ProviderRouter).
   */
  readonly attemptTimeoutMs: number;
  /** Calls to this provider per message, the first included; only not-sent failures are retried. */
  readonly maxAttempts: number;
  /** Backoff before retry n: full jitter over min(maxMs, baseMs·2^(n-1)), never past the time left. */
  readonly backoff: { readonly baseMs: number; readonly maxMs: number };
  readonly breaker: BreakerSettings;
}

// Failures that say the provider (or our account with it) is unwell, whatever their certainty: a provider
// that hangs after accepting is as sick as one that refuses, and the breaker protects the *next* requests,
// which have not touched it yet. Failures about one destination or one message (opted out, blocked,
// invalid, a country's identity misconfigured) say nothing about the provider and are not counted.
const HEALTH_KINDS: ReadonlySet<DeliveryFailureKind> = new Set([
  'throttled',
  'provider-unavailable',
  'network',
  'timeout',
  'deadline-exceeded',
  'quota-exceeded',
  'access-denied',
  'unknown',
]);

/**
 * Whether a failed try (a message's calls to one provider, retries included) counts against the
 * provider's circuit: a call was made, and the last one failed for the provider's health.
 */
export function countsAgainstProvider(error: unknown): boolean {
  return error instanceof DeliveryError && error.attempts > 0 && HEALTH_KINDS.has(error.kind);
}

/**
 * Opens as soon as either of its breakers would: N consecutive failures catch a provider that went down,
 * the failure rate one that fails every other call without ever failing N in a row.
 */
class FirstToTrip implements IBreaker {
  constructor(private readonly breakers: readonly IBreaker[]) {}

  get state(): unknown {
    return this.breakers.map((b) => b.state);
  }

  set state(value: unknown) {
    (value as unknown[]).forEach((s, i) => {
      const breaker = this.breakers[i];
      if (breaker) breaker.state = s;
    });
  }

  success(state: CircuitState): void {
    for (const b of this.breakers) b.success(state);
  }

  failure(state: CircuitState): boolean {
    let open = false;
    for (const b of this.breakers) open = b.failure(state) || open;
    return open;
  }
}

/**
 * The circuit breaker of one provider. Its state lives in this object, so in Lambda it is per execution
 * environment: each warm instance learns on its own that a provider is down (a few failed calls each),
 * and forgets it on a cold start. That is enough to stop paying a dead provider's timeout on every
 * request; sharing state across instances (DynamoDB, say) would put a network call in front of each send.
 */
export function providerBreaker(settings: BreakerSettings): CircuitBreakerPolicy {
  const breakers: IBreaker[] = [];
  if (settings.consecutiveFailures !== undefined) {
    breakers.push(new ConsecutiveBreaker(settings.consecutiveFailures));
  }
  if (settings.failureRate !== undefined) {
    const { threshold, windowCalls, minimumCalls } = settings.failureRate;
    breakers.push(new CountBreaker({ threshold, size: windowCalls, minimumNumberOfCalls: minimumCalls }));
  }
  return circuitBreaker(handleWhen(countsAgainstProvider), {
    halfOpenAfter: settings.halfOpenAfterMs,
    breaker: breakers.length === 1 ? (breakers[0] as IBreaker) : new FirstToTrip(breakers),
  });
}

/** True while calls are refused without being made: open and not yet due a probe, or a probe running. */
export function isRefusing(breaker: CircuitBreakerPolicy): boolean {
  return breaker.state === CircuitState.HalfOpen || breaker.state === CircuitState.Isolated;
}

/** Never longer than `budget()` says is left: a backoff that outlives the deadline helps nobody. */
function capped(inner: IBackoff<unknown>, budget: () => number): IBackoff<unknown> {
  return {
    get duration() {
      return Math.max(0, Math.min(inner.duration, budget()));
    },
    next: (context) => capped(inner.next(context), budget),
  };
}

/**
 * The retry policy of one message on one provider: at most `maxAttempts` calls, only after a failure
 * that surely never reached the provider and may pass by itself (`maySendAgain`), and only while
 * `budget()` (the time left before the last call must start) is positive.
 */
export function retryPolicy(policy: ProviderPolicy, budget: () => number): RetryPolicy {
  const exponential = new ExponentialBackoff({
    initialDelay: policy.backoff.baseMs,
    maxDelay: policy.backoff.maxMs,
    generator: fullJitterGenerator,
  });
  const backoff: IBackoffFactory<unknown> = {
    next: () => capped(exponential.next(), budget),
  };
  return retry(
    handleWhen((error) => error instanceof DeliveryError && maySendAgain(error) && budget() > 0),
    { maxAttempts: Math.max(0, policy.maxAttempts - 1), backoff },
  );
}
