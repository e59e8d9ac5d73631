import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Auth0Inbound } from '../../adapters/auth0/auth0-inbound';
import { HmacFingerprinter } from '../../adapters/local/hmac-fingerprinter';
import '../support/fast-check-seed';

const inbound = new Auth0Inbound(new HmacFingerprinter(randomBytes(32)));
const context = { defaultPhoneRegion: 'US' as const, receivedAt: Date.parse('2026-11-29T08:00:00Z') };

// 6+ digits: no rule text can contain the code by chance.
const codeArb = fc.stringMatching(/^[0-9]{6,10}$/);
const phoneArb = fc.constantFrom(
  '+14155550123',
  '+1-808-555-5555',
  '+447911123456',
  '+33 6 12 34 56 78',
  '4155550123',
);
const hostileString = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.string({ unit: 'grapheme', maxLength: 60 }),
  fc.constantFrom('', ' ', '\u0000', '{{code}}', '<speak>', '__proto__', 'constructor', 'a'.repeat(5000)),
);
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.array(fc.string({ maxLength: 10 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 10 }), fc.string({ maxLength: 10 }), { maxKeys: 3 }),
);

/** A valid body, with any of its fields replaced by something hostile or removed. */
const mutatedBody = fc
  .record({
    code: codeArb,
    recipient: phoneArb,
    method: fc.constantFrom('text', 'voice'),
    type: fc.constantFrom('otp_verify', 'otp_enroll', 'change_password', 'blocked_account'),
    mutations: fc.array(
      fc.tuple(
        fc.constantFrom(
          'notification.recipient',
          'notification.code',
          'notification.delivery_method',
          'notification.message_type',
          'notification.locale',
          'notification.as_text',
          'tenant.id',
          'user.given_name',
          'user.user_id',
          'request.ip',
          'user.locale',
          'request.language',
          'notification',
          'tenant',
          'user',
        ),
        hostileValue,
      ),
      { maxLength: 4 },
    ),
  })
  .map(({ code, recipient, method, type, mutations }) => {
    const json: Record<string, Record<string, unknown>> = {
      notification: {
        recipient,
        code,
        delivery_method: method,
        message_type: type,
        locale: 'en-US',
        as_text: `Your code is ${code}`,
      },
      tenant: { id: 'dev-tenant' },
      user: { given_name: 'Ana' },
      request: { language: 'en' },
    };
    for (const [path, value] of mutations) {
      const [top, field] = path.split('.') as [string, string | undefined];
      if (field === undefined) (json as Record<string, unknown>)[top] = value;
      else if (typeof json[top] === 'object' && json[top] !== null) json[top][field] = value;
    }
    return { json, code, recipient };
  });

describe('Auth0 phone message parsing (property)', () => {
  it('never throws on hostile input, and never echoes a value in its issues', async () => {
    await fc.assert(
      fc.asyncProperty(mutatedBody, async ({ json, code, recipient }) => {
        const decision = await inbound.read(json, context);
        if (decision.ok) {
          const r = decision.request;
          expect(r.phone).toMatch(/^\+[1-9][0-9]{6,14}$/);
          expect(r.code).toMatch(/^[0-9]{4,10}$/);
          expect(['sms', 'voice']).toContain(r.channel);
          expect(r.eventId).toMatch(/^auth0-[A-Za-z0-9_-]{32}$/);
          expect(r.eventId).not.toContain(r.code);
          expect(r.requestedLocale.length).toBeLessThanOrEqual(35);
        } else {
          const issues = decision.rejection.kind === 'invalid-request' ? decision.rejection.issues : [];
          expect(issues.length).toBeGreaterThan(0);
          const text = issues.join('\n');
          expect(text).not.toContain(code);
          expect(text).not.toContain(recipient.replace(/\D/g, '').slice(-7));
          expect(JSON.stringify(inbound.rejected(decision.rejection).body)).not.toContain(code);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('reads any JSON object without throwing', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.string({ maxLength: 20 }), fc.jsonValue({ maxDepth: 3 })),
        async (json) => {
          const decision = await inbound.read(json, context);
          expect(typeof decision.ok).toBe('boolean');
        },
      ),
      { numRuns: 300 },
    );
  });
});
