import { describe, expect, it } from 'vitest';
import { composeMessage, minutesUntil } from '../../domain/compose-message';
import type { DeliveryRequest } from '../../domain/delivery-request';
import { TemplateError } from '../../domain/errors';
import type { MessageTemplate } from '../../domain/message-template';

const now = Date.parse('2025-01-01T00:00:00Z');
const request: DeliveryRequest = {
  eventId: 'evt-1',
  idp: 'okta',
  purpose: 'enrollment',
  channel: 'sms',
  phone: '+14155550123',
  code: '123456',
  expiresAt: new Date(now + 4 * 60_000 + 1),
  requestedLocale: 'EN-us',
  firstName: 'Ana',
};
const smsTemplate: MessageTemplate = {
  locale: 'en',
  channel: 'sms',
  purpose: 'generic',
  source: 'catalogue',
  body: '{{brand}}: hi {{firstName}}, code {{code}}, {{minutes}} min',
};
const voiceTemplate: MessageTemplate = {
  locale: 'fr',
  channel: 'voice',
  purpose: 'enrollment',
  source: 'dynamodb',
  body: 'Code {{code}}. {{code}}.',
  voiceId: 'Lea',
};

describe('minutesUntil', () => {
  it('rounds up and is at least 1', () => {
    expect(minutesUntil(new Date(now + 5 * 60_000), now)).toBe(5);
    expect(minutesUntil(new Date(now + 5 * 60_000 + 1), now)).toBe(6);
    expect(minutesUntil(new Date(now - 60_000), now)).toBe(1);
    expect(minutesUntil(new Date(Number.NaN), now)).toBe(1);
  });
});

describe('composeMessage', () => {
  it('renders an SMS with its encoding and segments', () => {
    expect(composeMessage(request, smsTemplate, { brand: 'Acme', now })).toEqual({
      eventId: 'evt-1',
      purpose: 'enrollment',
      channel: 'sms',
      to: '+14155550123',
      locale: 'en',
      templateSource: 'catalogue',
      body: 'Acme: hi Ana, code 123456, 5 min',
      bodyType: 'text',
      expiresAt: request.expiresAt,
      sms: { encoding: 'GSM-7', segments: 1 },
    });
  });

  it('reports UCS-2 when the rendered text needs it', () => {
    const out = composeMessage({ ...request, firstName: 'Zoë' }, smsTemplate, { brand: 'Acme', now });
    expect(out.sms).toEqual({ encoding: 'UCS-2', segments: 1 });
  });

  it('renders voice as an SSML document with the template voice', () => {
    const out = composeMessage({ ...request, channel: 'voice' }, voiceTemplate, { brand: 'Acme', now });
    expect(out).toMatchObject({ bodyType: 'ssml', voiceId: 'Lea', locale: 'fr', templateSource: 'dynamodb' });
    expect(out.body).toMatch(/^<speak>Code <say-as interpret-as="digits">1<\/say-as>.*<\/speak>$/);
    expect(out.sms).toBeUndefined();
  });

  it('refuses a template of the other channel without revealing the code', () => {
    expect(() => composeMessage(request, voiceTemplate, { brand: 'Acme', now })).toThrow(TemplateError);
    try {
      composeMessage(request, voiceTemplate, { brand: 'Acme', now });
    } catch (error) {
      expect(String(error)).not.toContain(request.code);
    }
  });
});
