import { inject, injectable, optional } from 'inversify';
import { DEAD_LETTER_VERSION, type DeadLetter, type SealedSecret } from '../domain/dead-letter';
import { Deadline } from '../domain/deadline';
import type { FailureCertainty } from '../domain/delivery-certainty';
import { type DeliveryOutcome, notSentOutcome } from '../domain/delivery-outcome';
import type { DeliveryRequest } from '../domain/delivery-request';
import { DeliveryError } from '../domain/errors';
import { normaliseLocale } from '../domain/locale';
import { maskPhone } from '../domain/mask';
import type { OutboundMessage } from '../domain/outbound-message';
import { describeTries, type ProviderTry } from '../domain/provider-try';
import { redactSecret } from '../domain/redact';
import type { Clock } from '../ports/clock';
import type { DeadLetterQueue } from '../ports/dead-letter-queue';
import type { Fingerprinter } from '../ports/fingerprinter';
import type { IdempotencyKeys, IdempotencyStore } from '../ports/idempotency-store';
import type { Logger } from '../ports/logger';
import type { MessageSender, SendReceipt } from '../ports/message-sender';
import type { SecretSealer } from '../ports/secret-sealer';
import { type BrakeGate, Brakes, NO_BRAKES } from './brakes';
import { DeadlineSignals, type ScheduledTask, untilAborted } from './deadline-signal';
import { DeliveryRun } from './delivery-run';
import type { DeliverySettings } from './delivery-settings';
import { type DeliveryTelemetry, NO_TELEMETRY } from './delivery-telemetry';
import { MessageComposer } from './message-composer';
import { sendUntilAborted } from './send-within-deadline';
import { TOKENS } from './tokens';

/** Why a request ended without a send, when the reason is ours rather than the provider's. */
type LocalFailure =
  | 'code-expired'
  | 'deadline-exceeded'
  | 'no-template'
  | 'idempotency-unavailable'
  | 'internal-error';

/** A failure as a dead letter records it, plus how many provider calls were made. */
interface Failure {
  readonly kind: string;
  readonly certainty: FailureCertainty;
  readonly message: string;
  readonly attempts?: number;
  /** The providers tried, in order, when a router sent it (empty when none was called). */
  readonly tries?: readonly ProviderTry[];
}

/**
 * Kept between cutting every call short and the reply deadline: time to write the log line and hand
 * the reply over. Calls are aborted at (reply deadline − margin), so the use case has answered before
 * the edge's safety net looks.
 */
export const REPLY_MARGIN_MS = 25;

// Abort reasons, built only when a signal fires (an Error's stack capture is not free).
const REQUEST_DEADLINE_REACHED = () => new Error('request deadline reached');
const NO_TIME_BEFORE_RESERVE = () => new Error('no time left before the failure-path reserve');
const RESERVE_SPENT = () => new Error('failure-path reserve spent');

interface Context {
  readonly request: DeliveryRequest;
  readonly run: DeliveryRun;
  /** Every signal of this request (each aborted when the edge gives up), on one timer. */
  readonly signals: DeadlineSignals;
  /**
   * Aborted when the steps up to the send must stop to leave the failure path its reserve: the
   * fingerprints, the claim, composing — and the send itself, whose deadline is the same instant.
   */
  readonly beforeSend: AbortSignal;
  /** Aborted at the cut-off (or when the edge gives up): recording and parking take it. */
  readonly signal: AbortSignal;
  readonly keys?: IdempotencyKeys;
  /** The code being sealed ahead of a failure, when the send runs late. */
  readonly sealAhead?: SealAhead;
}

/** Sealing started while a send is still running, so a failure at the deadline only has to park. */
interface SealAhead {
  /** The sealing under way, if it has started. */
  started(): Promise<SealedSecret> | undefined;
  /** Calls it off, and stops the sealing if it runs: nothing may be left running after the reply. */
  cancel(): void;
}

/** The task DeliverOtp schedules halfway to the send deadline (a class: no closures per request). */
class SealingAhead implements SealAhead, ScheduledTask {
  private sealing: Promise<SealedSecret> | undefined;
  private controller: AbortController | undefined;
  private cancelled = false;

  constructor(
    private readonly sealer: SecretSealer,
    private readonly request: DeliveryRequest,
    private readonly signals: DeadlineSignals,
  ) {}

  run(): void {
    if (this.cancelled) return;
    this.controller = new AbortController();
    const signal = AbortSignal.any([this.signals.untilAbort(), this.controller.signal]);
    this.sealing = untilAborted(
      this.sealer.seal(this.request.code, this.request.eventId, { signal }),
      signal,
    );
    // Awaited by the failure path, or abandoned when the send succeeds.
    this.sealing.catch(() => undefined);
  }

  started(): Promise<SealedSecret> | undefined {
    return this.sealing;
  }

  cancel(): void {
    this.cancelled = true;
    this.controller?.abort(new Error('sealing ahead no longer needed'));
  }
}

/**
 * Deliver one passcode: at most once per event and per (channel, phone, code), in the best language
 * available, within the IdP's deadline. Every claimed request ends either sent, or parked as a dead
 * letter with the code sealed and its delivery certainty — and the answer is returned only once that
 * end is durable (the letter parked, or the log line carrying the sealed code written), with no call
 * left running: Lambda freezes the environment as soon as the handler returns.
 *
 * Time: the send must end by (deadline − failure-path reserve), leaving the reserve for sealing and
 * parking; every other call is aborted at (reply deadline − REPLY_MARGIN_MS).
 */
@injectable()
export class DeliverOtp {
  constructor(
    @inject(MessageComposer) private readonly composer: MessageComposer,
    @inject(TOKENS.MessageSender) private readonly sender: MessageSender,
    @inject(TOKENS.IdempotencyStore) private readonly idempotency: IdempotencyStore,
    @inject(TOKENS.DeadLetterQueue) private readonly deadLetters: DeadLetterQueue,
    @inject(TOKENS.SecretSealer) private readonly sealer: SecretSealer,
    @inject(TOKENS.Fingerprinter) private readonly fingerprinter: Fingerprinter,
    @inject(TOKENS.Clock) private readonly clock: Clock,
    @inject(TOKENS.Logger) private readonly logger: Logger,
    @inject(TOKENS.DeliverySettings) private readonly settings: DeliverySettings,
    @inject(Brakes) @optional() private readonly brakes: BrakeGate = NO_BRAKES,
    @inject(TOKENS.DeliveryTelemetry)
    @optional()
    private readonly telemetry: DeliveryTelemetry = NO_TELEMETRY,
  ) {}

  /** Delivers and resolves with the reply; never rejects. */
  execute(request: DeliveryRequest, deadline: Deadline): Promise<DeliveryOutcome> {
    return this.start(request, deadline).settled;
  }

  /** Starts a delivery and returns its handle, for an edge that keeps a safety net of its own. */
  start(request: DeliveryRequest, deadline: Deadline): DeliveryRun {
    // A request that arrives too late to be sent (a stale API Gateway stamp) is still claimed, so replays
    // are deduplicated, and parked, within a bounded slot of its own: one reserve for each. Okta has long
    // stopped waiting for it, so its reply may leave after the deadline.
    const reserve = this.settings.failurePathReserveMs;
    const now = this.clock.now();
    const replyBy = deadline.earlier(reserve).passed(now)
      ? deadline.atLeast(now, 2 * reserve + REPLY_MARGIN_MS)
      : deadline;
    return new DeliveryRun(deadline, replyBy, replyBy.later(reserve), (run) => this.deliver(request, run));
  }

  private async deliver(request: DeliveryRequest, run: DeliveryRun): Promise<DeliveryOutcome> {
    const reserve = this.settings.failurePathReserveMs;
    const signals = new DeadlineSignals(this.clock);
    run.onAbort((reason) => signals.abort(reason));
    const cutoff = run.replyBy.earlier(REPLY_MARGIN_MS);
    // Normally the send deadline, leaving the reserve to the failure path; for a request too late to send,
    // the first half of its slot. Never after the cut-off.
    const late = run.replyBy.at > run.deadline.at;
    const claimBy = (
      late ? run.replyBy.earlier(reserve + REPLY_MARGIN_MS) : run.deadline.earlier(reserve)
    ).earliest(cutoff);
    const signal = signals.at(cutoff, REQUEST_DEADLINE_REACHED);
    const beforeSend = signals.at(claimBy, NO_TIME_BEFORE_RESERVE);
    try {
      return await this.claimAndSend({ request, run, signals, signal, beforeSend });
    } catch (error) {
      // Every step handles its own failures; reaching here is a bug, and the reply still has to leave.
      this.logger.error('delivery failed unexpectedly', {
        eventId: request.eventId,
        error: error instanceof Error ? error.name : typeof error,
      });
      return run.decide(notSentOutcome(request, 'internal-error', run.deadline.elapsed(this.clock.now())));
    } finally {
      signals.dispose();
    }
  }

  private async claimAndSend(context: Context): Promise<DeliveryOutcome> {
    const { run } = context;
    const sendBy = run.deadline.earlier(this.settings.failurePathReserveMs);
    // From here on, a request still unsent halfway to the send deadline — its claim or its send running
    // late — gets its code sealed ahead, so that its failure path only has to park.
    const sealAhead = this.sealAhead(context, sendBy);
    try {
      return await this.claimThenSend({ ...context, sealAhead }, sendBy);
    } finally {
      // Whatever way the request ended, no sealing (or its timer) outlives it.
      sealAhead.cancel();
    }
  }

  private async claimThenSend(
    base: Context & { sealAhead: SealAhead },
    sendBy: Deadline,
  ): Promise<DeliveryOutcome> {
    const { request, run, signals, signal, beforeSend, sealAhead } = base;
    // Brakes count beside the claim (no extra round trip); only a first claim keeps its counts.
    const brakes = this.brakes.begin(request);
    let keys: IdempotencyKeys;
    try {
      // One wait for both steps: the fingerprints, then the claim, all bounded by the same signal.
      let claim: Awaited<ReturnType<IdempotencyStore['claim']>>;
      ({ keys, claim } = await signals.until(this.keysAndClaim(request, beforeSend), beforeSend));
      if (!claim.claimed) {
        sealAhead.cancel();
        await this.brakes.withdraw(brakes);
        const replayed = run.decide(this.replay(request, run, claim.state, claim.outcome));
        this.telemetry.duplicate(request, replayed);
        return replayed;
      }
    } catch (error) {
      await this.brakes.withdraw(brakes);
      // Without a claim we cannot promise "at most once"; failing lets Okta use its own provider. This
      // request sent nothing, but without the claim it cannot know that no duplicate of it did: the
      // letter is uncertain, so redrive does not resend it on its own.
      const { message, attempts } = this.describe(error, request, 'idempotency-unavailable', 'uncertain');
      return this.fail(base, { kind: 'idempotency-unavailable', certainty: 'uncertain', message, attempts });
    }
    const ctx: Context = { ...base, keys };

    // After the claim, so that replays of an expired or stale event are answered from the record
    // instead of parking one letter each.
    const now = this.clock.now();
    if (request.expiresAt.getTime() < now - this.settings.expirySkewMs) {
      await this.brakes.withdraw(brakes);
      return this.fail(ctx, {
        kind: 'code-expired',
        certainty: 'not-sent',
        message: 'the passcode had expired on arrival',
      });
    }
    if (sendBy.passed(now)) {
      await this.brakes.withdraw(brakes);
      return this.fail(ctx, {
        kind: 'deadline-exceeded',
        certainty: 'not-sent',
        message: `reached the hook ${run.deadline.elapsed(now)} ms after API Gateway received it: no time left to send`,
      });
    }

    // Refused: never sent, not a dead letter (nothing to redrive); duplicates replay the same reply.
    const refused = await this.brakes.refusal(brakes, request, run.deadline.startedAt);
    if (refused) {
      const outcome = run.decide(refused);
      this.telemetry.notSent({ request, outcome, certainty: 'not-sent' });
      await this.record(ctx, 'failed', outcome);
      return outcome;
    }

    let message: OutboundMessage | undefined;
    try {
      message = await signals.until(this.composer.compose(request), beforeSend);
    } catch (error) {
      return this.fail(ctx, this.describe(error, request, 'internal-error', 'not-sent'));
    }
    if (!message) {
      return this.fail(ctx, {
        kind: 'no-template',
        certainty: 'not-sent',
        message: 'no template for this channel in any fallback locale',
      });
    }

    let outcome: DeliveryOutcome;
    let receipt: SendReceipt;
    try {
      // beforeSend fires at sendBy (a request too late to send never gets here) or earlier: at the cut-off
      // or when the edge gives up.
      receipt = await sendUntilAborted(this.sender, message, sendBy, this.clock, beforeSend);
      sealAhead.cancel();
      // Decided before anything else can go wrong: the provider accepted, so the reply says so.
      // Built field by field (no spread temporaries): this is every successful request's path.
      const sent: { -readonly [K in keyof DeliveryOutcome]: DeliveryOutcome[K] } = {
        status: receipt.status,
        eventId: request.eventId,
        channel: request.channel,
        provider: receipt.provider,
        transactionId: receipt.messageId,
        locale: message.locale,
        templateSource: message.templateSource,
        durationMs: 0,
      };
      if (receipt.tries) sent.tries = receipt.tries;
      sent.durationMs = run.deadline.elapsed(this.clock.now());
      outcome = run.decide(sent);
      // Added onto the fresh object logFields returns: no spread on every successful request's path.
      this.logger.info(
        'otp sent',
        Object.assign(this.logFields(request), {
          locale: message.locale,
          templateSource: message.templateSource,
          encoding: message.sms?.encoding,
          segments: message.sms?.segments,
          provider: receipt.provider,
          messageId: receipt.messageId,
          attempts: receipt.attempts,
          providers: receipt.tries ? describeTries(receipt.tries) : undefined,
          price: receipt.price ? `${receipt.price.amount} ${receipt.price.currency}` : undefined,
          durationMs: outcome.durationMs,
        }),
      );
    } catch (error) {
      // A foreign error from inside a sender says nothing of what it did on the wire.
      const failure = this.describe(error, request, 'internal-error', 'uncertain');
      return this.fail(ctx, failure, message);
    }
    // A slow or failed record cannot change the answer; aborted at the cut-off, the claim stays
    // "in progress" and duplicates get PENDING, never a second send. The ledger record (receipts,
    // conversion) is written alongside, within the same cut-off.
    await Promise.all([
      this.record(ctx, 'sent', outcome),
      this.telemetry.sent(
        { request, message, receipt, outcome, receivedAt: run.deadline.startedAt },
        { signal },
      ),
    ]);
    return outcome;
  }

  /**
   * Starts sealing the code halfway to the send deadline if the request is still unsent then (its claim or
   * its send running late): it may well be abandoned, and its failure path then only has to park, even
   * on an instance so starved that the reserve alone would not fit a seal. A prompt request never pays
   * for it (the timer is dropped), and a late one that succeeds cancels the sealing.
   */
  private sealAhead(ctx: Context, sendBy: Deadline): SealAhead {
    const { run } = ctx;
    const sealing = new SealingAhead(this.sealer, ctx.request, ctx.signals);
    // On the request's one timer: a prompt request pays for no timer, controller or abort reason here.
    ctx.signals.schedule(
      Deadline.after(run.deadline.startedAt, (sendBy.at - run.deadline.startedAt) / 2),
      sealing,
    );
    return sealing;
  }

  private async keysAndClaim(request: DeliveryRequest, signal: AbortSignal) {
    const [eventKey, codeKey] = await Promise.all([
      this.fingerprinter.fingerprint(['event', request.idp, request.eventId], { signal }),
      this.fingerprinter.fingerprint(['code', request.channel, request.phone, request.code], { signal }),
    ]);
    const keys: IdempotencyKeys = { eventKey, codeKey };
    const claim = await this.idempotency.claim(keys, request.expiresAt.getTime(), { signal });
    return { keys, claim };
  }

  private replay(
    request: DeliveryRequest,
    run: DeliveryRun,
    state: string,
    earlier?: DeliveryOutcome,
  ): DeliveryOutcome {
    this.logger.info('duplicate request: not sending again', { ...this.logFields(request), state });
    const durationMs = run.deadline.elapsed(this.clock.now());
    if (earlier) return { ...earlier, eventId: request.eventId, duplicate: true, durationMs };
    // Still in progress elsewhere (or its worker died mid-send): the code may be on its way, so
    // sending again risks two messages; PENDING tells the IdP it was handed over.
    return {
      status: 'PENDING',
      eventId: request.eventId,
      channel: request.channel,
      provider: 'otp-courier',
      transactionId: request.eventId,
      duplicate: true,
      durationMs,
    };
  }

  /**
   * Ends a request that was not (or not surely) sent: park the dead letter and record the state, then
   * reply FAILED. Both run in parallel within the cut-off; the reply waits for them, so it leaves only
   * once the letter is parked or, failing that, logged with its sealed code.
   */
  private async fail(base: Context, failure: Failure, message?: OutboundMessage): Promise<DeliveryOutcome> {
    const { run } = base;
    // The failure path has until the cut-off — or, if it could only start late, its whole reserve from
    // now, within the edge's last resort. Parking a letter outweighs a reply on the dot: a FAILED reply
    // and Okta timing out both make Okta send its own code.
    const now = this.clock.now();
    const bound = run.replyBy
      .earlier(REPLY_MARGIN_MS)
      .atLeast(now, this.settings.failurePathReserveMs)
      .earliest(run.lastResort.earlier(REPLY_MARGIN_MS));
    // Usually the cut-off's own signal (the same instant); its timer goes when the request ends.
    const signal = base.signals.at(bound, RESERVE_SPENT);
    const ctx: Context = { ...base, signal };
    try {
      return await this.endFailed(ctx, failure, message);
    } finally {
      base.sealAhead?.cancel();
    }
  }

  private async endFailed(
    ctx: Context,
    failure: Failure,
    message?: OutboundMessage,
  ): Promise<DeliveryOutcome> {
    const { request, run } = ctx;
    const outcome = run.decide({
      status: 'FAILED',
      eventId: request.eventId,
      channel: request.channel,
      provider: 'otp-courier',
      transactionId: '',
      failureReason: failure.kind,
      ...(message ? { locale: message.locale, templateSource: message.templateSource } : {}),
      ...(failure.tries?.length ? { tries: failure.tries } : {}),
      durationMs: run.deadline.elapsed(this.clock.now()),
    });
    this.logger.warn('otp not sent', {
      ...this.logFields(request),
      kind: failure.kind,
      certainty: failure.certainty,
      reason: failure.message,
      providers: failure.tries?.length ? describeTries(failure.tries) : undefined,
      durationMs: outcome.durationMs,
    });
    this.telemetry.notSent({
      request,
      outcome,
      certainty: failure.certainty,
      ...(message ? { message } : {}),
    });
    await Promise.all([
      this.park(ctx, failure, message),
      ctx.keys ? this.record(ctx, 'failed', outcome) : undefined,
    ]);
    return outcome;
  }

  /** A failed write here leaves the claim "in progress": duplicates then get PENDING, never a second send. */
  private async record(ctx: Context, state: 'sent' | 'failed', outcome: DeliveryOutcome): Promise<void> {
    if (!ctx.keys) return;
    try {
      await ctx.signals.until(
        this.idempotency.complete(ctx.keys, state, outcome, { signal: ctx.signal }),
        ctx.signal,
      );
    } catch (error) {
      this.logger.error('could not record delivery state', {
        eventId: outcome.eventId,
        state,
        error: (error as Error)?.name ?? 'Error',
        cutShort: ctx.signal.aborted,
      });
    }
  }

  private async park(ctx: Context, failure: Failure, message?: OutboundMessage): Promise<void> {
    const { request, run, signal } = ctx;
    const receivedAt = run.deadline.startedAt;
    try {
      const sealNow = () => this.sealer.seal(request.code, request.eventId, { signal });
      // Sealed ahead if the send ran late; sealed now if not, or if sealing ahead failed.
      const sealing = ctx.sealAhead?.started()?.catch(sealNow) ?? sealNow();
      const sealedCode = await ctx.signals.until(sealing, signal);
      run.sealedCode = sealedCode;
      const letter: DeadLetter = {
        version: DEAD_LETTER_VERSION,
        eventId: request.eventId,
        idp: request.idp,
        purpose: request.purpose,
        channel: request.channel,
        to: request.phone,
        locale: message?.locale ?? normaliseLocale(request.requestedLocale) ?? this.settings.defaultLocale,
        requestedLocale: request.requestedLocale,
        ...(request.firstName ? { firstName: request.firstName } : {}),
        expiresAt: request.expiresAt.getTime(),
        sealedCode,
        certainty: failure.certainty,
        error: { kind: failure.kind, message: failure.message },
        attempts: failure.attempts ?? 0,
        ...(failure.tries?.length ? { tries: failure.tries } : {}),
        receivedAt,
        failedAt: this.clock.now(),
      };
      await ctx.signals.until(this.deadLetters.park(letter, { signal }), signal);
      run.parked = true;
    } catch (error) {
      // Nothing vanishes: the log line carries every non-secret field, and the sealed code if we have it.
      const sealed = run.sealedCode;
      this.logger.error('dead letter could not be parked', {
        ...this.logFields(request),
        kind: failure.kind,
        certainty: failure.certainty,
        reason: failure.message,
        providers: failure.tries?.length ? describeTries(failure.tries) : undefined,
        expiresAt: request.expiresAt.toISOString(),
        receivedAt: new Date(receivedAt).toISOString(),
        parkError: (error as Error)?.name ?? 'Error',
        cutShort: signal.aborted,
        sealedScheme: sealed?.scheme,
        sealedKeyId: sealed?.keyId,
        sealedCode: sealed?.ciphertext,
      });
    }
  }

  private describe(
    error: unknown,
    request: DeliveryRequest,
    fallback: LocalFailure,
    certainty: FailureCertainty,
  ): Failure {
    if (error instanceof DeliveryError) {
      return {
        kind: error.kind,
        certainty: error.certainty,
        message: redactSecret(`${error.name}: ${error.message}`, request.code).slice(0, 500),
        attempts: error.attempts,
        tries: error.tries,
      };
    }
    // Foreign errors may quote their input; keep only the class name.
    const name = error instanceof Error ? error.name : typeof error;
    // Cut short to keep the failure path's reserve (untilAborted, or an adapter honouring the signal).
    const kind = name === 'AbortError' ? 'deadline-exceeded' : fallback;
    return { kind, certainty, message: redactSecret(name, request.code) };
  }

  private logFields(request: DeliveryRequest) {
    return {
      eventId: request.eventId,
      idp: request.idp,
      purpose: request.purpose,
      channel: request.channel,
      to: maskPhone(request.phone),
      requestedLocale: request.requestedLocale.slice(0, 35),
    };
  }
}
