import type { FailureCertainty } from '../../domain/delivery-certainty';
import type { DeliveryFailureKind } from '../../domain/errors';
import type { TwilioWireError } from './twilio-http';

/** What went wrong, whether Twilio may have received the message, and a description safe to log. */
export interface TwilioFailure {
  readonly kind: DeliveryFailureKind;
  readonly certainty: FailureCertainty;
  readonly detail: string;
}

/**
 * Twilio's error codes (https://www.twilio.com/docs/api/errors) by what they mean for us. Twilio warns that
 * codes are refined over time (a 2024 change split 21211, 21212, 21606 and 21614 into narrower ones), so
 * the certainty never depends on a code — only on the HTTP status and the wire — and a code missing here
 * still gets a kind from its status.
 */
const KIND_BY_CODE: ReadonlyMap<number, DeliveryFailureKind> = new Map([
  // Too many requests (HTTP 429); the From sender's queue is full (21611); a queue overflow (30001, normally
  // reported after acceptance, in a status callback).
  [20429, 'throttled'],
  [21611, 'throttled'],
  [30001, 'throttled'],
  // The recipient replied STOP to this sender.
  [21610, 'opted-out'],
  // Geo permissions: messaging (21408) or calls (21215, 21216, 13227) to that country are not enabled on
  // the account; trial accounts reach verified numbers only (21219, 21608); Twilio cannot connect this To
  // and From (21612); not a mobile number (21614).
  [21408, 'destination-blocked'],
  [21215, 'destination-blocked'],
  [21216, 'destination-blocked'],
  [13227, 'destination-blocked'],
  [21219, 'destination-blocked'],
  [21608, 'destination-blocked'],
  [21612, 'destination-blocked'],
  [21614, 'destination-blocked'],
  // Not a valid phone number (messages 21211, calls 13223, 13224, 21217, 21401); body missing (21602),
  // too long (21617), empty after processing (21619); the call's TwiML or URL invalid (21205).
  [21211, 'invalid-message'],
  [13223, 'invalid-message'],
  [13224, 'invalid-message'],
  [21217, 'invalid-message'],
  [21401, 'invalid-message'],
  [21602, 'invalid-message'],
  [21617, 'invalid-message'],
  [21619, 'invalid-message'],
  [21205, 'invalid-message'],
  // Our side: the From is not a valid, SMS- or voice-capable number of this account (21212, 21606, 21659,
  // 21660, 21661, 21210), From or To missing (21603, 21604), the messaging service unusable (21703, 21704,
  // 21705), the account or resource not found (20404).
  [21212, 'misconfigured'],
  [21606, 'misconfigured'],
  [21659, 'misconfigured'],
  [21660, 'misconfigured'],
  [21661, 'misconfigured'],
  [21210, 'misconfigured'],
  [21603, 'misconfigured'],
  [21604, 'misconfigured'],
  [21703, 'misconfigured'],
  [21704, 'misconfigured'],
  [21705, 'misconfigured'],
  [20404, 'misconfigured'],
  // Authentication failed (20003), the account is suspended or closed (20005, 10001).
  [20003, 'access-denied'],
  [20005, 'access-denied'],
  [10001, 'access-denied'],
  // Twilio's own failures.
  [20500, 'provider-unavailable'],
  [20503, 'provider-unavailable'],
]);

/**
 * An HTTP answer that was not a success. Certainty by status: a 4xx is Twilio refusing the request
 * before creating anything (validation, authentication, rate limit), and 503 is Twilio declining to
 * take it — not sent. A 500 may come after the message was created, and a 502/504 from a gateway that
 * stopped waiting for Twilio — uncertain.
 */
export function classifyTwilioAnswer(status: number, body: unknown): TwilioFailure {
  const code = twilioCode(body);
  const certainty: FailureCertainty =
    status >= 400 && status < 500 ? 'not-sent' : status === 503 ? 'not-sent' : 'uncertain';
  const kind = (code !== undefined ? KIND_BY_CODE.get(code) : undefined) ?? kindOfStatus(status);
  return { kind, certainty, detail: `Twilio HTTP ${status}${code !== undefined ? ` code ${code}` : ''}` };
}

function kindOfStatus(status: number): DeliveryFailureKind {
  if (status === 429) return 'throttled';
  if (status === 401 || status === 403) return 'access-denied';
  if (status === 404) return 'misconfigured';
  if (status >= 500) return 'provider-unavailable';
  if (status === 400) return 'invalid-message';
  return 'unknown';
}

/** Twilio's error body: `{"code": 21211, "message": "…", "more_info": "…", "status": 400}`. */
function twilioCode(body: unknown): number | undefined {
  const code = (body as { code?: unknown } | undefined)?.code;
  return typeof code === 'number' && Number.isInteger(code) ? code : undefined;
}

/**
 * A request that got no whole answer, by how far it got (twilio-http.ts): never connected, or connected
 * but the request never fully left — not sent; the whole request left — uncertain, whatever happened
 * next (reset, hang-up, timeout, our own abort); a status line that arrived but a body that did not —
 * as its status says, except that a success we cannot read is still a success that may have happened.
 */
export function classifyTwilioWireError(error: TwilioWireError): TwilioFailure {
  const { progress, code, why, status } = error;
  const detail = `Twilio ${why}${code ? ` ${code}` : ''}${status !== undefined ? ` after HTTP ${status}` : ''}`;
  if (status !== undefined && status >= 400) return { ...classifyTwilioAnswer(status, undefined), detail };
  const certainty: FailureCertainty = progress.written ? 'uncertain' : 'not-sent';
  const kind: DeliveryFailureKind =
    why === 'abort'
      ? 'deadline-exceeded'
      : why === 'connect-timeout'
        ? 'timeout'
        : why === 'answer-unreadable'
          ? 'unknown'
          : code === 'ETIMEDOUT'
            ? 'timeout'
            : 'network';
  return { kind, certainty, detail };
}
