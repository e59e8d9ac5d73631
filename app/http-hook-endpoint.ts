import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { Deadline } from '../domain/deadline';
import { InvalidRequestError } from '../domain/errors';
import { BodyTooLargeError, decodeRequestBody, parseJsonObject } from '../domain/request-body';
import type { Clock } from '../ports/clock';
import type { HttpInboundIdp, HttpReply, InboundRejection } from '../ports/inbound-idp';
import type { Logger } from '../ports/logger';
import { lazyDeadlineSignal } from './deadline-signal';
import type { DeliverOtp } from './deliver-otp';
import type { HookSettings } from './hook-settings';
import { JSON_HEADERS } from './proxy-responses';
import { settleWithinLastResort } from './reply-safety-net';

// Built only when the reader's deadline fires (one function for every request, not one each).
const READING_DEADLINE_REACHED = () => new Error('deadline reached while reading');

/**
 * The one HTTP edge every IdP that calls us over HTTP goes through (Okta's telephony hook, Auth0's phone
 * provider, …): it owns what they share — body decoding and size limit, the arrival time and the
 * request's Deadline, the safety net, the log line of a rejection — and leaves the IdP's JSON and reply
 * shapes to its adapter (ports/inbound-idp.ts). The authorizer has already vetted the caller.
 */
export class HttpHookEndpoint {
  constructor(
    private readonly deliverOtp: Pick<DeliverOtp, 'start'>,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly settings: HookSettings,
    private readonly idp: HttpInboundIdp,
  ) {}

  async handle(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
    const deadline = this.deadlineOf(event);
    let json: Record<string, unknown>;
    try {
      json = parseJsonObject(
        decodeRequestBody(event.body, {
          isBase64Encoded: event.isBase64Encoded,
          maxBytes: this.settings.maxBodyBytes,
        }),
      );
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        return this.reject({ kind: 'body-too-large', maxBytes: error.maxBytes });
      }
      if (error instanceof InvalidRequestError) {
        return this.reject({ kind: 'invalid-request', issues: error.issues });
      }
      throw error;
    }
    // An adapter that calls out while reading (Auth0's derives its event id through the Fingerprinter,
    // a KMS-derived key on AWS) stops at the request's deadline; one that never asks for the signal
    // (Okta's) pays for no timer.
    const reading = lazyDeadlineSignal(deadline, this.clock, READING_DEADLINE_REACHED);
    let decision: Awaited<ReturnType<HttpInboundIdp['read']>>;
    try {
      decision = await this.idp.read(json, {
        defaultPhoneRegion: this.settings.defaultPhoneRegion,
        receivedAt: deadline.startedAt,
        get signal() {
          return reading.signal;
        },
      });
    } finally {
      reading.dispose();
    }
    if (!decision.ok) return this.reject(decision.rejection);

    const run = this.deliverOtp.start(decision.request, deadline);
    const outcome = await settleWithinLastResort(run, decision.request, this.clock, this.logger);
    return this.json(this.idp.reply(outcome));
  }

  /**
   * API Gateway stamps when it received the request; counting from there charges cold start and
   * queueing to the budget, which is what the IdP's clock sees (Okta's 3 s). However old the stamp, it
   * stands: a request that waited past its budget is answered FAILED without sending (the IdP has given
   * up on it). Only a stamp from the future — clocks a little apart — counts from now.
   */
  private deadlineOf(event: APIGatewayProxyEvent): Deadline {
    const now = this.clock.now();
    const stamped = event.requestContext?.requestTimeEpoch;
    const start = typeof stamped === 'number' && Number.isFinite(stamped) && stamped <= now ? stamped : now;
    return Deadline.after(start, this.settings.deadlineMs);
  }

  private reject(rejection: InboundRejection): APIGatewayProxyResult {
    this.logger.info('rejected hook request', {
      idp: this.idp.idp,
      rejection: rejection.kind,
      issues: rejection.kind === 'invalid-request' ? rejection.issues.join('; ').slice(0, 500) : undefined,
    });
    return this.json(this.idp.rejected(rejection));
  }

  private json(reply: HttpReply): APIGatewayProxyResult {
    return { statusCode: reply.statusCode, headers: { ...JSON_HEADERS }, body: JSON.stringify(reply.body) };
  }
}
