import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OktaBodyTooLargeError, parseOktaHookBody } from '../../adapters/okta/okta-hook-request';
import { InvalidRequestError } from '../../domain/errors';

const FIXTURE = readFileSync(
  new URL('../fixtures/okta-telephony-hook-request.json', import.meta.url),
  'utf8',
);
type Body = {
  eventId: unknown;
  requestType: unknown;
  eventTime?: unknown;
  data: {
    userProfile?: Record<string, unknown>;
    messageProfile: Record<string, unknown>;
  } & Record<string, unknown>;
} & Record<string, unknown>;

const fixture = (): Body => JSON.parse(FIXTURE) as Body;
const US = { defaultPhoneRegion: 'US' } as const;
const IN = { defaultPhoneRegion: 'IN' } as const;

/** A fixture with an E.164 phone, so region does not matter. */
function body(mutate: (b: Body) => void = () => {}): string {
  const b = fixture();
  b.data.messageProfile.phoneNumber = '+14155550123';
  mutate(b);
  return JSON.stringify(b);
}

function rejection(raw: string | null | undefined, opts: Parameters<typeof parseOktaHookBody>[1] = US) {
  try {
    parseOktaHookBody(raw, opts);
  } catch (error) {
    return error;
  }
  throw new Error('expected the body to be rejected');
}

function issuesOf(raw: string, opts: Parameters<typeof parseOktaHookBody>[1] = US): readonly string[] {
  const error = rejection(raw, opts);
  expect(error).toBeInstanceOf(InvalidRequestError);
  return (error as InvalidRequestError).issues;
}

describe('parseOktaHookBody: Okta sample', () => {
  it('accepts the documented sample when the default region reads the number (IN)', () => {
    const request = parseOktaHookBody(FIXTURE, IN);
    expect(request).toEqual({
      eventId: 'uS5871kJThSsU8qlA1LTcg',
      idp: 'okta',
      purpose: 'enrollment',
      channel: 'sms',
      phone: '+919876543210',
      code: '11111',
      expiresAt: new Date('2022-01-28T21:48:34.321Z'),
      requestedLocale: 'EN-US',
      firstName: 'test',
      idpMessage: '(HOOK)Your code is 11111',
      // For the brakes (issue 14): per-client and per-user limits.
      clientIp: '127.0.0.1',
      userId: '00uyxxSknGtK8022w0g3',
    });
  });

  it('never refuses a request over its client IP: an odd or missing ipAddress only drops it', () => {
    for (const ipAddress of [42, null, '', 'x'.repeat(100), { v: 1 }]) {
      const raw = JSON.parse(FIXTURE);
      raw.data.context.request.ipAddress = ipAddress;
      expect(parseOktaHookBody(JSON.stringify(raw), IN).clientIp).toBeUndefined();
    }
    const raw = JSON.parse(FIXTURE);
    delete raw.data.context;
    expect(parseOktaHookBody(JSON.stringify(raw), IN)).not.toHaveProperty('clientIp');
  });

  it('rejects the sample number with region US, naming the field and not the value', () => {
    const issues = issuesOf(FIXTURE, US);
    expect(issues).toEqual(['data.messageProfile.phoneNumber: must be a valid phone number']);
    expect(issues.join()).not.toContain('9876543210');
  });

  it('reads a "+"-less number as national in the default region first', () => {
    const request = parseOktaHookBody(
      body((b) => {
        b.data.messageProfile.phoneNumber = '4155550123';
      }),
      US,
    );
    // Read internationally first, these digits would be a Swiss (+41) number.
    expect(request.phone).toBe('+14155550123');
  });

  it('falls back to reading a "+"-less number as E.164 that lost its "+"', () => {
    const request = parseOktaHookBody(
      body((b) => {
        b.data.messageProfile.phoneNumber = '442079460958';
      }),
      US,
    );
    expect(request.phone).toBe('+442079460958');
  });

  it('normalises formatted numbers to E.164', () => {
    const request = parseOktaHookBody(
      body((b) => {
        b.data.messageProfile.phoneNumber = '(415) 555-0123';
      }),
      US,
    );
    expect(request.phone).toBe('+14155550123');
  });

  it.each(['+1415555012', '+', 'not a number', '+1 415 555 0123 ext 4', '+44 20 7946 0958 9999'])(
    'rejects phone %j',
    (phone) => {
      const issues = issuesOf(
        body((b) => {
          b.data.messageProfile.phoneNumber = phone;
        }),
      );
      expect(issues[0]).toMatch(/^data\.messageProfile\.phoneNumber: /);
    },
  );

  it('accepts a base64-encoded body', () => {
    const request = parseOktaHookBody(Buffer.from(body()).toString('base64'), {
      ...US,
      isBase64Encoded: true,
    });
    expect(request.phone).toBe('+14155550123');
  });

  it('rejects invalid base64', () => {
    expect(issuesOf('%%%not-base64%%%', { ...US, isBase64Encoded: true })).toEqual([
      'body: must be valid base64',
    ]);
  });
});

describe('parseOktaHookBody: request types', () => {
  it.each([
    ['com.okta.user.telephony.pre-enrollment', 'enrollment'],
    ['com.okta.user.telephony.mfa-verification', 'verification'],
    ['com.okta.user.telephony.account-unlock', 'account-unlock'],
    ['com.okta.user.telephony.password-reset', 'password-reset'],
  ])('%s → %s', (requestType, purpose) => {
    expect(
      parseOktaHookBody(
        body((b) => (b.requestType = requestType)),
        US,
      ).purpose,
    ).toBe(purpose);
  });

  it.each(['com.okta.user.telephony.other', 'pre-enrollment', '', 'toString', '__proto__'])(
    'rejects requestType %j',
    (requestType) => {
      expect(issuesOf(body((b) => (b.requestType = requestType)))).toEqual([
        'requestType: must be a known Okta telephony request type',
      ]);
    },
  );
});

describe('parseOktaHookBody: delivery channel', () => {
  it.each(['SMS', 'sms', ' Sms '])('%j → sms', (deliveryChannel) => {
    const raw = body((b) => (b.data.messageProfile.deliveryChannel = deliveryChannel));
    expect(parseOktaHookBody(raw, US).channel).toBe('sms');
  });

  it.each([
    'CALL',
    'call',
    'Call',
    'Voice call',
    'voice call',
    'VOICE CALL',
    'voice',
    'Voice',
    'VOICE',
    ' voice  call ',
  ])('%j → voice', (deliveryChannel) => {
    const raw = body((b) => (b.data.messageProfile.deliveryChannel = deliveryChannel));
    expect(parseOktaHookBody(raw, US).channel).toBe('voice');
  });

  it.each(['EMAIL', 'text', 'voicecall', 'phone', '', 'sms2', 'constructor', 'x'.repeat(100)])(
    'rejects %j',
    (deliveryChannel) => {
      const issues = issuesOf(body((b) => (b.data.messageProfile.deliveryChannel = deliveryChannel)));
      expect(issues).toHaveLength(1);
      expect(issues[0]).toMatch(/^data\.messageProfile\.deliveryChannel: /);
    },
  );

  it('rejects a non-string channel', () => {
    expect(issuesOf(body((b) => (b.data.messageProfile.deliveryChannel = 1)))).toEqual([
      'data.messageProfile.deliveryChannel: must be of type string',
    ]);
  });
});

describe('parseOktaHookBody: otp code', () => {
  it.each(['1234', '0000000000', '00123'])('accepts %j and keeps leading zeros', (otpCode) => {
    expect(
      parseOktaHookBody(
        body((b) => (b.data.messageProfile.otpCode = otpCode)),
        US,
      ).code,
    ).toBe(otpCode);
  });

  it.each(['123', '12345678901', '12a45', ' 12345', '１２３４５', '', '12 345'])(
    'rejects %j without echoing it',
    (otpCode) => {
      const issues = issuesOf(body((b) => (b.data.messageProfile.otpCode = otpCode)));
      expect(issues).toEqual(['data.messageProfile.otpCode: must be 4 to 10 digits']);
    },
  );

  it('rejects a numeric code without echoing it', () => {
    const error = rejection(body((b) => (b.data.messageProfile.otpCode = 987654)));
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(JSON.stringify((error as InvalidRequestError).issues)).not.toContain('987654');
    expect((error as Error).message).not.toContain('987654');
  });

  it('does not echo the code from malformed JSON', () => {
    const raw = body().replace('"otpCode":"11111"', '"otpCode":"11111",,');
    const error = rejection(raw);
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as InvalidRequestError).issues).toEqual(['body: must be valid JSON']);
    expect((error as Error).cause).toBeUndefined();
  });
});

describe('parseOktaHookBody: required fields, types and dates', () => {
  it.each<[string, (b: Body) => unknown, string]>([
    ['eventId', (b: Body) => delete (b as Partial<Body>).eventId, 'eventId: is required'],
    ['requestType', (b: Body) => delete (b as Partial<Body>).requestType, 'requestType: is required'],
    ['data', (b: Body) => delete (b as Partial<Body>).data, 'data: is required'],
    [
      'messageProfile',
      (b: Body) => delete (b.data as Partial<Body['data']>).messageProfile,
      'data.messageProfile: is required',
    ],
    ...['phoneNumber', 'otpExpires', 'deliveryChannel', 'otpCode'].map(
      (field) =>
        [
          field,
          (b: Body) => delete b.data.messageProfile[field],
          `data.messageProfile.${field}: is required`,
        ] as [string, (b: Body) => unknown, string],
    ),
  ])('missing %s', (_name, mutate, issue) => {
    expect(issuesOf(body(mutate))).toEqual([issue]);
  });

  it('allows the optional fields to be missing or null', () => {
    const request = parseOktaHookBody(
      body((b) => {
        delete b.eventTime;
        delete b.data.userProfile;
        b.data.messageProfile.locale = null;
        delete b.data.messageProfile.msgTemplate;
      }),
      US,
    );
    expect(request.requestedLocale).toBe('');
    expect(request.firstName).toBeUndefined();
    expect(request.idpMessage).toBeUndefined();
  });

  it('allows unknown extra fields', () => {
    const request = parseOktaHookBody(
      body((b) => {
        b.newTopLevel = { x: 1 };
        b.data.messageProfile.brandNew = 'value';
      }),
      US,
    );
    expect(request.eventId).toBe('uS5871kJThSsU8qlA1LTcg');
  });

  it.each([
    '2022-01-28',
    '2022-02-30T10:00:00Z',
    '2022-01-28T21:48:34',
    'tomorrow',
    '2022-01-28T25:00:00Z',
    '',
  ])('rejects otpExpires %j', (otpExpires) => {
    expect(issuesOf(body((b) => (b.data.messageProfile.otpExpires = otpExpires)))).toEqual([
      'data.messageProfile.otpExpires: must be an ISO-8601 date-time with seconds and a time zone',
    ]);
  });

  it('accepts offsets and fractional seconds', () => {
    const raw = body((b) => (b.data.messageProfile.otpExpires = '2022-01-28T23:48:34.5+02:00'));
    expect(parseOktaHookBody(raw, US).expiresAt.toISOString()).toBe('2022-01-28T21:48:34.500Z');
  });

  it('rejects a bad eventTime', () => {
    expect(issuesOf(body((b) => (b.eventTime = 'yesterday')))).toEqual([
      'eventTime: must be an ISO-8601 date-time with seconds and a time zone',
    ]);
  });

  it.each([[null], [[]], ['text'], [42], [true]])('rejects a non-object body %j', (json) => {
    expect(issuesOf(JSON.stringify(json))[0]).toMatch(/^body: must be of type/);
  });

  it.each([undefined, null, ''])('rejects an empty body (%j)', (raw) => {
    expect(rejection(raw)).toBeInstanceOf(InvalidRequestError);
  });

  it('reports every problem at once', () => {
    const issues = issuesOf(
      body((b) => {
        b.eventId = 7;
        b.data.messageProfile.otpCode = 'abc';
        b.data.messageProfile.deliveryChannel = 'fax';
      }),
    );
    expect(issues).toHaveLength(3);
  });
});

describe('parseOktaHookBody: sizes', () => {
  it.each([
    ['eventId', (b: Body, s: string) => (b.eventId = s), 128],
    [
      'firstName',
      (b: Body, s: string) => ((b.data.userProfile as Record<string, unknown>).firstName = s),
      100,
    ],
    ['lastName', (b: Body, s: string) => ((b.data.userProfile as Record<string, unknown>).lastName = s), 100],
    ['locale', (b: Body, s: string) => (b.data.messageProfile.locale = s), 35],
    ['msgTemplate', (b: Body, s: string) => (b.data.messageProfile.msgTemplate = s), 1600],
  ])('%s: accepts its maximum length, rejects one more', (name, set, max) => {
    expect(() =>
      parseOktaHookBody(
        body((b) => set(b, 'a'.repeat(max))),
        US,
      ),
    ).not.toThrow();
    const issues = issuesOf(body((b) => set(b, 'a'.repeat(max + 1))));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toContain(name);
    expect(issues[0]).toContain(`at most ${max} characters`);
  });

  it('returns the first name trimmed, and none when blank', () => {
    const setName = (name: string) =>
      body((b) => ((b.data.userProfile as Record<string, unknown>).firstName = name));
    expect(parseOktaHookBody(setName('  Ana '), US).firstName).toBe('Ana');
    expect(parseOktaHookBody(setName('   '), US).firstName).toBeUndefined();
  });

  it('throws OktaBodyTooLargeError above the default 16 KiB, counting bytes not characters', () => {
    const base = body();
    // Multi-byte padding: under the limit in characters, over it in UTF-8 bytes.
    const padded = body((b) => (b.padding = 'é'.repeat(Math.ceil((16 * 1024 - base.length) / 2) + 10)));
    expect(padded.length).toBeLessThan(16 * 1024);
    const error = rejection(padded);
    expect(error).toBeInstanceOf(OktaBodyTooLargeError);
    expect((error as OktaBodyTooLargeError).status).toBe(413);
  });

  it('accepts a body exactly at maxBytes and rejects one byte more', () => {
    const raw = body();
    const size = Buffer.byteLength(raw);
    expect(() => parseOktaHookBody(raw, { ...US, maxBytes: size })).not.toThrow();
    expect(rejection(raw, { ...US, maxBytes: size - 1 })).toBeInstanceOf(OktaBodyTooLargeError);
  });

  it('measures base64 bodies by their decoded size, and refuses huge encoded ones before decoding', () => {
    const raw = body();
    const size = Buffer.byteLength(raw);
    const encoded = Buffer.from(raw).toString('base64');
    expect(() => parseOktaHookBody(encoded, { ...US, isBase64Encoded: true, maxBytes: size })).not.toThrow();
    expect(rejection(encoded, { ...US, isBase64Encoded: true, maxBytes: size - 1 })).toBeInstanceOf(
      OktaBodyTooLargeError,
    );
    expect(rejection('A'.repeat(10_000_000), { ...US, isBase64Encoded: true })).toBeInstanceOf(
      OktaBodyTooLargeError,
    );
  });

  it('rejects a 10 MB body as too large, not as malformed', () => {
    expect(rejection('{'.repeat(10_000_000))).toBeInstanceOf(OktaBodyTooLargeError);
  });
});
