import type { DeliveryOutcome } from '../../domain/delivery-outcome';
import { InvalidRequestError } from '../../domain/errors';
import type {
  HttpInboundIdp,
  HttpReply,
  InboundContext,
  InboundDecision,
  InboundRejection,
} from '../../ports/inbound-idp';
import { oktaBadRequestReply, oktaHookReply } from './okta-hook-reply';
import { OktaBodyTooLargeError, parseOktaHookJson } from './okta-hook-request';

/**
 * Okta's telephony inline hook behind the generic HTTP hook endpoint: its JSON in, its reply out. Every
 * reply is what the Okta-specific handler answered before the edge was shared (the Okta tests prove it).
 */
export class OktaInbound implements HttpInboundIdp {
  readonly idp = 'okta';

  read(json: Readonly<Record<string, unknown>>, context: InboundContext): InboundDecision {
    try {
      return { ok: true, request: parseOktaHookJson(json, context.defaultPhoneRegion) };
    } catch (error) {
      if (error instanceof InvalidRequestError) {
        return { ok: false, rejection: { kind: 'invalid-request', issues: error.issues } };
      }
      throw error;
    }
  }

  reply(outcome: DeliveryOutcome): HttpReply {
    return oktaHookReply(outcome);
  }

  rejected(rejection: InboundRejection): HttpReply {
    return oktaBadRequestReply(
      rejection.kind === 'body-too-large'
        ? new OktaBodyTooLargeError(rejection.maxBytes)
        : new InvalidRequestError('invalid Okta telephony hook request', rejection.issues),
    );
  }
}
