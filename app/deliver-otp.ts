import { inject, injectable, optional } from 'inversify';
import type { DeadLetter } from '../domain/dead-letter';
import type { DeliveryOutcome } from '../domain/delivery-outcome';
import type { DeliveryRequest } from '../domain/delivery-request';
import { DeliveryError } from '../domain/errors';
import { normaliseLocale } from '../domain/locale';
import { maskPhone } from '../domain/mask';
import type { OutboundMessage } from '../domain/outbound-message';
import { redactSecret } from '../domain/redact';
import type { Clock } from '../ports/clock';
import type { DeadLetterQueue } from '../ports/dead-letter-queue';
import type { Fingerprinter } from '../ports/fingerprinter';
import type { IdempotencyKeys, IdempotencyStore } from '../ports/idempotency-store';
import type { Logger } from '../ports/logger';
import type { MessageSender } from '../ports/message-sender';
import type { SecretSealer } from '../ports/secret-sealer';
import { type BrakeGate, Brakes, NO_BRAKES } from './brakes';
import type { DeliverySettings } from './delivery-settings';
import { MessageComposer } from './message-composer';
import { sendWithinDeadline } from './send-within-deadline';
import { TOKENS } from './tokens';

/** Why a request ended without a send, when the reason is ours rather than the provider's. */
type LocalFailure = 'code-expired' | 'no-template' | 'idempotency-unavailable' | 'internal-error';

/** A failure as a dead letter records it, plus how many provider calls were made. */
type Failure = DeadLetter['error'] & { readonly attempts?: number };

/**
 * Deliver one passcode: at most once per event and per (channel, phone, code), in the best
 * language available, within the IdP's deadline. Every claimed request ends either sent or
 * parked as a dead letter with the code sealed.
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
  ) {}

  async execute(request: DeliveryRequest, receivedAt: number = this.clock.now()): Promise<DeliveryOutcome> {
    const deadline = receivedAt + this.settings.deadlineMs;
    const sendDeadline = deadline - this.settings.failurePathReserveMs;

    if (request.expiresAt.getTime() < this.clock.now() - this.settings.expirySkewMs) {
      return this.fail(
        { request, receivedAt, deadline },
        { kind: 'code-expired', retryable: false, message: 'the passcode had expired on arrival' },
      );
    }

    // Brakes count beside the claim (no extra round trip); only a first claim keeps its counts.
    const brakes = this.brakes.begin(request);
    let keys: IdempotencyKeys;
    try {
      keys = await this.idempotencyKeys(request);
      const claim = await this.idempotency.claim(keys, request.expiresAt.getTime());
      if (!claim.claimed) {
        await this.brakes.withdraw(brakes);
        return this.replay(request, receivedAt, claim.state, claim.outcome);
      }
    } catch (error) {
      await this.brakes.withdraw(brakes);
      // Without a claim we cannot promise "at most once"; failing lets Okta use its own provider.
      return this.fail(
        { request, receivedAt, deadline },
        this.describe(error, request, 'idempotency-unavailable'),
      );
    }

    // Refused: never sent, not a dead letter (nothing to redrive); duplicates replay the same reply.
    const refused = await this.brakes.refusal(brakes, request, receivedAt);
    if (refused) {
      await this.settleBy(deadline, request.eventId, this.record(keys, 'failed', refused));
      return refused;
    }

    let message: OutboundMessage | undefined;
    try {
      message = await this.composer.compose(request);
      if (!message) {
        return await this.fail(
          { request, receivedAt, deadline, keys },
          {
            kind: 'no-template',
            retryable: false,
            message: 'no template for this channel in any fallback locale',
          },
        );
      }
      const receipt = await sendWithinDeadline(this.sender, message, sendDeadline, this.clock);
      const outcome: DeliveryOutcome = {
        status: receipt.status,
        eventId: request.eventId,
        channel: request.channel,
        provider: receipt.provider,
        transactionId: receipt.messageId,
        locale: message.locale,
        templateSource: message.templateSource,
        durationMs: this.clock.now() - receivedAt,
      };
      this.logger.info('otp sent', {
        ...this.logFields(request),
        locale: message.locale,
        templateSource: message.templateSource,
        encoding: message.sms?.encoding,
        segments: message.sms?.segments,
        provider: receipt.provider,
        messageId: receipt.messageId,
        attempts: receipt.attempts,
        durationMs: outcome.durationMs,
      });
      await this.settleBy(deadline, request.eventId, this.record(keys, 'sent', outcome));
      return outcome;
    } catch (error) {
      const failure = this.describe(error, request, 'internal-error');
      return await this.fail({ request, receivedAt, deadline, keys }, failure, message);
    }
  }

  private async idempotencyKeys(request: DeliveryRequest): Promise<IdempotencyKeys> {
    const [eventKey, codeKey] = await Promise.all([
      this.fingerprinter.fingerprint(['event', request.idp, request.eventId]),
      this.fingerprinter.fingerprint(['code', request.channel, request.phone, request.code]),
    ]);
    return { eventKey, codeKey };
  }

  private replay(
    request: DeliveryRequest,
    receivedAt: number,
    state: string,
    earlier?: DeliveryOutcome,
  ): DeliveryOutcome {
    this.logger.info('duplicate request: not sending again', { ...this.logFields(request), state });
    const durationMs = this.clock.now() - receivedAt;
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
   * Ends a request that was not sent: reply FAILED, park the dead letter and record the state. The
   * bookkeeping runs in parallel and is waited for only until the deadline, so a slow queue or table
   * cannot make the reply late; whatever still runs then finishes (or logs its failure) on its own.
   */
  private async fail(
    ctx: { request: DeliveryRequest; receivedAt: number; deadline: number; keys?: IdempotencyKeys },
    failure: Failure,
    message?: OutboundMessage,
  ): Promise<DeliveryOutcome> {
    const { request, receivedAt } = ctx;
    const outcome: DeliveryOutcome = {
      status: 'FAILED',
      eventId: request.eventId,
      channel: request.channel,
      provider: 'otp-courier',
      transactionId: '',
      failureReason: failure.kind,
      ...(message ? { locale: message.locale, templateSource: message.templateSource } : {}),
      durationMs: this.clock.now() - receivedAt,
    };
    this.logger.warn('otp not sent', {
      ...this.logFields(request),
      kind: failure.kind,
      retryable: failure.retryable,
      reason: failure.message,
      durationMs: outcome.durationMs,
    });
    await this.settleBy(
      ctx.deadline,
      request.eventId,
      this.park(request, receivedAt, failure, message),
      ctx.keys ? this.record(ctx.keys, 'failed', outcome) : Promise.resolve(),
    );
    return outcome;
  }

  /** Waits for bookkeeping that never rejects (each step logs its own failure), but not past the deadline. */
  private async settleBy(deadline: number, eventId: string, ...work: Promise<void>[]): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), Math.max(0, deadline - this.clock.now()));
    });
    const result = await Promise.race([Promise.all(work).then(() => 'done' as const), late]);
    clearTimeout(timer);
    if (result === 'late')
      this.logger.warn('bookkeeping still running at the deadline; replying now', { eventId });
  }

  /** A failed write here leaves the claim "in progress": duplicates then get PENDING, never a second send. */
  private async record(
    keys: IdempotencyKeys,
    state: 'sent' | 'failed',
    outcome: DeliveryOutcome,
  ): Promise<void> {
    try {
      await this.idempotency.complete(keys, state, outcome);
    } catch (error) {
      this.logger.error('could not record delivery state', {
        eventId: outcome.eventId,
        state,
        error: (error as Error)?.name ?? 'Error',
      });
    }
  }

  private async park(
    request: DeliveryRequest,
    receivedAt: number,
    failure: Failure,
    message?: OutboundMessage,
  ): Promise<void> {
    const fields = {
      ...this.logFields(request),
      kind: failure.kind,
      reason: failure.message,
      expiresAt: request.expiresAt.toISOString(),
      receivedAt: new Date(receivedAt).toISOString(),
    };
    let sealedCode: DeadLetter['sealedCode'] | undefined;
    try {
      sealedCode = await this.sealer.seal(request.code, request.eventId);
      const attempts = failure.attempts ?? 0;
      const letter: DeadLetter = {
        version: 1,
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
        error: { kind: failure.kind, retryable: failure.retryable, message: failure.message },
        attempts,
        receivedAt,
        failedAt: this.clock.now(),
      };
      await this.deadLetters.park(letter);
    } catch (error) {
      // Nothing vanishes: the log line carries every non-secret field, and the sealed code if we have it.
      this.logger.error('dead letter could not be parked', {
        ...fields,
        parkError: (error as Error)?.name ?? 'Error',
        sealedScheme: sealedCode?.scheme,
        sealedKeyId: sealedCode?.keyId,
        sealedCode: sealedCode?.ciphertext,
      });
    }
  }

  private describe(error: unknown, request: DeliveryRequest, fallback: LocalFailure): Failure {
    if (error instanceof DeliveryError) {
      return {
        kind: error.kind,
        retryable: error.retryable,
        message: redactSecret(`${error.name}: ${error.message}`, request.code).slice(0, 500),
        attempts: error.attempts,
      };
    }
    // Foreign errors may quote their input; keep only the class name.
    const name = error instanceof Error ? error.name : typeof error;
    return { kind: fallback, retryable: false, message: redactSecret(name, request.code) };
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
