import * as v from 'valibot';
import type { DeliveryOutcome } from '../../domain/delivery-outcome';
import type { DeliveryRequest } from '../../domain/delivery-request';
import { toE164 } from '../../domain/phone-number';
import type { Fingerprinter } from '../../ports/fingerprinter';
import type {
  HttpInboundIdp,
  HttpReply,
  InboundContext,
  InboundDecision,
  InboundRejection,
} from '../../ports/inbound-idp';
import {
  type Auth0PhoneMessage,
  auth0PhoneMessageSchema,
  DELIVERY_METHOD_CHANNELS,
  describeIssue,
  MAX_LOCALE_LENGTH,
  MESSAGE_TYPE_PURPOSES,
  UNKNOWN_MESSAGE_TYPE_PURPOSE,
} from './auth0-phone-message';
import { auth0Rejection, auth0Reply } from './auth0-reply';

export interface Auth0InboundSettings {
  /**
   * How long an Auth0 code lives. The event carries no expiry; Auth0's phone OTPs are short-lived (the
   * tenant's MFA phone settings say how long): the expiry bounds the SMS's time to live and how long a
   * duplicate is remembered.
   */
  readonly codeValidityMinutes: number;
}

export const DEFAULT_AUTH0_CODE_VALIDITY_MINUTES = 5;

/**
 * Auth0's custom phone provider behind the generic HTTP hook endpoint: the Action's JSON in, a
 * DeliveryRequest out, and the outcome back as the reply the Action maps onto Auth0's expectations.
 *
 * The event id is derived (Auth0 sends none): a keyed fingerprint of what makes one notification — the
 * tenant, the message type, the channel, the number (E.164) and the code — through the deployment's
 * Fingerprinter (HMAC under a KMS-derived key on AWS). Auth0 repeating a notification (api.notification.
 * retry, or the Action called again after a timeout) yields the same id, so it is never sent twice; a
 * resend carries a new code and gets a new id. Being keyed, the id says nothing about the code and may
 * be logged and stored in dead letters.
 */
export class Auth0Inbound implements HttpInboundIdp {
  readonly idp = 'auth0';

  constructor(
    private readonly fingerprinter: Fingerprinter,
    private readonly settings: Auth0InboundSettings = {
      codeValidityMinutes: DEFAULT_AUTH0_CODE_VALIDITY_MINUTES,
    },
  ) {}

  async read(json: Readonly<Record<string, unknown>>, context: InboundContext): Promise<InboundDecision> {
    const parsed = v.safeParse(auth0PhoneMessageSchema, json, { abortPipeEarly: true });
    if (!parsed.success) return reject(parsed.issues.slice(0, 20).map(describeIssue));
    const message = parsed.output;
    const notification = message.notification;

    const phone = toE164(notification.recipient, context.defaultPhoneRegion);
    if (phone === undefined) return reject(['notification.recipient: must be a valid phone number']);
    const code = notification.code;
    if (code === undefined || code === null) {
      return reject([
        `notification.code: is required (otp-courier delivers passcodes; ${notification.message_type} carries none)`,
      ]);
    }
    const channel = DELIVERY_METHOD_CHANNELS[notification.delivery_method] ?? 'sms';
    const purpose = MESSAGE_TYPE_PURPOSES[notification.message_type] ?? UNKNOWN_MESSAGE_TYPE_PURPOSE;
    const tenant = message.tenant?.id ?? '';

    const fingerprint = await this.fingerprinter.fingerprint(
      ['auth0-notification', tenant, notification.message_type, channel, phone, code],
      context.signal ? { signal: context.signal } : {},
    );
    const firstName = message.user?.given_name?.trim();
    const asText = notification.as_text ?? undefined;
    const userId = shortText(message.user?.user_id, 128);
    const clientIp = shortText(message.request?.ip, 64);
    const request: DeliveryRequest = {
      eventId: `auth0-${fingerprint.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 32)}`,
      idp: this.idp,
      purpose,
      channel,
      phone,
      code,
      expiresAt: new Date(context.receivedAt + this.settings.codeValidityMinutes * 60_000),
      requestedLocale: localeOf(message),
      ...(firstName ? { firstName: firstName.slice(0, 100) } : {}),
      // Auth0's own rendered text is the last resort for SMS, as Okta's msgTemplate is: our templates
      // come first whenever one matches the locale. Its voice text spells the code out ("1. 2. 3."),
      // so voice always uses our voice templates.
      ...(channel === 'sms' && asText ? { idpMessage: asText } : {}),
      // The brakes' per-user and per-IP limits (SMS pumping): Auth0 gives both.
      ...(userId ? { userId } : {}),
      ...(clientIp ? { clientIp } : {}),
    };
    return { ok: true, request };
  }

  reply(outcome: DeliveryOutcome): HttpReply {
    return auth0Reply(outcome);
  }

  rejected(rejection: InboundRejection): HttpReply {
    return auth0Rejection(rejection);
  }
}

/**
 * The user's own preference first (user_metadata.locale, as the Action sends it), then the locale Auth0
 * rendered its message in, then the browser's language; the domain normalises whichever it is
 * ("en_US", "fr-CA,fr;q=0.9").
 */
function localeOf(message: Auth0PhoneMessage): string {
  const candidates = [message.user?.locale, message.notification.locale, message.request?.language];
  const chosen = candidates.map((c) => (c ?? '').trim()).find((c) => c.length > 0) ?? '';
  return chosen.slice(0, MAX_LOCALE_LENGTH);
}

/** A trimmed string of at most `max` characters, or nothing: brakes inputs never refuse a request. */
function shortText(value: unknown, max: number): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed.length > 0 && trimmed.length <= max ? trimmed : undefined;
}

function reject(issues: readonly string[]): InboundDecision {
  return { ok: false, rejection: { kind: 'invalid-request', issues } };
}
