import { describe, expect, it } from 'vitest';
import {
  BODY_TOO_LARGE_SUMMARY,
  DELIVERY_FAILED_SUMMARY,
  INVALID_REQUEST_SUMMARY,
  oktaBadRequestReply,
  oktaHookReply,
} from '../../adapters/okta/okta-hook-reply';
import { OktaBodyTooLargeError } from '../../adapters/okta/okta-hook-request';
import type { DeliveryOutcome } from '../../domain/delivery-outcome';
import { InvalidRequestError } from '../../domain/errors';

const sent: DeliveryOutcome = {
  status: 'SUCCESSFUL',
  eventId: 'evt-1',
  channel: 'sms',
  provider: 'aws-end-user-messaging',
  transactionId: 'msg-123',
  locale: 'fr-CA',
  templateSource: 'catalogue',
  durationMs: 12.4,
};

describe('oktaHookReply', () => {
  it('formats a success exactly as Okta documents it, value as an array', () => {
    const reply = oktaHookReply(sent);
    expect(reply.statusCode).toBe(200);
    expect(reply.body).toEqual({
      commands: [
        {
          type: 'com.okta.telephony.action',
          value: [
            {
              status: 'SUCCESSFUL',
              provider: 'aws-end-user-messaging',
              transactionId: 'msg-123',
              transactionMetadata: 'locale=fr-CA;source=catalogue;channel=sms;ms=12',
            },
          ],
        },
      ],
    });
    const parsed = JSON.parse(JSON.stringify(reply.body)) as { commands: [{ value: unknown }] };
    expect(Array.isArray(parsed.commands[0].value)).toBe(true);
  });

  it('passes PENDING through and marks duplicates in the metadata', () => {
    const reply = oktaHookReply({ ...sent, status: 'PENDING', channel: 'voice', duplicate: true });
    expect(reply.body).toEqual({
      commands: [
        {
          type: 'com.okta.telephony.action',
          value: [
            {
              status: 'PENDING',
              provider: 'aws-end-user-messaging',
              transactionId: 'msg-123',
              transactionMetadata: 'locale=fr-CA;source=catalogue;channel=voice;duplicate=true;ms=12',
            },
          ],
        },
      ],
    });
  });

  it('keeps transactionMetadata short and free of separators even with odd values', () => {
    const reply = oktaHookReply({ ...sent, locale: 'en;evil=1 <x>'.repeat(10), durationMs: -5 });
    if (!('commands' in reply.body)) throw new Error('expected a commands reply');
    expect(reply.body.commands[0].value[0]?.transactionMetadata).toMatch(
      /^locale=[A-Za-z0-9_.-]{1,40};source=catalogue;channel=sms;ms=0$/,
    );
  });

  it('formats a failure as HTTP 200 with a fixed end-user summary and the machine reason', () => {
    const reply = oktaHookReply({
      ...sent,
      status: 'FAILED',
      transactionId: '',
      failureReason: 'opted-out',
    });
    expect(reply).toEqual({
      statusCode: 200,
      body: {
        error: {
          errorSummary: DELIVERY_FAILED_SUMMARY,
          errorCauses: [{ errorSummary: 'Delivery failed.', reason: 'opted-out' }],
        },
      },
    });
    expect(DELIVERY_FAILED_SUMMARY.length).toBeLessThan(80);
  });

  it('never lets exception text reach Okta, in the summary or the reason', () => {
    const exceptionText =
      'ValidationException: The destination phone number +14155550123 is opted out; code 482913 was not sent';
    const reply = oktaHookReply({ ...sent, status: 'FAILED', failureReason: exceptionText });
    const text = JSON.stringify(reply.body);
    expect(text).not.toContain('ValidationException');
    expect(text).not.toContain('482913');
    expect(text).not.toContain('+14155550123');
    expect(reply.body).toEqual({
      error: {
        errorSummary: DELIVERY_FAILED_SUMMARY,
        errorCauses: [{ errorSummary: 'Delivery failed.', reason: 'unknown' }],
      },
    });
  });

  it('uses reason "unknown" when none is given', () => {
    const reply = oktaHookReply({ ...sent, status: 'FAILED' });
    expect(JSON.stringify(reply.body)).toContain('"reason":"unknown"');
  });
});

describe('oktaBadRequestReply', () => {
  it('answers 400 with the issues as causes', () => {
    const reply = oktaBadRequestReply(
      new InvalidRequestError('invalid Okta telephony hook request', [
        'eventId: is required',
        'data.messageProfile.otpCode: must be 4 to 10 digits',
      ]),
    );
    expect(reply).toEqual({
      statusCode: 400,
      body: {
        error: {
          errorSummary: INVALID_REQUEST_SUMMARY,
          errorCauses: [
            { errorSummary: 'eventId: is required', reason: 'invalid-request' },
            {
              errorSummary: 'data.messageProfile.otpCode: must be 4 to 10 digits',
              reason: 'invalid-request',
            },
          ],
        },
      },
    });
  });

  it('does not use the error message as the summary', () => {
    const reply = oktaBadRequestReply(new InvalidRequestError('something internal 123456'));
    expect(JSON.stringify(reply.body)).not.toContain('123456');
    expect(reply.body.error.errorCauses).toEqual([]);
  });

  it('caps the number of causes', () => {
    const issues = Array.from({ length: 50 }, (_, i) => `f${i}: bad`);
    expect(oktaBadRequestReply(new InvalidRequestError('x', issues)).body.error.errorCauses).toHaveLength(20);
  });

  it('answers 413 for an oversized body', () => {
    const reply = oktaBadRequestReply(new OktaBodyTooLargeError(16384));
    expect(reply).toEqual({
      statusCode: 413,
      body: {
        error: {
          errorSummary: BODY_TOO_LARGE_SUMMARY,
          errorCauses: [{ errorSummary: 'request body exceeds 16384 bytes', reason: 'body-too-large' }],
        },
      },
    });
  });
});
