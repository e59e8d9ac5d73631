import { readFileSync } from 'node:fs';
import { Script } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { AUTH0_ACTION_FILE } from '../../app/local/auth0-actions-runtime';

/**
 * The Action is pasted into Auth0 as it is: it must fit Auth0's limits for an Action and need nothing
 * Auth0 does not give it. (Its behaviour: test/integration/auth0-action.test.ts.)
 */
const source = readFileSync(AUTH0_ACTION_FILE, 'utf8');

describe('the shipped Auth0 Action source', () => {
  it('is well under the 100 kB Auth0 allows an Action', () => {
    expect(Buffer.byteLength(source)).toBeLessThan(20_000);
  });

  it('has no dependencies: no require, no import; only what Node 18+ has (fetch, AbortController)', () => {
    expect(source).not.toMatch(/\brequire\s*\(/);
    expect(source).not.toMatch(/^\s*import\b|\bimport\s*\(/m);
    // Compiles as the CommonJS function body Auth0 wraps it in.
    expect(() => new Script(`(function (exports, require, module) {${source}\n})`)).not.toThrow();
    expect(source).toMatch(/^exports\.onExecuteCustomPhoneProvider = async \(event, api\) =>/m);
  });

  it('never logs: nothing it has (a code, a number, a token) can reach Auth0’s logs through it', () => {
    expect(source).not.toMatch(/\bconsole\./);
  });
});
