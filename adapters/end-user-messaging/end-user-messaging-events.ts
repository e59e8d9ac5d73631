import * as v from 'valibot';
import type { DeliveryReceipt, ReceiptFailure, ReceiptStatus } from '../../domain/delivery-receipt';
import type { Channel } from '../../domain/delivery-request';
import { END_USER_MESSAGING_PROVIDER } from './end-user-messaging-sender';

/**
 * End User Messaging SMS and voice events, as a configuration set's event destination publishes them
 * (CloudWatch Logs, Firehose and SNS carry the same JSON; SNS in its `Message`). Fields used, from the
 * service's documented examples: eventType, eventTimestamp, isFinal, messageId, messageRequestTimestamp,
 * isoCountryCode, messageStatus, totalMessageParts, totalMessagePrice, context. Unknown fields are
 * ignored; destinationPhoneNumber is never read, so it never reaches a record or a log.
 */
const eventSchema = v.object({
  eventType: v.pipe(v.string(), v.regex(/^(TEXT|VOICE)_[A-Z_]{2,40}$/)),
  eventTimestamp: v.pipe(v.number(), v.integer(), v.minValue(0)),
  messageId: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_:/-]{1,64}$/)),
  isFinal: v.optional(v.boolean()),
  messageRequestTimestamp: v.optional(v.number()),
  isoCountryCode: v.optional(v.string()),
  messageStatus: v.optional(v.string()),
  totalMessageParts: v.optional(v.number()),
  totalMessagePrice: v.optional(v.number()),
  context: v.optional(v.record(v.string(), v.unknown())),
});

type Mapping = readonly [ReceiptStatus, ReceiptFailure?];

// Event types from the EventDestination API's MatchingEventTypes (TEXT_*, VOICE_*), each to one status.
const EVENT_TYPES: Readonly<Record<string, Mapping>> = {
  TEXT_PENDING: ['pending'],
  TEXT_QUEUED: ['pending'],
  TEXT_SENT: ['pending'],
  TEXT_SUCCESSFUL: ['accepted'],
  TEXT_DELIVERED: ['delivered'],
  TEXT_BLOCKED: ['failed', 'blocked'],
  TEXT_CARRIER_BLOCKED: ['failed', 'blocked'],
  TEXT_PROTECT_BLOCKED: ['failed', 'blocked'],
  TEXT_SPAM: ['failed', 'spam'],
  TEXT_INVALID: ['failed', 'invalid'],
  TEXT_INVALID_MESSAGE: ['failed', 'invalid'],
  TEXT_UNREACHABLE: ['failed', 'unreachable'],
  TEXT_CARRIER_UNREACHABLE: ['failed', 'unreachable'],
  TEXT_TTL_EXPIRED: ['failed', 'ttl-expired'],
  TEXT_UNKNOWN: ['unknown'],
  VOICE_INITIATED: ['pending'],
  VOICE_RINGING: ['pending'],
  // The person picked up and heard the call: delivered; COMPLETED follows when they hang up.
  VOICE_ANSWERED: ['delivered'],
  VOICE_COMPLETED: ['delivered'],
  VOICE_BUSY: ['failed', 'busy'],
  VOICE_NO_ANSWER: ['failed', 'no-answer'],
  VOICE_FAILED: ['failed', 'carrier-failed'],
  VOICE_TTL_EXPIRED: ['failed', 'ttl-expired'],
};

export class UnreadableEventError extends Error {
  override readonly name = 'UnreadableEventError';
}

/**
 * One End User Messaging event (already JSON-parsed) as a provider-neutral receipt, or undefined for an
 * event type that says nothing about a message's fate (MEDIA_*, registration changes). Throws
 * UnreadableEventError, naming fields but never their content, when the event is malformed.
 */
export function receiptFromEndUserMessagingEvent(event: unknown): DeliveryReceipt | undefined {
  const parsed = v.safeParse(eventSchema, event);
  if (!parsed.success) {
    const fields = [...new Set(parsed.issues.map((issue) => v.getDotPath(issue) ?? 'event'))];
    throw new UnreadableEventError(`not an End User Messaging event (${fields.join(', ')})`);
  }
  const e = parsed.output;
  const mapping = EVENT_TYPES[e.eventType];
  if (!mapping) return undefined;
  const [status, failure] = mapping;
  const channel: Channel = e.eventType.startsWith('VOICE_') ? 'voice' : 'sms';
  const eventId = e.context?.eventId;
  const country = e.isoCountryCode?.toUpperCase();
  return {
    provider: END_USER_MESSAGING_PROVIDER,
    messageId: e.messageId,
    channel,
    status,
    ...(failure ? { failure } : {}),
    providerStatus: e.eventType,
    // isFinal is absent from some voice events; a settling status is final whatever it says.
    final: e.isFinal === true,
    at: e.eventTimestamp,
    ...(e.messageRequestTimestamp !== undefined ? { requestedAt: e.messageRequestTimestamp } : {}),
    ...(country && /^[A-Z]{2}$/.test(country) ? { country } : {}),
    ...(e.totalMessagePrice !== undefined && e.totalMessagePrice >= 0
      ? { priceUsd: e.totalMessagePrice }
      : {}),
    ...(e.totalMessageParts !== undefined ? { parts: e.totalMessageParts } : {}),
    ...(typeof eventId === 'string' && eventId.length <= 128 ? { eventId } : {}),
  };
}
