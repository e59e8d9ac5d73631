import { describe, expect, it } from 'vitest';
import { receiptFromTwilioCallback } from '../../adapters/twilio/twilio-status-callback';

const SM = `SM${'a'.repeat(32)}`;
const CA = `CA${'b'.repeat(32)}`;
const AT = 1_750_000_000_000;

describe('Twilio status callbacks → the same provider-neutral receipt', () => {
  it.each([
    [
      { MessageSid: SM, MessageStatus: 'queued' },
      { status: 'pending', final: false },
    ],
    [
      { MessageSid: SM, MessageStatus: 'sent' },
      { status: 'accepted', final: false },
    ],
    [
      { MessageSid: SM, MessageStatus: 'delivered' },
      { status: 'delivered', final: true },
    ],
    [
      { MessageSid: SM, MessageStatus: 'undelivered', ErrorCode: '30007' },
      { status: 'failed', failure: 'spam' },
    ],
    [
      { MessageSid: SM, MessageStatus: 'undelivered', ErrorCode: '30003' },
      { status: 'failed', failure: 'unreachable' },
    ],
    [
      { MessageSid: SM, MessageStatus: 'failed', ErrorCode: '30036' },
      { status: 'failed', failure: 'ttl-expired', untimed: true },
    ],
    [
      { MessageSid: SM, MessageStatus: 'failed', ErrorCode: '21610' },
      { status: 'failed', failure: 'opted-out' },
    ],
    [{ SmsSid: SM, SmsStatus: 'delivered' }, { status: 'delivered' }],
    [
      { CallSid: CA, CallStatus: 'ringing' },
      { status: 'pending', channel: 'voice' },
    ],
    [
      { CallSid: CA, CallStatus: 'completed', CallDuration: '14' },
      { status: 'delivered', final: true },
    ],
    [
      { CallSid: CA, CallStatus: 'no-answer' },
      { status: 'failed', failure: 'no-answer' },
    ],
    [
      { CallSid: CA, CallStatus: 'busy' },
      { status: 'failed', failure: 'busy' },
    ],
  ])('%o → %o', (params, expected) => {
    const receipt = receiptFromTwilioCallback({ ...params, To: '+14155550123', From: '+12065550100' }, AT);
    expect(receipt).toMatchObject({ provider: 'twilio', ...expected });
    expect(JSON.stringify(receipt)).not.toContain('4155550123');
  });

  it('a voice callback carries its own time; a messaging one is ordered by when it arrived', () => {
    const call = receiptFromTwilioCallback(
      { CallSid: CA, CallStatus: 'completed', Timestamp: 'Mon, 16 Aug 2010 03:45:01 +0000' },
      AT,
    );
    expect(call?.at).toBe(Date.parse('2010-08-16T03:45:01Z'));
    expect(receiptFromTwilioCallback({ MessageSid: SM, MessageStatus: 'sent' }, AT)?.at).toBe(AT);
  });

  it('anything else is not a status callback', () => {
    expect(
      receiptFromTwilioCallback({ MessageSid: 'SMnot-a-sid', MessageStatus: 'sent' }, AT),
    ).toBeUndefined();
    expect(receiptFromTwilioCallback({ MessageSid: SM, MessageStatus: 'teleported' }, AT)).toBeUndefined();
    expect(receiptFromTwilioCallback({ Body: 'hello' }, AT)).toBeUndefined();
  });
});
