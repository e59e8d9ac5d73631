import * as v from 'valibot';
import type { Channel, Purpose } from '../../domain/delivery-request';
import { MAX_PHONE_LENGTH } from '../../domain/phone-number';

/**
 * What the shipped Action (action/otp-courier-phone-provider.cjs) posts to `POST /auth0/phone-message`:
 * the parts of Auth0's custom-phone-provider event otp-courier reads, in Auth0's own field names
 * ("Actions Triggers: custom-phone-provider - Event Object"):
 *
 *   { notification: { recipient, code?, delivery_method: "text" | "voice", message_type, locale?, as_text? },
 *     tenant: { id? }, user: { user_id?, given_name?, locale? }, request: { ip?, language? } }
 *
 * `user.locale` is the Action's pick of `event.user.user_metadata.locale` or `event.user.locale`.
 * Auth0 sends no event id and no expiry: see auth0-inbound.ts for how both are derived.
 */

/**
 * Auth0's notification types (Management API PhoneTemplateNotificationTypeEnum) and what each is for
 * here. Only types that carry a `code` are delivered; a type Auth0 adds later is read as a verification
 * code when it carries one, rather than leaving a user without it.
 */
export const MESSAGE_TYPE_PURPOSES: Readonly<Record<string, Purpose>> = {
  otp_verify: 'verification',
  otp_enroll: 'enrollment',
  change_password: 'password-reset',
  // Not in Auth0's enum, but named so in its prose: the same purpose as change_password.
  password_reset: 'password-reset',
  password_breach: 'password-reset',
  blocked_account: 'account-unlock',
};
export const UNKNOWN_MESSAGE_TYPE_PURPOSE: Purpose = 'verification';

export const DELIVERY_METHOD_CHANNELS: Readonly<Record<string, Channel>> = { text: 'sms', voice: 'voice' };

export const MAX_LOCALE_LENGTH = 35;
const MAX_IDP_MESSAGE_LENGTH = 2048;

// Every message below names the rule only: issues travel into logs and replies, so they never echo a value.
const optionalText = (max: number) =>
  v.nullish(v.pipe(v.string(), v.maxLength(max, `must be at most ${max} characters`)));

export const auth0PhoneMessageSchema = v.object({
  notification: v.object({
    recipient: v.pipe(
      v.string(),
      v.minLength(1, 'must not be empty'),
      v.maxLength(MAX_PHONE_LENGTH, `must be at most ${MAX_PHONE_LENGTH} characters`),
    ),
    // Absent for the types that carry no passcode (blocked_account, password_breach): those are refused.
    code: v.nullish(v.pipe(v.string(), v.regex(/^[0-9]{4,10}$/, 'must be 4 to 10 digits'))),
    delivery_method: v.picklist(['text', 'voice'], 'must be text or voice'),
    message_type: v.pipe(
      v.string(),
      v.regex(/^[a-z][a-z0-9_]{0,63}$/, 'must be an Auth0 message type such as otp_verify'),
    ),
    locale: optionalText(MAX_LOCALE_LENGTH * 4),
    as_text: optionalText(MAX_IDP_MESSAGE_LENGTH),
  }),
  tenant: v.nullish(
    v.object({
      id: v.nullish(v.pipe(v.string(), v.regex(/^[A-Za-z0-9._-]{1,128}$/, 'must be a tenant name'))),
    }),
  ),
  user: v.nullish(
    v.object({
      // For the brakes only: an odd value drops the per-user limit rather than refusing the request.
      user_id: v.nullish(v.unknown()),
      given_name: optionalText(256),
      locale: optionalText(MAX_LOCALE_LENGTH * 4),
    }),
  ),
  request: v.nullish(
    v.object({
      // For the brakes only, as user_id.
      ip: v.nullish(v.unknown()),
      language: optionalText(MAX_LOCALE_LENGTH * 8),
    }),
  ),
});

export type Auth0PhoneMessage = v.InferOutput<typeof auth0PhoneMessageSchema>;

/** Builds "path: rule" from an issue without ever reading `received`/`input` (they hold the value). */
export function describeIssue(issue: v.BaseIssue<unknown>): string {
  const path = v.getDotPath(issue) ?? 'body';
  if (issue.kind === 'schema') {
    if (issue.received === 'undefined') return `${path}: is required`;
    if (issue.type === 'picklist') return `${path}: ${issue.message}`;
    return `${path}: must be of type ${(issue.expected ?? 'unknown').toLowerCase()}`;
  }
  return `${path}: ${issue.message}`;
}
