import * as v from 'valibot';
import type { Channel } from '../../domain/delivery-request';
import { InvalidRequestError } from '../../domain/errors';
import type { PhoneVerification } from '../../domain/phone-verification';

/**
 * Okta event hooks: Okta POSTs `{eventType: "com.okta.event_hook", data: {events: LogEvent[]}}` (System
 * Log LogEvent objects, several per request, at least once, maybe out of order) after a one-time GET
 * verification. This file reads the two event types that say a user proved they hold a phone factor;
 * both are tagged `event-hook-eligible` in Okta's event type catalogue:
 *
 * - `user.authentication.auth_via_mfa` (sign-in, and in Identity Engine recovery too): the factor is in
 *   the AuthenticatorEnrollment target's `detailEntry.methodTypeUsed` (Identity Engine: SMS, VOICE) or in
 *   `debugContext.debugData.factor` (Classic: SMS_FACTOR, CALL_FACTOR);
 * - `user.mfa.factor.activate` (enrollment): `detailEntry.methodType` of the same target.
 *
 * Only outcome SUCCESS counts. Anything else (other event types, other factors) is ignored, not an error:
 * an operator may subscribe the hook to more events than these.
 */
export const PHONE_VERIFICATION_EVENT_TYPES = [
  'user.authentication.auth_via_mfa',
  'user.mfa.factor.activate',
] as const;

const MAX_EVENTS = 500;

const nullishString = v.nullish(v.string());
const target = v.object({
  id: nullishString,
  type: nullishString,
  displayName: nullishString,
  detailEntry: v.nullish(v.record(v.string(), v.unknown())),
});
const logEvent = v.object({
  uuid: nullishString,
  published: nullishString,
  eventType: nullishString,
  outcome: v.nullish(v.object({ result: nullishString })),
  actor: v.nullish(v.object({ id: nullishString, type: nullishString })),
  target: v.nullish(v.array(target)),
  debugContext: v.nullish(v.object({ debugData: v.nullish(v.record(v.string(), v.unknown())) })),
});
const hookBody = v.object({
  eventType: v.literal('com.okta.event_hook'),
  data: v.object({ events: v.pipe(v.array(v.unknown()), v.maxLength(MAX_EVENTS)) }),
});

type LogEvent = v.InferOutput<typeof logEvent>;

export interface OktaEventHookBatch {
  readonly verifications: readonly PhoneVerification[];
  /** Events of other types or outcomes, or for factors that are not a phone. */
  readonly ignored: number;
  /** Events whose shape could not be read; counted, never quoted. */
  readonly unreadable: number;
}

/** Parses an event hook POST body. Throws InvalidRequestError (400) when it is not an event hook call. */
export function parseOktaEventHookBody(raw: string | undefined | null): OktaEventHookBatch {
  if (typeof raw !== 'string' || raw.length === 0) throw new InvalidRequestError('body is required');
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new InvalidRequestError('body must be valid JSON');
  }
  const body = v.safeParse(hookBody, json);
  if (!body.success) {
    const fields = [...new Set(body.issues.map((issue) => v.getDotPath(issue) ?? 'body'))];
    throw new InvalidRequestError('not an Okta event hook call', fields);
  }
  const verifications: PhoneVerification[] = [];
  let ignored = 0;
  let unreadable = 0;
  for (const item of body.output.data.events) {
    const parsed = v.safeParse(logEvent, item);
    if (!parsed.success) {
      unreadable += 1;
      continue;
    }
    const verification = phoneVerificationOf(parsed.output);
    if (verification) verifications.push(verification);
    else ignored += 1;
  }
  return { verifications, ignored, unreadable };
}

function phoneVerificationOf(event: LogEvent): PhoneVerification | undefined {
  if (!(PHONE_VERIFICATION_EVENT_TYPES as readonly string[]).includes(event.eventType ?? ''))
    return undefined;
  if (event.outcome?.result !== 'SUCCESS') return undefined;
  const factor = phoneFactorOf(event);
  if (factor === undefined) return undefined;
  const userId = userIdOf(event);
  const at = Date.parse(event.published ?? '');
  if (userId === undefined || !Number.isFinite(at)) return undefined;
  return {
    idp: 'okta',
    reportId: (event.uuid ?? '').slice(0, 64),
    userId,
    ...(factor === 'phone' ? {} : { channel: factor }),
    at,
  };
}

/** sms / voice; "phone" when the event names a phone factor without saying which method; else undefined. */
function phoneFactorOf(event: LogEvent): Channel | 'phone' | undefined {
  for (const t of event.target ?? []) {
    if (t.type !== 'AuthenticatorEnrollment') continue;
    const detail = t.detailEntry ?? {};
    const method = detail.methodTypeUsed ?? detail.methodType;
    if (typeof method === 'string') {
      const channel = channelOfMethod(method);
      if (channel) return channel;
      return undefined;
    }
    if (/^phone$/i.test(t.displayName ?? '')) return 'phone';
  }
  const factor = event.debugContext?.debugData?.factor;
  if (typeof factor === 'string') return channelOfMethod(factor);
  return undefined;
}

function channelOfMethod(method: string): Channel | undefined {
  if (/\bSMS/i.test(method)) return 'sms';
  if (/VOICE|CALL/i.test(method)) return 'voice';
  return undefined;
}

const OKTA_ID = /^[A-Za-z0-9_-]{1,64}$/;

function userIdOf(event: LogEvent): string | undefined {
  const user = (event.target ?? []).find((t) => t.type === 'User')?.id;
  if (user && OKTA_ID.test(user)) return user;
  const actor = event.actor;
  if (actor?.type === 'User' && actor.id && OKTA_ID.test(actor.id)) return actor.id;
  return undefined;
}
