import type { DeliveryReceipt, ReceiptFailure, ReceiptStatus } from '../../domain/delivery-receipt';
import { TWILIO_PROVIDER } from './twilio-sender';

/**
 * Twilio's status callback parameters (application/x-www-form-urlencoded), already decoded and — by the
 * route, before this runs — authenticated with X-Twilio-Signature. Messaging sends MessageSid,
 * MessageStatus, ErrorCode; Voice sends CallSid, CallStatus, CallDuration, Timestamp. Both send To and
 * From, which are never read here.
 */
export type TwilioCallbackParams = Readonly<Record<string, string | undefined>>;

type Mapping = readonly [ReceiptStatus, boolean, ReceiptFailure?];

// Message resource statuses (Programmable Messaging). `sent` is the carrier's acceptance; carriers in
// some countries never report `delivered`, so Twilio's `sent` stays the last word there.
const MESSAGE_STATUSES: Readonly<Record<string, Mapping>> = {
  accepted: ['pending', false],
  scheduled: ['pending', false],
  queued: ['pending', false],
  sending: ['pending', false],
  sent: ['accepted', false],
  delivered: ['delivered', true],
  read: ['delivered', true],
  partially_delivered: ['failed', true, 'carrier-failed'],
  undelivered: ['failed', true, 'unreachable'],
  failed: ['failed', true, 'carrier-failed'],
  canceled: ['failed', true, 'unknown'],
};

// Call resource statuses (Programmable Voice).
const CALL_STATUSES: Readonly<Record<string, Mapping>> = {
  queued: ['pending', false],
  initiated: ['pending', false],
  ringing: ['pending', false],
  'in-progress': ['delivered', false],
  answered: ['delivered', false],
  completed: ['delivered', true],
  busy: ['failed', true, 'busy'],
  'no-answer': ['failed', true, 'no-answer'],
  canceled: ['failed', true, 'unknown'],
  failed: ['failed', true, 'carrier-failed'],
};

// Twilio error codes that say more than the status: 21610 the recipient replied STOP; 30007 carrier
// filtering (spam); 30003/30005/30006 unreachable, unknown or landline destination; 30036 the message
// outlived its ValidityPeriod (the code's life) in Twilio's queue.
const ERROR_FAILURES: Readonly<Record<string, ReceiptFailure>> = {
  '21610': 'opted-out',
  '30004': 'blocked',
  '30007': 'spam',
  '30003': 'unreachable',
  '30005': 'invalid',
  '30006': 'invalid',
  '30036': 'ttl-expired',
};

const SID = /^(SM|MM|CA)[0-9a-f]{32}$/;

/**
 * A Twilio status callback as a provider-neutral receipt, the same record End User Messaging events make,
 * or undefined when the parameters are not a status callback we know. Twilio sends no price in callbacks
 * (it is on the Message resource once final), nor a country: the record keeps the ones the send stored.
 * Callbacks carry no timestamp for messages: `receivedAt` (when the route got it) stands in for the time,
 * and the receipt is `untimed`, so within a stage the first report stands and a duplicate changes nothing.
 */
export function receiptFromTwilioCallback(
  params: TwilioCallbackParams,
  receivedAt: number,
  eventId?: string,
): DeliveryReceipt | undefined {
  const callSid = params.CallSid;
  const messageSid = params.MessageSid ?? params.SmsSid;
  const isCall = callSid !== undefined && params.CallStatus !== undefined;
  const sid = isCall ? callSid : messageSid;
  const status = (isCall ? params.CallStatus : (params.MessageStatus ?? params.SmsStatus))?.toLowerCase();
  if (sid === undefined || !SID.test(sid) || status === undefined) return undefined;
  const mapping = (isCall ? CALL_STATUSES : MESSAGE_STATUSES)[status];
  if (!mapping) return undefined;
  const [receiptStatus, final, failure] = mapping;
  const errorFailure = params.ErrorCode ? ERROR_FAILURES[params.ErrorCode] : undefined;
  // Voice callbacks carry RFC 2822 time of the event; messaging ones none.
  const stamped = isCall && params.Timestamp ? Date.parse(params.Timestamp) : Number.NaN;
  const parts = params.NumSegments ? Number(params.NumSegments) : undefined;
  return {
    provider: TWILIO_PROVIDER,
    messageId: sid,
    channel: isCall ? 'voice' : 'sms',
    status: receiptStatus,
    ...(receiptStatus === 'failed' ? { failure: errorFailure ?? failure ?? 'unknown' } : {}),
    providerStatus: status,
    final,
    at: Number.isFinite(stamped) ? stamped : receivedAt,
    // Without Twilio's time, arrival order is no order: a duplicate would look newer than the original.
    ...(Number.isFinite(stamped) ? {} : { untimed: true }),
    ...(parts !== undefined && Number.isInteger(parts) && parts > 0 ? { parts } : {}),
    ...(eventId ? { eventId } : {}),
  };
}
