import { BrokenCircuitError, type CircuitBreakerPolicy, IsolatedCircuitError } from 'cockatiel';
import type { Deadline } from '../domain/deadline';
import { DeliveryError, type DeliveryFailureKind } from '../domain/errors';
import type { OutboundMessage } from '../domain/outbound-message';
import { countriesOf } from '../domain/phone-country';
import { cannotCarry } from '../domain/provider-capabilities';
import { callsOf, certaintyOfTries, describeTries, type ProviderTry } from '../domain/provider-try';
import { type Route, selectRoute } from '../domain/route-table';
import type { Clock } from '../ports/clock';
import type { Logger } from '../ports/logger';
import type { MessageProvider } from '../ports/message-provider';
import type { MessageSender, SendOptions, SendReceipt } from '../ports/message-sender';
import { isRefusing, type ProviderPolicy, providerBreaker, retryPolicy } from './provider-policies';
import { sendWithinDeadline } from './send-within-deadline';

/**
 * A provider handed to the router: the adapter, its policy, and the name the route table knows it by
 * (its own name, unless it stands in for another: locally the outbox takes End User Messaging's place).
 */
export interface ProviderEntry {
  readonly provider: MessageProvider;
  readonly policy: ProviderPolicy;
  readonly slot?: string;
}

/** One provider as the router holds it: the adapter, its policy, and its circuit (per Lambda instance). */
interface Routed {
  readonly provider: MessageProvider;
  readonly policy: ProviderPolicy;
  readonly breaker: CircuitBreakerPolicy;
}

export interface RouterSettings {
  /** Validated at start-up (routing-config.ts): ends with a catch-all, names only these providers. */
  readonly routes: readonly Route[];
  /** No call starts with less than this left of the send deadline: it could not finish. */
  readonly minAttemptMs: number;
}

/** Provider calls made so far on one provider, and the last one's failure. */
interface Calls {
  made: number;
  last?: DeliveryError;
}

/** Skipped before any call: the circuit refuses (open, or its probe already running elsewhere). */
class CircuitRefused extends Error {
  override readonly name = 'CircuitRefused';
}

/**
 * The MessageSender DeliverOtp calls: picks the route for the message (destination country, channel,
 * purpose), then tries its providers in order, each with the shared retry policy and its own circuit
 * breaker, and fails over to the next provider **only when the failure is not sent** — the previous
 * provider refused, or was never reached. An uncertain failure (the provider may have received the
 * message) ends the delivery there: a second provider would put a second code on the phone. A route may
 * opt into failing over anyway (`failoverOnUncertain`), trading a possible duplicate for a likelier
 * delivery. A user's opt-out is never routed around.
 *
 * Every provider tried is recorded — order, outcome, reason, calls, time — in the receipt (so the reply,
 * the idempotency record and the log carry it) and in the error (so the dead letter does).
 */
export class ProviderRouter implements MessageSender {
  private readonly providers: ReadonlyMap<string, Routed>;

  constructor(
    providers: readonly ProviderEntry[],
    private readonly settings: RouterSettings,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {
    this.providers = new Map(
      providers.map(({ provider, policy, slot }) => {
        const breaker = providerBreaker(policy.breaker);
        this.watch(provider.name, breaker);
        return [slot ?? provider.name, { provider, policy, breaker }];
      }),
    );
  }

  /** The circuit of the provider in a route-table slot, for tests and operators' tooling. */
  breakerOf(slot: string): CircuitBreakerPolicy | undefined {
    return this.providers.get(slot)?.breaker;
  }

  async send(message: OutboundMessage, options: SendOptions): Promise<SendReceipt> {
    const route = selectRoute(this.settings.routes, {
      countries: countriesOf(message.to),
      channel: message.channel,
      purpose: message.purpose,
    });
    const tries: ProviderTry[] = [];
    const refused: Routed[] = [];
    let last: DeliveryError | undefined;
    const slots = route?.providers ?? [];
    for (const [position, slot] of slots.entries()) {
      const routed = this.providers.get(slot);
      if (!routed) continue;
      const incapable = cannotCarry(routed.provider.capabilities, message, route?.senderType);
      if (incapable) {
        tries.push(skipped(routed, incapable));
        continue;
      }
      if (!this.timeLeft(options)) {
        tries.push(skipped(routed, 'no-time-left'));
        break;
      }
      // Its per-call bound applies only when the time it saves can be used: a call cut after its request left
      // ends uncertain, and an uncertain failure is failed over only where the route says so. Elsewhere a
      // call may take the whole send window: cutting it early could only turn a slow success into a FAILED
      // reply (and Okta's code on top of ours).
      const bounded = route?.failoverOnUncertain === true && position < slots.length - 1;
      const result = await this.tryOne(routed, message, options, tries, { bypassCircuit: false, bounded });
      if (result.sent) return result.sent;
      if (result.refused) {
        refused.push(routed);
        continue;
      }
      last = result.failure;
      if (!mayFailOver(result.failure, route)) break;
      this.logger.warn('provider failed; failing over', {
        eventId: message.eventId,
        provider: routed.provider.name,
        kind: result.failure.kind,
        certainty: result.failure.certainty,
      });
    }
    // Every provider able to carry it was refused by its own circuit and none was called: the first is
    // tried anyway. A breaker routes around a provider; it never leaves a message with nobody to try (a
    // deployment with one provider behaves as it would without breakers, and Okta's fallback stays the
    // fallback of last resort).
    const first = refused[0];
    if (!last && first && this.timeLeft(options)) {
      const result = await this.tryOne(first, message, options, tries, {
        bypassCircuit: true,
        bounded: false,
      });
      if (result.sent) return result.sent;
      if (!result.refused) last = result.failure;
    }
    throw this.failed(message, tries, last);
  }

  private timeLeft(options: SendOptions): boolean {
    return (
      !options.signal.aborted && options.deadline.remaining(this.clock.now()) >= this.settings.minAttemptMs
    );
  }

  /** One provider, recorded in `tries`: sent, refused by its circuit before any call, or failed. */
  private async tryOne(
    routed: Routed,
    message: OutboundMessage,
    options: SendOptions,
    tries: ProviderTry[],
    how: { readonly bypassCircuit: boolean; readonly bounded: boolean },
  ): Promise<
    | { sent: SendReceipt }
    | { sent?: never; refused: true }
    | { sent?: never; refused?: never; failure: DeliveryError }
  > {
    const name = routed.provider.name;
    const started = this.clock.now();
    const calls: Calls = { made: 0 };
    try {
      const receipt = await this.tryProvider(routed, message, options, callsOf(tries), calls, how);
      tries.push({
        provider: name,
        outcome: 'sent',
        ...(how.bypassCircuit ? { reason: 'circuit-bypassed' } : {}),
        calls: calls.made,
        ms: this.clock.now() - started,
      });
      if (tries.length > 1) {
        this.logger.info('sent after failing over', {
          eventId: message.eventId,
          providers: describeTries(tries),
        });
      }
      return { sent: { ...receipt, attempts: callsOf(tries), tries } };
    } catch (error) {
      if (error instanceof CircuitRefused) {
        tries.push(skipped(routed, 'circuit-open'));
        return { refused: true };
      }
      const failure = asDeliveryError(error, calls.made);
      tries.push({
        provider: name,
        outcome: failure.certainty,
        reason: failure.kind,
        calls: calls.made,
        ms: this.clock.now() - started,
      });
      return { failure };
    }
  }

  /**
   * One provider: its calls, retried by the shared policy within the deadline, the whole try through the
   * provider's circuit. The circuit counts tries, not calls: a message whose retries all failed is one
   * failure of the provider, one that got through after a throttle is a success — so a provider that
   * throttles now and then is not cut off, one that fails message after message is.
   */
  private async tryProvider(
    routed: Routed,
    message: OutboundMessage,
    options: SendOptions,
    callsBefore: number,
    calls: Calls,
    how: { readonly bypassCircuit: boolean; readonly bounded: boolean },
  ): Promise<SendReceipt> {
    const { provider, policy, breaker } = routed;
    // Retries stop while a whole call can still start: backoff never eats the time the call would need.
    const budget = () => options.deadline.remaining(this.clock.now()) - this.settings.minAttemptMs;
    const call = async (): Promise<SendReceipt> => {
      if (options.signal.aborted || budget() < 0) {
        // The backoff ate the time left: the previous call's failure is the one to report.
        throw (
          calls.last ??
          new DeliveryError('deadline-exceeded', 'not-sent', 'no time left for another call', { attempts: 0 })
        );
      }
      const attemptBy = how.bounded ? this.attemptDeadline(options.deadline, policy) : options.deadline;
      try {
        const receipt = await sendWithinDeadline(provider, message, attemptBy, this.clock, options.signal, {
          previousCalls: callsBefore + calls.made,
        });
        calls.made += receipt.attempts;
        return receipt;
      } catch (error) {
        const failure = timedOut(asDeliveryError(error, 1), attemptBy, options.deadline, this.clock.now());
        calls.made += failure.attempts;
        calls.last = failure;
        throw failure;
      }
    };
    const tryAll = () => retryPolicy(policy, budget).execute(call, options.signal);
    if (how.bypassCircuit) return tryAll();
    // A circuit half-open has its probe running: queueing behind it would spend this request's budget.
    if (isRefusing(breaker)) throw new CircuitRefused(`${provider.name} circuit refuses calls`);
    try {
      return await breaker.execute(tryAll);
    } catch (error) {
      if (error instanceof BrokenCircuitError || error instanceof IsolatedCircuitError) {
        throw new CircuitRefused(`${provider.name} circuit is open`);
      }
      throw error;
    }
  }

  /** The provider's per-call bound, never past the request's send deadline. */
  private attemptDeadline(deadline: Deadline, policy: ProviderPolicy): Deadline {
    const now = this.clock.now();
    const bound = policy.attemptTimeoutMs;
    return deadline.remaining(now) > bound ? deadline.earlier(deadline.remaining(now) - bound) : deadline;
  }

  private failed(
    message: OutboundMessage,
    tries: readonly ProviderTry[],
    last?: DeliveryError,
  ): DeliveryError {
    const summary = tries.length > 0 ? describeTries(tries) : 'no provider on the route';
    if (last) {
      return new DeliveryError(
        last.kind,
        certaintyOfTries(tries),
        `${message.channel} send failed: ${summary}`,
        {
          attempts: callsOf(tries),
          tries,
        },
      );
    }
    // Nothing was called: every circuit open, no provider able to carry it, or no time left.
    const kind: DeliveryFailureKind = tries.some((t) => t.reason === 'circuit-open')
      ? 'provider-unavailable'
      : tries.some((t) => t.reason === 'no-time-left')
        ? 'deadline-exceeded'
        : 'misconfigured';
    return new DeliveryError(kind, 'not-sent', `${message.channel} not sent: ${summary}`, {
      attempts: 0,
      tries,
    });
  }

  private watch(name: string, breaker: CircuitBreakerPolicy): void {
    breaker.onBreak(() => this.logger.warn('circuit opened', { provider: name }));
    breaker.onHalfOpen(() => this.logger.info('circuit half-open: probing', { provider: name }));
    breaker.onReset(() => this.logger.info('circuit closed', { provider: name }));
  }
}

/**
 * Whether the next provider may be tried after this failure. Only when this one surely did not send —
 * except that a route may accept the risk of a duplicate for an uncertain failure. Never around an
 * opt-out: the user asked not to get these messages, whoever sends them.
 */
function mayFailOver(failure: DeliveryError, route: Route | undefined): boolean {
  if (failure.kind === 'opted-out') return false;
  if (failure.certainty === 'not-sent') return true;
  return route?.failoverOnUncertain === true;
}

function skipped(routed: Routed, reason: string): ProviderTry {
  return { provider: routed.provider.name, outcome: 'skipped', reason, calls: 0, ms: 0 };
}

/** A foreign error from inside a provider says nothing of what it did on the wire: uncertain. */
function asDeliveryError(error: unknown, attempts: number): DeliveryError {
  if (error instanceof DeliveryError) return error;
  return new DeliveryError('unknown', 'uncertain', `provider failed: ${(error as Error)?.name ?? 'Error'}`, {
    attempts,
  });
}

/** A call cut at its own bound, before the request's deadline, timed out; the request did not. */
function timedOut(failure: DeliveryError, attemptBy: Deadline, sendBy: Deadline, now: number): DeliveryError {
  if (failure.kind !== 'deadline-exceeded' || attemptBy.at >= sendBy.at || sendBy.passed(now)) return failure;
  return new DeliveryError('timeout', failure.certainty, `${failure.message} (the per-call bound passed)`, {
    attempts: failure.attempts,
  });
}
