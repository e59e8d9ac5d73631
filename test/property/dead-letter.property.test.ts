import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { certaintyOfVersion1Kind, type DeadLetter, readDeadLetter } from '../../domain/dead-letter';
import { Deadline } from '../../domain/deadline';
import { CHANNELS, PURPOSES } from '../../domain/delivery-request';

const epochMs = fc.integer({ min: 1_600_000_000_000, max: 2_000_000_000_000 });
const text = (max: number) => fc.string({ minLength: 1, maxLength: max });

const letterArb: fc.Arbitrary<DeadLetter> = fc.record(
  {
    version: fc.constant(2 as const),
    eventId: text(64),
    idp: fc.constantFrom('okta', 'cognito', 'auth0'),
    purpose: fc.constantFrom(...PURPOSES),
    channel: fc.constantFrom(...CHANNELS),
    to: fc.stringMatching(/^\+[1-9]\d{6,14}$/),
    locale: fc.constantFrom('en', 'fr-CA', 'zh-Hant', 'pt-BR'),
    requestedLocale: fc.string({ maxLength: 40 }),
    firstName: fc.string({ maxLength: 30 }),
    expiresAt: epochMs,
    sealedCode: fc.record({
      scheme: fc.constantFrom('kms', 'aes-256-gcm'),
      keyId: text(80),
      ciphertext: fc
        .uint8Array({ minLength: 16, maxLength: 200 })
        .map((b) => Buffer.from(b).toString('base64')),
    }),
    certainty: fc.constantFrom('not-sent' as const, 'uncertain' as const),
    error: fc.record({ kind: text(30), message: fc.string({ maxLength: 200 }) }),
    attempts: fc.nat({ max: 10 }),
    // The providers tried (routing): optional, so letters written before it still read.
    tries: fc.array(
      fc.record(
        {
          provider: fc.constantFrom('aws-end-user-messaging', 'twilio', 'local-outbox'),
          outcome: fc.constantFrom(
            'sent' as const,
            'not-sent' as const,
            'uncertain' as const,
            'skipped' as const,
          ),
          reason: fc.constantFrom('throttled', 'network', 'circuit-open', 'no-voice'),
          calls: fc.nat({ max: 5 }),
          ms: fc.nat({ max: 3_000 }),
        },
        { requiredKeys: ['provider', 'outcome', 'calls', 'ms'] },
      ),
      { maxLength: 4 },
    ),
    receivedAt: epochMs,
    failedAt: epochMs,
  },
  {
    requiredKeys: [
      'version',
      'eventId',
      'idp',
      'purpose',
      'channel',
      'to',
      'locale',
      'requestedLocale',
      'expiresAt',
      'sealedCode',
      'certainty',
      'error',
      'attempts',
      'receivedAt',
      'failedAt',
    ],
  },
);

describe('dead letters on read (property)', () => {
  it('every letter the service writes reads back unchanged', () => {
    fc.assert(
      fc.property(letterArb, (letter) => {
        const reading = readDeadLetter(JSON.stringify(letter));
        expect(reading).toEqual({ ok: true, letter });
      }),
    );
  });

  it('a version 1 letter is never upgraded to not-sent unless its kind proves nothing left', () => {
    fc.assert(
      fc.property(letterArb, fc.boolean(), (letter, retryable) => {
        const { certainty: _, ...rest } = letter;
        const v1 = { ...rest, version: 1, error: { ...letter.error, retryable } };
        const reading = readDeadLetter(JSON.stringify(v1));
        expect(reading.ok).toBe(true);
        if (!reading.ok) return;
        expect(reading.upgradedFrom).toBe(1);
        expect(reading.letter.certainty).toBe(certaintyOfVersion1Kind(letter.error.kind));
        // `retryable` has no say: it never meant "not sent".
        expect(reading.letter).not.toHaveProperty('error.retryable');
      }),
    );
    for (const kind of [
      'timeout',
      'network',
      'deadline-exceeded',
      'unknown',
      'internal-error',
      'provider-unavailable',
    ]) {
      expect(certaintyOfVersion1Kind(kind)).toBe('uncertain');
    }
  });

  it('any damage is reported, never thrown, and the report never quotes a value', () => {
    const damage = fc.oneof(
      // Truncated anywhere.
      fc.nat().map((n) => (json: string) => json.slice(0, n % json.length)),
      // A field replaced by a value of another shape.
      fc
        .tuple(
          fc.constantFrom(
            'version',
            'eventId',
            'to',
            'channel',
            'certainty',
            'sealedCode',
            'expiresAt',
            'attempts',
            'error',
          ),
          fc.oneof(fc.constant(null), fc.integer(), fc.constant('+15550001111 000000'), fc.array(fc.nat())),
        )
        .map(
          ([field, value]) =>
            (json: string) =>
              JSON.stringify({ ...JSON.parse(json), [field]: value }),
        ),
      // A field dropped.
      fc.constantFrom('eventId', 'sealedCode', 'certainty', 'to', 'error').map((field) => (json: string) => {
        const { [field]: _, ...rest } = JSON.parse(json) as Record<string, unknown>;
        return JSON.stringify(rest);
      }),
    );
    fc.assert(
      fc.property(letterArb, damage, (letter, damageOf) => {
        const damaged = damageOf(JSON.stringify(letter));
        const reading = readDeadLetter(damaged);
        if (reading.ok) return; // Some damage leaves a valid letter (a truncation at the very end, a no-op).
        expect(reading.issues.length).toBeGreaterThan(0);
        const report = reading.issues.join(' ');
        expect(report).not.toContain(letter.to);
        expect(report).not.toContain('5550001111');
        expect(report).not.toContain(letter.sealedCode.ciphertext);
      }),
    );
  });
});

describe('Deadline (property)', () => {
  it('time left never goes negative, shrinks as time passes, and earlier/atLeast keep their promises', () => {
    fc.assert(
      fc.property(
        epochMs,
        fc.nat({ max: 10_000 }),
        fc.nat({ max: 20_000 }),
        fc.nat({ max: 5_000 }),
        (start, budget, later, ms) => {
          const deadline = Deadline.after(start, budget);
          const now = start + later;
          expect(deadline.remaining(now)).toBe(Math.max(0, budget - later));
          expect(deadline.passed(now)).toBe(later >= budget);
          expect(deadline.earlier(ms).remaining(now)).toBe(Math.max(0, budget - ms - later));
          const slot = deadline.atLeast(now, ms);
          expect(slot.remaining(now)).toBe(Math.max(deadline.remaining(now), ms));
          expect(slot.startedAt).toBe(start);
        },
      ),
    );
  });
});
