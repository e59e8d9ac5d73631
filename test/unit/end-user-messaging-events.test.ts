import { describe, expect, it } from 'vitest';
import {
  receiptFromEndUserMessagingEvent,
  UnreadableEventError,
} from '../../adapters/end-user-messaging/end-user-messaging-events';
import { countsAsDelivered, receiptOrder, settles } from '../../domain/delivery-receipt';

// End User Messaging's documented SMS example (configuration-set event destinations), context ours.
const documentedSms = {
  eventType: 'TEXT_SUCCESSFUL',
  eventVersion: '1.0',
  eventTimestamp: 1686975103470,
  isFinal: true,
  originationPhoneNumber: '+12065550152',
  destinationPhoneNumber: '+14255550156',
  isoCountryCode: 'US',
  mcc: '310',
  mnc: '800',
  messageId: '862a8790-60c0-4430-9b2b-658bdexample',
  messageRequestTimestamp: 1686975103170,
  messageEncoding: 'GSM',
  messageType: 'TRANSACTIONAL',
  messageStatus: 'SUCCESSFUL',
  messageStatusDescription: 'Message has been accepted by phone carrier',
  context: { eventId: 'evt-1', purpose: 'verification' },
  totalMessageParts: 1,
  totalMessagePrice: 0.09582,
  totalCarrierFee: 0.0,
};

describe('End User Messaging events → provider-neutral receipts', () => {
  it('reads the documented SMS event: status, final, country, price, parts, our event id; never the number', () => {
    const receipt = receiptFromEndUserMessagingEvent(documentedSms);
    expect(receipt).toEqual({
      provider: 'aws-end-user-messaging',
      messageId: '862a8790-60c0-4430-9b2b-658bdexample',
      channel: 'sms',
      status: 'accepted',
      providerStatus: 'TEXT_SUCCESSFUL',
      final: true,
      at: 1686975103470,
      requestedAt: 1686975103170,
      country: 'US',
      priceUsd: 0.09582,
      parts: 1,
      eventId: 'evt-1',
    });
    expect(JSON.stringify(receipt)).not.toContain('4255550156');
    expect(settles(receipt as never)).toBe(true);
    expect(countsAsDelivered(receipt as never)).toBe(true);
  });

  it.each([
    ['TEXT_DELIVERED', 'delivered', undefined],
    ['TEXT_BLOCKED', 'failed', 'blocked'],
    ['TEXT_SPAM', 'failed', 'spam'],
    ['TEXT_TTL_EXPIRED', 'failed', 'ttl-expired'],
    ['TEXT_CARRIER_UNREACHABLE', 'failed', 'unreachable'],
    ['TEXT_QUEUED', 'pending', undefined],
    ['TEXT_UNKNOWN', 'unknown', undefined],
    ['VOICE_ANSWERED', 'delivered', undefined],
    ['VOICE_COMPLETED', 'delivered', undefined],
    ['VOICE_NO_ANSWER', 'failed', 'no-answer'],
    ['VOICE_BUSY', 'failed', 'busy'],
    ['VOICE_TTL_EXPIRED', 'failed', 'ttl-expired'],
    ['VOICE_RINGING', 'pending', undefined],
  ])('%s → %s %s', (eventType, status, failure) => {
    const receipt = receiptFromEndUserMessagingEvent({ ...documentedSms, eventType });
    expect(receipt).toMatchObject({ status, channel: eventType.startsWith('VOICE') ? 'voice' : 'sms' });
    expect(receipt?.failure).toBe(failure);
  });

  it('orders stages before report times: a delivery beats an acceptance reported later', () => {
    const delivered = receiptFromEndUserMessagingEvent({ ...documentedSms, eventType: 'TEXT_DELIVERED' });
    const lateAcceptance = receiptFromEndUserMessagingEvent({
      ...documentedSms,
      eventTimestamp: documentedSms.eventTimestamp + 60_000,
    });
    expect(receiptOrder(delivered as never)).toBeGreaterThan(receiptOrder(lateAcceptance as never));
  });

  it('ignores event types that say nothing of a message fate, refuses malformed ones without quoting them', () => {
    expect(
      receiptFromEndUserMessagingEvent({ ...documentedSms, eventType: 'TEXT_SENT_TO_MOON' }),
    ).toBeUndefined();
    const bad = () =>
      receiptFromEndUserMessagingEvent({
        ...documentedSms,
        messageId: 'x y +14255550156',
        eventTimestamp: 'soon',
      });
    expect(bad).toThrow(UnreadableEventError);
    expect(bad).toThrow(/eventTimestamp, messageId/);
    try {
      bad();
    } catch (error) {
      expect((error as Error).message).not.toContain('4255550156');
    }
  });
});
