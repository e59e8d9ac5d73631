import type { DeliveryOutcome } from '../../domain/delivery-outcome';
import type { InvalidRequestError } from '../../domain/errors';
import { OktaBodyTooLargeError } from './okta-hook-request';

export interface OktaTelephonyActionValue {
  status: 'SUCCESSFUL' | 'PENDING';
  provider: string;
  transactionId: string;
  transactionMetadata: string;
}

export interface OktaCommandsBody {
  commands: [{ type: 'com.okta.telephony.action'; value: OktaTelephonyActionValue[] }];
}

export interface OktaErrorCause {
  errorSummary: string;
  reason?: string;
}

export interface OktaErrorBody {
  error: { errorSummary: string; errorCauses: OktaErrorCause[] };
}

export type OktaReplyBody = OktaCommandsBody | OktaErrorBody;

// Okta shows errorSummary to the end user: fixed, short, language-neutral, never provider text.
export const DELIVERY_FAILED_SUMMARY = 'The verification code could not be delivered.';
export const INVALID_REQUEST_SUMMARY = 'Invalid telephony hook request.';
export const BODY_TOO_LARGE_SUMMARY = 'Telephony hook request body is too large.';

const MAX_CAUSES = 20;
const SAFE_REASON = /^[a-z0-9][a-z0-9_.-]{0,63}$/i;

/**
 * failureReason should already be a DeliveryFailureKind, but it is sent outside our trust boundary,
 * so anything that does not look like a short machine token (an exception message, say) is replaced.
 */
function safeReason(reason: string | undefined): string {
  return reason !== undefined && SAFE_REASON.test(reason) ? reason : 'unknown';
}

/** A value as the metadata may carry it: a safe alphabet, 40 characters at most. */
function clean(value: string): string {
  return value.replace(/[^A-Za-z0-9_.-]/g, '').slice(0, 40);
}

/** Okta keeps transactionMetadata for the admin's system log; keep it short and `;`-free per value. */
function metadataOf(outcome: DeliveryOutcome): string {
  const parts: string[] = [];
  if (outcome.locale) parts.push(`locale=${clean(outcome.locale)}`);
  if (outcome.templateSource) parts.push(`source=${clean(outcome.templateSource)}`);
  parts.push(`channel=${outcome.channel}`);
  // Which providers were tried, in order, and how each ended: "tried=aws-end-user-messaging.not-sent.throttled,twilio.sent".
  if (outcome.tries && outcome.tries.length > 0) {
    const tried = outcome.tries.map((t) =>
      [t.provider, t.outcome, t.reason]
        .filter(Boolean)
        .map((v) => clean(v as string))
        .join('.'),
    );
    parts.push(`tried=${tried.join(',')}`);
  }
  if (outcome.duplicate) parts.push('duplicate=true');
  parts.push(`ms=${Math.max(0, Math.round(outcome.durationMs))}`);
  return parts.join(';');
}

/** Okta treats any non-200 as "use your own provider", so delivery failures are 200 with an error object. */
export function oktaHookReply(outcome: DeliveryOutcome): { statusCode: 200; body: OktaReplyBody } {
  if (outcome.status === 'FAILED') {
    return {
      statusCode: 200,
      body: {
        error: {
          errorSummary: DELIVERY_FAILED_SUMMARY,
          errorCauses: [{ errorSummary: 'Delivery failed.', reason: safeReason(outcome.failureReason) }],
        },
      },
    };
  }
  return {
    statusCode: 200,
    body: {
      commands: [
        {
          type: 'com.okta.telephony.action',
          value: [
            {
              status: outcome.status,
              provider: outcome.provider,
              transactionId: outcome.transactionId,
              transactionMetadata: metadataOf(outcome),
            },
          ],
        },
      ],
    },
  };
}

/** 400 for a malformed request, 413 for an oversized one; the issues name fields and rules, never values. */
export function oktaBadRequestReply(error: InvalidRequestError | OktaBodyTooLargeError): {
  statusCode: 400 | 413;
  body: OktaErrorBody;
} {
  if (error instanceof OktaBodyTooLargeError) {
    return {
      statusCode: 413,
      body: {
        error: {
          errorSummary: BODY_TOO_LARGE_SUMMARY,
          errorCauses: [{ errorSummary: error.message, reason: 'body-too-large' }],
        },
      },
    };
  }
  const { issues } = error;
  return {
    statusCode: 400,
    body: {
      error: {
        errorSummary: INVALID_REQUEST_SUMMARY,
        errorCauses: issues
          .slice(0, MAX_CAUSES)
          .map((issue) => ({ errorSummary: issue, reason: 'invalid-request' })),
      },
    },
  };
}
