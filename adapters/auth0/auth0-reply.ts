import type { DeliveryOutcome } from '../../domain/delivery-outcome';
import type { HttpReply, InboundRejection } from '../../ports/inbound-idp';

/**
 * What `POST /auth0/phone-message` answers the Action. HTTP 200 for every delivery that was decided,
 * whatever its end: SENT (the provider accepted it), PENDING (handed over: sent without confirmation,
 * or a duplicate of a delivery still running) or FAILED (not delivered; the dead letter is parked and
 * redrive owns any second attempt, so the Action tells Auth0 not to retry). 4xx for a request that
 * cannot be delivered at all. Nothing here ever holds the code or the number.
 */
export interface Auth0PhoneMessageReply {
  readonly status: 'SENT' | 'PENDING' | 'FAILED' | 'REJECTED';
  readonly eventId?: string;
  readonly provider?: string;
  readonly transactionId?: string;
  /** A machine token: the failure kind, or the rejection's. */
  readonly reason?: string;
  /** Rule-only descriptions of what was wrong with the request ("notification.code: must be 4 to 10 digits"). */
  readonly issues?: readonly string[];
  readonly duplicate?: boolean;
}

const SAFE_REASON = /^[a-z0-9][a-z0-9_.-]{0,63}$/i;
const MAX_ISSUES = 20;

export function auth0Reply(outcome: DeliveryOutcome): HttpReply {
  const status = outcome.status === 'SUCCESSFUL' ? 'SENT' : outcome.status;
  const body: Auth0PhoneMessageReply = {
    status,
    eventId: outcome.eventId,
    provider: outcome.provider,
    ...(status !== 'FAILED' && outcome.transactionId ? { transactionId: outcome.transactionId } : {}),
    ...(status === 'FAILED'
      ? {
          reason:
            outcome.failureReason && SAFE_REASON.test(outcome.failureReason)
              ? outcome.failureReason
              : 'unknown',
        }
      : {}),
    ...(outcome.duplicate ? { duplicate: true } : {}),
  };
  return { statusCode: 200, body };
}

export function auth0Rejection(rejection: InboundRejection): HttpReply {
  if (rejection.kind === 'body-too-large') {
    return {
      statusCode: 413,
      body: { status: 'REJECTED', reason: 'body-too-large' } satisfies Auth0PhoneMessageReply,
    };
  }
  return {
    statusCode: 400,
    body: {
      status: 'REJECTED',
      reason: 'invalid-request',
      issues: rejection.issues.slice(0, MAX_ISSUES).map((issue) => issue.slice(0, 200)),
    } satisfies Auth0PhoneMessageReply,
  };
}
