import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OktaBodyTooLargeError, parseOktaHookBody } from '../../adapters/okta/okta-hook-request';
import { InvalidRequestError } from '../../domain/errors';

const VALID_PHONES = [
  '+14155550123',
  '+447911123456',
  '+33612345678',
  '+919876543210',
  '+5511987654321',
  '+4915123456789',
  '+81312345678',
];
const VOICE_SPELLINGS = ['CALL', 'Voice call', 'voice call', 'voice'];
const REQUEST_TYPES = {
  'com.okta.user.telephony.pre-enrollment': 'enrollment',
  'com.okta.user.telephony.mfa-verification': 'verification',
  'com.okta.user.telephony.account-unlock': 'account-unlock',
  'com.okta.user.telephony.password-reset': 'password-reset',
} as const;

// 6+ digits: no rule text ("at most 1600 characters", "16384 bytes") can contain the code by chance.
const codeArb = fc.stringMatching(/^[0-9]{6,10}$/);

/** Any case of a spelling, with optional surrounding blanks. */
const anyCase = (s: string) =>
  fc
    .tuple(
      fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length }),
      fc.constantFrom('', ' ', '  '),
    )
    .map(
      ([upper, pad]) =>
        pad + [...s].map((c, i) => (upper[i] ? c.toUpperCase() : c.toLowerCase())).join('') + pad,
    );

const channelArb = fc.oneof(
  anyCase('sms').map((spelling) => ({ spelling, channel: 'sms' as const })),
  fc
    .constantFrom(...VOICE_SPELLINGS)
    .chain(anyCase)
    .map((spelling) => ({ spelling, channel: 'voice' as const })),
);

const validBodyArb = fc.record({
  eventId: fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/),
  requestType: fc.constantFrom(...(Object.keys(REQUEST_TYPES) as (keyof typeof REQUEST_TYPES)[])),
  phone: fc.constantFrom(...VALID_PHONES),
  code: codeArb,
  channel: channelArb,
  expires: fc.date({
    min: new Date('2000-01-01T00:00:00Z'),
    max: new Date('2100-01-01T00:00:00Z'),
    noInvalidDate: true,
  }),
  locale: fc.string({ maxLength: 35 }),
  firstName: fc.string({ maxLength: 100 }),
});

type Valid = typeof validBodyArb extends fc.Arbitrary<infer T> ? T : never;

function toJson(v: Valid): Record<string, unknown> {
  return {
    eventId: v.eventId,
    eventTime: '2022-01-28T21:43:40.000Z',
    eventType: 'com.okta.telephony.provider',
    eventTypeVersion: '1.0',
    contentType: 'application/json',
    cloudEventVersion: '0.1',
    source: 'https://example.okta.com/api/v1/inlineHooks/cal1',
    requestType: v.requestType,
    data: {
      context: { request: { id: 'req1', method: 'POST', url: { value: '/x' }, ipAddress: '127.0.0.1' } },
      userProfile: { firstName: v.firstName, lastName: 'user', login: 'a@example.com', userId: '00u1' },
      messageProfile: {
        msgTemplate: `Your code is ${v.code}`,
        phoneNumber: v.phone,
        otpExpires: v.expires.toISOString(),
        deliveryChannel: v.channel.spelling,
        otpCode: v.code,
        locale: v.locale,
      },
    },
  };
}

const OPTIONS = { defaultPhoneRegion: 'US' } as const;

/** Parses; returns the thrown error, after checking it is one of the two allowed kinds. */
function parseOrAllowedError(raw: string, options: Parameters<typeof parseOktaHookBody>[1] = OPTIONS) {
  try {
    parseOktaHookBody(raw, options);
    return undefined;
  } catch (error) {
    expect(error instanceof InvalidRequestError || error instanceof OktaBodyTooLargeError).toBe(true);
    return error as InvalidRequestError | OktaBodyTooLargeError;
  }
}

function expectNoLeak(error: InvalidRequestError | OktaBodyTooLargeError | undefined, code: string) {
  if (!error) return;
  expect(error.message).not.toContain(code);
  const issues = error instanceof InvalidRequestError ? error.issues : [];
  for (const issue of issues) expect(issue).not.toContain(code);
  expect(error.cause).toBeUndefined();
}

type Path = readonly string[];
function leafAndBranchPaths(value: unknown, prefix: Path = []): Path[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [prefix];
  const nested = Object.entries(value).flatMap(([k, child]) => leafAndBranchPaths(child, [...prefix, k]));
  return prefix.length === 0 ? nested : [prefix, ...nested];
}

function mutateAt(
  root: Record<string, unknown>,
  path: Path,
  change: (parent: Record<string, unknown>, key: string) => void,
) {
  let node: Record<string, unknown> = root;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string, unknown>;
  change(node, path[path.length - 1] as string);
}

const SAMPLE_PATHS = leafAndBranchPaths(
  toJson({
    eventId: 'e',
    requestType: 'com.okta.user.telephony.pre-enrollment',
    phone: '+14155550123',
    code: '123456',
    channel: { spelling: 'SMS', channel: 'sms' },
    expires: new Date(0),
    locale: 'en',
    firstName: 'a',
  }),
);

const mutationArb = fc.oneof(
  fc.constant({ kind: 'drop' as const }),
  fc.jsonValue({ maxDepth: 2 }).map((value) => ({ kind: 'replace' as const, value })),
  fc.integer({ min: 100, max: 20_000 }).map((n) => ({ kind: 'huge' as const, n })),
  fc
    .constantFrom('code+x', 'code as number', 'code with space')
    .map((how) => ({ kind: 'code' as const, how })),
);

describe('parseOktaHookBody properties', () => {
  it('accepts every valid body and maps it faithfully', () => {
    fc.assert(
      fc.property(validBodyArb, (valid) => {
        const request = parseOktaHookBody(JSON.stringify(toJson(valid)), OPTIONS);
        expect(request.code).toBe(valid.code);
        expect(request.channel).toBe(valid.channel.channel);
        expect(request.purpose).toBe(REQUEST_TYPES[valid.requestType]);
        expect(request.phone).toBe(valid.phone);
        expect(request.expiresAt.getTime()).toBe(valid.expires.getTime());
        expect(request.requestedLocale).toBe(valid.locale);
        expect(request.idp).toBe('okta');
      }),
      { numRuns: 300 },
    );
  });

  it('any mutation of a valid body parses or is rejected as 400/413, never leaking the code', () => {
    fc.assert(
      fc.property(validBodyArb, fc.constantFrom(...SAMPLE_PATHS), mutationArb, (valid, path, mutation) => {
        const json = toJson(valid);
        mutateAt(json, path, (parent, key) => {
          switch (mutation.kind) {
            case 'drop':
              delete parent[key];
              break;
            case 'replace':
              parent[key] = mutation.value;
              break;
            case 'huge':
              parent[key] = `${valid.code}${'9'.repeat(mutation.n)}`;
              break;
            case 'code': {
              const profile = (json.data as { messageProfile: Record<string, unknown> }).messageProfile;
              if (mutation.how === 'code+x') profile.otpCode = `${valid.code}x`;
              if (mutation.how === 'code as number') profile.otpCode = Number(valid.code);
              if (mutation.how === 'code with space') profile.otpCode = ` ${valid.code}`;
              break;
            }
          }
        });
        const error = parseOrAllowedError(JSON.stringify(json));
        expectNoLeak(error, valid.code);
        // Dropping a required leaf must be caught.
        if (
          mutation.kind === 'drop' &&
          ['eventId', 'requestType', 'otpCode', 'phoneNumber'].includes(path.at(-1) ?? '')
        ) {
          expect(error).toBeInstanceOf(InvalidRequestError);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('random JSON is parsed or rejected, never a crash', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const error = parseOrAllowedError(JSON.stringify(value) ?? 'null');
        expect(error).toBeDefined();
      }),
      { numRuns: 500 },
    );
  });

  it('random strings and bytes, plain or claimed to be base64, never crash', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 300 }),
          fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString('latin1')),
          fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString('base64')),
        ),
        fc.boolean(),
        (raw, isBase64Encoded) => {
          parseOrAllowedError(raw, { ...OPTIONS, isBase64Encoded });
        },
      ),
      { numRuns: 500 },
    );
  });

  it('a body with the code spliced into broken JSON never echoes it', () => {
    fc.assert(
      fc.property(validBodyArb, fc.nat(), fc.string({ maxLength: 3 }), (valid, at, junk) => {
        const text = JSON.stringify(toJson(valid));
        const cut = at % text.length;
        const broken = text.slice(0, cut) + junk + text.slice(cut + 1);
        expectNoLeak(parseOrAllowedError(broken), valid.code);
      }),
      { numRuns: 500 },
    );
  });

  it('bodies above maxBytes are always 413, whatever they contain', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 400 }),
        fc.integer({ min: 0, max: 399 }),
        (raw, slack) => {
          const bytes = Buffer.byteLength(raw);
          fc.pre(slack < bytes);
          expect(() => parseOktaHookBody(raw, { ...OPTIONS, maxBytes: bytes - 1 - (slack % bytes) })).toThrow(
            OktaBodyTooLargeError,
          );
        },
      ),
    );
  });
});
