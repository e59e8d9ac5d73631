import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { inject, injectable } from 'inversify';
import { oktaBadRequestReply, oktaHookReply } from '../adapters/okta/okta-hook-reply';
import { OktaBodyTooLargeError, parseOktaHookBody } from '../adapters/okta/okta-hook-request';
import type { DeliveryOutcome } from '../domain/delivery-outcome';
import { InvalidRequestError } from '../domain/errors';
import type { Clock } from '../ports/clock';
import type { Logger } from '../ports/logger';
import { DeliverOtp } from './deliver-otp';
import type { HookSettings } from './hook-settings';
import { TOKENS } from './tokens';

const JSON_HEADERS = { 'content-type': 'application/json', 'cache-control': 'no-store' } as const;

/** API Gateway tolerates clocks a little apart; beyond that the request time is not trusted. */
const MAX_QUEUE_DELAY_MS = 10_000;

/**
 * The Okta telephony hook at the HTTP edge: body → DeliveryRequest → DeliverOtp → Okta reply.
 * The authorizer has already vetted the caller; this class decides HTTP shapes and nothing else.
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
    const receivedAt = this.arrivalTime(event);
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

    const outcome = await this.withinDeadline(
      this.deliverOtp.execute(request, receivedAt),
      request.eventId,
      request.channel,
      receivedAt,
    );
    return this.json(oktaHookReply(outcome));
  }

  /**
   * API Gateway stamps when it received the request; counting from there charges cold start and
   * queueing to the budget, which is what Okta's 3 s clock sees.
   */
  private arrivalTime(event: APIGatewayProxyEvent): number {
    const now = this.clock.now();
    const stamped = event.requestContext?.requestTimeEpoch;
    return typeof stamped === 'number' && stamped <= now && now - stamped < MAX_QUEUE_DELAY_MS
      ? stamped
      : now;
  }

  /**
   * Last line of defence: the use case aborts slow sends itself, but if anything else stalls the
   * reply still leaves by the deadline (as FAILED, so Okta falls back) and the work carries on.
   */
  private async withinDeadline(
    work: Promise<DeliveryOutcome>,
    eventId: string,
    channel: DeliveryOutcome['channel'],
    receivedAt: number,
  ): Promise<DeliveryOutcome> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<DeliveryOutcome>((resolve) => {
      timer = setTimeout(
        () => {
          this.logger.error('deadline reached before delivery finished; replying FAILED', { eventId });
          resolve({
            status: 'FAILED',
            eventId,
            channel,
            provider: 'otp-courier',
            transactionId: '',
            failureReason: 'deadline-exceeded',
            durationMs: this.clock.now() - receivedAt,
          });
        },
        Math.max(0, receivedAt + this.settings.deadlineMs - this.clock.now()),
      );
    });
    try {
      return await Promise.race([
        work.catch((error: unknown) => {
          this.logger.error('delivery failed unexpectedly', {
            eventId,
            error: error instanceof Error ? error.name : 'unknown',
          });
          return {
            status: 'FAILED',
            eventId,
            channel,
            provider: 'otp-courier',
            transactionId: '',
            failureReason: 'internal-error',
            durationMs: this.clock.now() - receivedAt,
          } satisfies DeliveryOutcome;
        }),
        late,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  private json(reply: { statusCode: number; body: unknown }): APIGatewayProxyResult {
    return { statusCode: reply.statusCode, headers: { ...JSON_HEADERS }, body: JSON.stringify(reply.body) };
  }
}
