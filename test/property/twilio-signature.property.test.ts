import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { twilioSignature, verifyTwilioSignature } from '../../adapters/twilio/twilio-signature';

const name = fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{0,15}$/);
const params = fc.dictionary(name, fc.string({ maxLength: 40 }), { minKeys: 1, maxKeys: 8 });
const url = fc.webUrl({ withQueryParameters: true });
const token = fc.string({ minLength: 1, maxLength: 40 });

describe('X-Twilio-Signature, property', () => {
  it('what was signed verifies, whatever the URL, token and parameters', () => {
    fc.assert(
      fc.property(token, url, params, (t, u, p) => {
        expect(verifyTwilioSignature(t, [u], p, twilioSignature(t, u, p))).toBe(true);
      }),
    );
  });

  it('any tampering fails: a changed, added or dropped parameter, another URL, another token', () => {
    const tampering = fc.oneof(
      fc.record({ kind: fc.constant('value' as const), suffix: fc.string({ minLength: 1, maxLength: 5 }) }),
      fc.record({ kind: fc.constant('add' as const), key: name, value: fc.string({ maxLength: 5 }) }),
      fc.record({ kind: fc.constant('drop' as const) }),
      fc.record({ kind: fc.constant('url' as const), suffix: fc.stringMatching(/^[a-z0-9]{1,5}$/) }),
      fc.record({ kind: fc.constant('token' as const), suffix: fc.string({ minLength: 1, maxLength: 5 }) }),
    );
    fc.assert(
      fc.property(token, url, params, tampering, fc.nat(), (t, u, p, change, pick) => {
        const signature = twilioSignature(t, u, p);
        const keys = Object.keys(p);
        const target = keys[pick % keys.length] as string;
        let t2 = t;
        let u2 = u;
        const p2: Record<string, string> = { ...p };
        switch (change.kind) {
          case 'value':
            p2[target] = `${p[target]}${change.suffix}`;
            break;
          case 'add':
            fc.pre(!(change.key in p));
            p2[change.key] = change.value;
            break;
          case 'drop':
            // Dropping a parameter whose name+value is empty leaves the signed string unchanged.
            fc.pre(`${target}${p[target]}` !== '');
            delete p2[target];
            break;
          case 'url':
            u2 = `${u}${u.includes('?') ? '&' : '?'}x=${change.suffix}`;
            break;
          case 'token':
            t2 = `${t}${change.suffix}`;
            break;
        }
        expect(verifyTwilioSignature(t2, [u2], p2, signature)).toBe(false);
      }),
    );
  });
});
