import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { inject, injectable } from 'inversify';
import { oktaBadRequestReply, oktaHookReply } from '../adapters/okta/okta-hook-reply';
import { OktaBodyTooLargeError, parseOktaHookBody } from '../adapters/okta/okta-hook-request';
import { Deadline } from '../domain/deadline';
import type { DeliveryOutcome } from '../domain/delivery-outcome';
import type { DeliveryRequest } from '../domain/delivery-request';
import { InvalidRequestError } from '../domain/errors';
import { maskPhone } from '../domain/mask';
import type { Clock } from '../ports/clock';
import type { Logger } from '../ports/logger';
import { DeliverOtp } from './deliver-otp';
import type { DeliveryRun } from './delivery-run';
import type { HookSettings } from './hook-settings';
import { TOKENS } from './tokens';

const JSON_HEADERS = { 'content-type': 'application/json', 'cache-control': 'no-store' } as const;

/**
 * After the safety net aborts a delivery, how long the use case gets to finish on its own terms (its
 * calls reject at once when aborted; it then logs the letter it could not park, sealed code included).
 */
const SETTLE_AFTER_ABORT_MS = 20;

/**
 * The Okta telephony hook at the HTTP edge: body → DeliveryRequest → DeliverOtp → Okta reply.
 * The authorizer has already vetted the caller; this class decides HTTP shapes, the request's
 * deadline and the last-resort reply, and nothing else.
 */
@injectable()
export class TelephonyHookHandler {
  constructor(
    @inject(DeliverOtp) private readonly deliverOtp: DeliverOtp,
    @inject(TOKENS.Clock) private readonly clock: Clock,
    @inject(TOKENS.Logger) private readonly logger: Logger,
    @inject(TOKENS.HookSettings) private readonly settings: HookSettings,
  ) {}

  async handle(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
    const deadline = this.deadlineOf(event);
    let request: ReturnType<typeof parseOktaHookBody>;
    try {
      request = parseOktaHookBody(event.body, {
        isBase64Encoded: event.isBase64Encoded,
        defaultPhoneRegion: this.settings.defaultPhoneRegion,
        maxBytes: this.settings.maxBodyBytes,
      });
    } catch (error) {
      if (error instanceof InvalidRequestError || error instanceof OktaBodyTooLargeError) {
        this.logger.info('rejected hook request', {
          error: error.name,
          issues: error instanceof InvalidRequestError ? error.issues.join('; ').slice(0, 500) : undefined,
        });
        return this.json(oktaBadRequestReply(error));
      }
      throw error;
    }

    const outcome = await this.withSafetyNet(this.deliverOtp.start(request, deadline), request);
    return this.json(oktaHookReply(outcome));
  }

  /**
   * API Gateway stamps when it received the request; counting from there charges cold start and
   * queueing to the budget, which is what Okta's 3 s clock sees. However old the stamp, it stands: a
   * request that waited past its budget is answered FAILED without sending (Okta has given up on it and
   * sent the code itself). Only a stamp from the future — clocks a little apart — counts from now.
   */
  private deadlineOf(event: APIGatewayProxyEvent): Deadline {
    const now = this.clock.now();
    const stamped = event.requestContext?.requestTimeEpoch;
    const start = typeof stamped === 'number' && Number.isFinite(stamped) && stamped <= now ? stamped : now;
    return Deadline.after(start, this.settings.deadlineMs);
  }

  /**
   * Last line of defence, for a delivery that outlives its own bounds (an adapter ignoring its abort
   * signal). The use case aborts its calls before the reply deadline and answers first (a failure path
   * that could only start late gets one reserve more); if it has not by the run's last resort, the reply
   * says what is already known — SUCCESSFUL once the provider accepted, FAILED otherwise — never
   * contradicting it, and whatever still runs is aborted, since Lambda freezes it after the return anyway.
   */
  private async withSafetyNet(run: DeliveryRun, request: DeliveryRequest): Promise<DeliveryOutcome> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), run.lastResort.remaining(this.clock.now()));
    });
    const settled = run.settled.catch((error: unknown) => {
      this.logger.error('delivery failed unexpectedly', {
        eventId: request.eventId,
        error: error instanceof Error ? error.name : 'unknown',
      });
      return run.decide(this.failed(request, run, 'internal-error'));
    });
    const first = await Promise.race([settled, late]);
    clearTimeout(timer);
    if (first !== 'late') return first;

    run.abort(new Error('reply deadline reached'));
    const after = await Promise.race([settled, delay(SETTLE_AFTER_ABORT_MS)]);
    if (after) return after;
    const outcome = run.decide(this.failed(request, run, 'deadline-exceeded'));
    this.logger.error('deadline reached before delivery finished; replying with what is known', {
      eventId: request.eventId,
      idp: request.idp,
      purpose: request.purpose,
      channel: request.channel,
      to: maskPhone(request.phone),
      status: outcome.status,
      parked: run.parked,
      // The letter may never be parked: the sealed code goes into this line, as when parking fails.
      ...(run.parked || !run.sealedCode
        ? {}
        : {
            sealedScheme: run.sealedCode.scheme,
            sealedKeyId: run.sealedCode.keyId,
            sealedCode: run.sealedCode.ciphertext,
          }),
    });
    return outcome;
  }

  private failed(request: DeliveryRequest, run: DeliveryRun, reason: string): DeliveryOutcome {
    return {
      status: 'FAILED',
      eventId: request.eventId,
      channel: request.channel,
      provider: 'otp-courier',
      transactionId: '',
      failureReason: reason,
      durationMs: run.deadline.elapsed(this.clock.now()),
    };
  }

  private json(reply: { statusCode: number; body: unknown }): APIGatewayProxyResult {
    return { statusCode: reply.statusCode, headers: { ...JSON_HEADERS }, body: JSON.stringify(reply.body) };
  }
}

function delay(ms: number): Promise<undefined> {
  return new Promise((resolve) => setTimeout(() => resolve(undefined), ms));
}
