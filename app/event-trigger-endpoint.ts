import { Deadline } from '../domain/deadline';
import { maskPhone } from '../domain/mask';
import type { Clock } from '../ports/clock';
import type { InboundIdp } from '../ports/inbound-idp';
import type { Logger } from '../ports/logger';
import { deadlineSignal } from './deadline-signal';
import type { DeliverOtp } from './deliver-otp';
import type { HookSettings } from './hook-settings';
import { settleWithinLastResort } from './reply-safety-net';

/** Thrown to the trigger's invoker when the event could not be read for a reason that may pass. */
export class TriggerRetryError extends Error {
  override readonly name = 'TriggerRetryError';
}

/**
 * The thin entry point of an IdP that invokes a function with an event instead of calling an HTTP route
 * (Cognito's custom SMS sender). It owns what the HTTP endpoint owns for HTTP IdPs: the arrival time and
 * the Deadline, the safety net, the log lines. Reading the event (decrypting its code) runs inside the
 * deadline too. When the event cannot be read for a reason that may pass (KMS unreachable), it throws: the
 * invoker's own retry (Lambda's, for an asynchronous invocation) is the right one, since nothing was
 * claimed, sent or parked. Anything else ends durably — sent, or parked — and returns.
 */
export class EventTriggerEndpoint<Reply> {
  constructor(
    private readonly deliverOtp: Pick<DeliverOtp, 'start'>,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly settings: HookSettings,
    private readonly idp: InboundIdp<unknown, Reply>,
  ) {}

  async handle(event: unknown): Promise<Reply> {
    const receivedAt = this.clock.now();
    const deadline = Deadline.after(receivedAt, this.settings.deadlineMs);
    const reading = deadlineSignal(deadline, this.clock, () => new Error('deadline reached while reading'));
    let decision: Awaited<ReturnType<InboundIdp<unknown, Reply>['read']>>;
    try {
      decision = await this.idp.read(event, {
        defaultPhoneRegion: this.settings.defaultPhoneRegion,
        receivedAt,
        signal: reading.signal,
      });
    } catch (error) {
      // Only names: an SDK error's text is not known to be free of what it handled.
      const name = error instanceof Error ? error.name : typeof error;
      const reason = error instanceof Error ? error.message.slice(0, 200) : undefined;
      this.logger.error('trigger event could not be read; the invoker retries it', {
        idp: this.idp.idp,
        error: name,
        reason,
      });
      throw new TriggerRetryError(`${this.idp.idp} event could not be read (${name})`);
    } finally {
      reading.dispose();
    }
    if (!decision.ok) {
      // Nobody reads a trigger's reply: a rejected event is an error for the operator, never retried
      // (the same event cannot read better the next time).
      this.logger.error('rejected trigger event', {
        idp: this.idp.idp,
        rejection: decision.rejection.kind,
        issues:
          decision.rejection.kind === 'invalid-request'
            ? decision.rejection.issues.join('; ').slice(0, 500)
            : undefined,
      });
      return this.idp.rejected(decision.rejection);
    }
    const request = decision.request;
    this.logger.debug('trigger event read', {
      idp: request.idp,
      eventId: request.eventId,
      purpose: request.purpose,
      channel: request.channel,
      to: maskPhone(request.phone),
    });
    const run = this.deliverOtp.start(request, deadline);
    const outcome = await settleWithinLastResort(run, request, this.clock, this.logger);
    return this.idp.reply(outcome);
  }
}
