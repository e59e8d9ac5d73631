import { inject, injectable } from 'inversify';
import {
  isCoarseGuard,
  judgeCounts,
  MICRO_USD,
  type PlannedCounter,
  planCounters,
  type Refusal,
  screenDestination,
} from '../domain/brake-rules';
import { type DeliveryOutcome, notSentOutcome } from '../domain/delivery-outcome';
import type { DeliveryRequest } from '../domain/delivery-request';
import { maskPhone } from '../domain/mask';
import { destinationOf } from '../domain/phone-destination';
import type { Clock } from '../ports/clock';
import type { Fingerprinter } from '../ports/fingerprinter';
import type { Logger } from '../ports/logger';
import type { CounterIncrement, RateCounterStore } from '../ports/rate-counter-store';
import type { BrakesSettings } from './brakes-settings';
import { CoarseCounters } from './coarse-counters';
import { TOKENS } from './tokens';

/** A check under way; DeliverOtp starts it beside the idempotency claim and settles it once it knows. */
export interface BrakeCheck {
  /** Never rejects. */
  readonly result: Promise<BrakeResult>;
}

interface BrakeResult {
  readonly refusal?: Refusal;
  /** Increments the store confirmed, to take back if the request ends as a duplicate or unsent. */
  readonly applied: readonly AppliedIncrement[];
  /** "phone/30s=1 prefix/1h[enrollment]=37 spend-daily=$12.40", for the log line; built only when refused. */
  readonly counts: () => string;
}

/** What DeliverOtp asks of the brakes; NO_BRAKES when none are configured (tests built by hand). */
export interface BrakeGate {
  begin(request: DeliveryRequest): BrakeCheck;
  withdraw(check: BrakeCheck): Promise<void>;
  refusal(
    check: BrakeCheck,
    request: DeliveryRequest,
    receivedAt: number,
  ): Promise<DeliveryOutcome | undefined>;
}

type AppliedIncrement = CounterIncrement & {
  readonly onlyIfSent: boolean;
  /** Counted by this instance's CoarseCounters, so taken back there. */
  readonly coarse: boolean;
};

const NO_COUNTS = () => '';
const NOTHING_COUNTED: BrakeCheck = { result: Promise.resolve({ applied: [], counts: NO_COUNTS }) };

export const NO_BRAKES: BrakeGate = {
  begin: () => NOTHING_COUNTED,
  withdraw: async () => {},
  refusal: async () => undefined,
};

/** The provider name Okta's system log shows for an absorbed request. */
export const ABSORBED_PROVIDER = 'otp-courier-brakes';

/**
 * The brakes against SMS pumping and toll fraud: the number's kind and country (no I/O), then velocity
 * limits and spend caps counted in DynamoDB. Counting overlaps the idempotency claim, so a normal
 * request pays no extra round trip; a duplicate's counts are taken back once the claim says so, which
 * is how a duplicate never counts twice. Refused requests are never sent.
 */
@injectable()
export class Brakes implements BrakeGate {
  /** Coarse guards counted per instance (settings.coarseFlushMs > 0); undefined: every count is a write. */
  private readonly coarse: CoarseCounters | undefined;

  constructor(
    @inject(TOKENS.RateCounterStore) private readonly counters: RateCounterStore,
    @inject(TOKENS.Fingerprinter) private readonly fingerprinter: Fingerprinter,
    @inject(TOKENS.Clock) private readonly clock: Clock,
    @inject(TOKENS.Logger) private readonly logger: Logger,
    @inject(TOKENS.BrakesSettings) private readonly settings: BrakesSettings,
  ) {
    const flushMs = settings.coarseFlushMs ?? 0;
    this.coarse = flushMs > 0 ? new CoarseCounters(counters, clock, flushMs) : undefined;
  }

  /** Starts at once: the pure rules now, the counters in flight. */
  begin(request: DeliveryRequest): BrakeCheck {
    return { result: this.check(request) };
  }

  /** The request will not be delivered by this call (a duplicate, or no claim): take its counts back. */
  async withdraw(check: BrakeCheck): Promise<void> {
    const { applied } = await check.result;
    await this.takeBack(applied);
  }

  /**
   * After a successful claim: undefined to go on and send, or the outcome to reply with. A refusal is
   * logged (masked phone, rule, counts) and its spend taken back before this returns.
   */
  async refusal(
    check: BrakeCheck,
    request: DeliveryRequest,
    receivedAt: number,
  ): Promise<DeliveryOutcome | undefined> {
    const { refusal, applied, counts } = await check.result;
    if (!refusal) return undefined;
    await this.takeBack(applied.filter((increment) => increment.onlyIfSent));
    this.logger.warn('otp refused by brakes', {
      eventId: request.eventId,
      idp: request.idp,
      purpose: request.purpose,
      channel: request.channel,
      to: maskPhone(request.phone),
      rule: refusal.rule,
      reply: refusal.reply,
      kind: refusal.kind,
      country: refusal.country,
      count: refusal.count,
      limit: refusal.limit,
      counts: counts(),
    });
    const durationMs = this.clock.now() - receivedAt;
    if (refusal.reply === 'absorb') {
      return {
        status: 'SUCCESSFUL',
        eventId: request.eventId,
        channel: request.channel,
        provider: ABSORBED_PROVIDER,
        transactionId: '',
        durationMs,
      };
    }
    return notSentOutcome(
      request,
      `refused.${refusal.rule.replace(/[^a-z0-9]+/gi, '.').replace(/\.+$/, '')}`,
      durationMs,
    );
  }

  private async check(request: DeliveryRequest): Promise<BrakeResult> {
    const { policy } = this.settings;
    try {
      const destination = destinationOf(request.phone);
      const screened = screenDestination(policy, request.channel, destination);
      if (screened) return { refusal: screened, applied: [], counts: NO_COUNTS };
      const planned = planCounters(policy, request, destination, this.clock.now());
      if (planned.length === 0) return { applied: [], counts: NO_COUNTS };
      return await this.count(planned, request.eventId);
    } catch (error) {
      // A bug in the brakes must not take delivery down with it: treat it as counters unavailable.
      return this.unavailable(error, request.eventId);
    }
  }

  private async count(planned: readonly PlannedCounter[], eventId: string): Promise<BrakeResult> {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new CounterTimeoutError());
      }, this.settings.counterTimeoutMs);
    });
    const work = (async () => {
      // One fingerprint per subject, however many of its counters share an item.
      const tokens = new Map<string, Promise<string>>();
      const increments = await Promise.all(planned.map((counter) => this.incrementFor(counter, tokens)));
      const { coarse } = this;
      if (!coarse) {
        const totals = await this.counters.increment(increments, { signal: controller.signal });
        return { increments, totals, coarse: planned.map(() => false) };
      }
      // Coarse guards go to this instance's counters (a write at most once per interval, in parallel
      // with the exact ones); per-subject counters are written as every request's.
      const isCoarse = planned.map(isCoarseGuard);
      const exact = increments.filter((_, i) => !isCoarse[i]);
      const local = increments.filter((_, i) => isCoarse[i]);
      const [exactTotals, localTotals] = await Promise.all([
        exact.length > 0 ? this.counters.increment(exact, { signal: controller.signal }) : [],
        local.length > 0 ? coarse.increment(local, { signal: controller.signal }) : [],
      ]);
      let e = 0;
      let l = 0;
      const totals = isCoarse.map((c) => (c ? localTotals[l++] : exactTotals[e++]) as number);
      return { increments, totals, coarse: isCoarse };
    })();
    try {
      const { increments, totals, coarse } = await Promise.race([work, timeout]);
      const refusal = judgeCounts(planned, totals);
      return {
        ...(refusal ? { refusal } : {}),
        applied: increments.map(({ key, field, amount, expiresAt }, i) => ({
          key,
          ...(field ? { field } : {}),
          amount,
          expiresAt,
          onlyIfSent: planned[i]?.onlyIfSent ?? false,
          coarse: coarse[i] ?? false,
        })),
        counts: () => describeCounts(planned, totals),
      };
    } catch (error) {
      // One call failed: end the others too (a coarse-guard write among them), so none outlives the request.
      controller.abort();
      return this.unavailable(error, eventId);
    } finally {
      clearTimeout(timer);
    }
  }

  private unavailable(error: unknown, eventId: string): BrakeResult {
    const failOpen = this.settings.onCounterFailure === 'open';
    this.logger.error('brake counters unavailable', {
      eventId,
      error: error instanceof Error ? error.name : 'unknown',
      failOpen,
    });
    if (failOpen) return { applied: [], counts: NO_COUNTS };
    return {
      refusal: {
        rule: 'counters-unavailable',
        reply: this.settings.policy.replies['counters-unavailable'],
      },
      applied: [],
      counts: NO_COUNTS,
    };
  }

  private async incrementFor(
    counter: PlannedCounter,
    tokens: Map<string, Promise<string>>,
  ): Promise<CounterIncrement> {
    let subject = counter.item.subject;
    if (counter.personal) {
      const id = `${counter.dimension}|${subject}`;
      let token = tokens.get(id);
      if (!token) {
        token = this.fingerprinter.fingerprint(['brake', counter.dimension, subject]);
        tokens.set(id, token);
      }
      subject = await token;
    }
    return {
      key: `${counter.item.name}#${subject}`,
      field: counter.field,
      amount: counter.amount,
      expiresAt: counter.item.expiresAt,
    };
  }

  /** Best effort: a take-back that fails leaves a counter one too high until its window closes. */
  private async takeBack(applied: readonly AppliedIncrement[]): Promise<void> {
    if (applied.length === 0) return;
    const increments = this.coarse ? applied.filter((increment) => !increment.coarse) : applied;
    if (this.coarse && increments.length < applied.length)
      this.coarse.decrement(applied.filter((increment) => increment.coarse));
    if (increments.length === 0) return;
    try {
      // Bounded like the counting itself: a slow table must not hold up the reply.
      await this.counters.decrement(increments, {
        signal: AbortSignal.timeout(this.settings.counterTimeoutMs),
      });
    } catch (error) {
      this.logger.warn('brake counters not taken back', {
        error: error instanceof Error ? error.name : 'unknown',
        counters: increments.length,
      });
    }
  }
}

class CounterTimeoutError extends Error {
  override readonly name = 'CounterTimeoutError';
}

function describeCounts(planned: readonly PlannedCounter[], totals: readonly number[]): string {
  return planned
    .flatMap((counter, i) =>
      counter.limits.slice(0, 1).map(({ rule }) => {
        const total = totals[i] ?? 0;
        return counter.onlyIfSent ? `${rule}=$${(total / MICRO_USD).toFixed(2)}` : `${rule}=${total}`;
      }),
    )
    .join(' ');
}
