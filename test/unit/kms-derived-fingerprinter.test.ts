import type { GenerateMacCommand, KMSClient } from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import { KmsDerivedFingerprinter } from '../../adapters/kms/kms-derived-fingerprinter';

type Answer = 'hang' | 'hang-ignoring-abort' | 'ok';

/**
 * A KMS client stand-in that answers GenerateMac as scripted, one answer per call, and records whether
 * each call was aborted. The real SDK against hung endpoints is in test/integration/aws-calls-bounded.
 */
function scriptedKms(...answers: Answer[]) {
  const calls: { aborted: () => boolean }[] = [];
  const client = {
    send(_command: GenerateMacCommand, options: { abortSignal?: AbortSignal } = {}) {
      const answer = answers[calls.length] ?? 'ok';
      const signal = options.abortSignal;
      calls.push({ aborted: () => signal?.aborted ?? false });
      if (answer === 'ok') return Promise.resolve({ Mac: new Uint8Array(32).fill(calls.length) });
      return new Promise((_, reject) => {
        if (answer === 'hang') signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
      });
    },
  };
  return { client: client as unknown as KMSClient, calls };
}

describe('KmsDerivedFingerprinter: a hung derivation is bounded, and never cached', () => {
  it('a derivation KMS never answers is abandoned at its bound; the next request derives again', async () => {
    const { client, calls } = scriptedKms('hang');
    const fingerprinter = new KmsDerivedFingerprinter(client, { keyId: 'k', deriveTimeoutMs: 40 });
    const started = Date.now();
    await expect(fingerprinter.fingerprint(['a'])).rejects.toMatchObject({
      name: 'KmsDerivationTimeoutError',
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(35);
    expect(calls[0]?.aborted()).toBe(true);

    await expect(fingerprinter.fingerprint(['a'])).resolves.toMatch(/^[\w-]{43}$/);
    expect(calls).toHaveLength(2);
    // Derived once it worked: later requests make no KMS call.
    await fingerprinter.fingerprint(['b']);
    expect(calls).toHaveLength(2);
  });

  it('a client that ignores the abort still cannot hold a request past the bound', async () => {
    const { client } = scriptedKms('hang-ignoring-abort');
    const fingerprinter = new KmsDerivedFingerprinter(client, { keyId: 'k', deriveTimeoutMs: 40 });
    await expect(fingerprinter.fingerprint(['a'])).rejects.toMatchObject({
      name: 'KmsDerivationTimeoutError',
    });
    await expect(fingerprinter.fingerprint(['a'])).resolves.toMatch(/^[\w-]{43}$/);
  });

  it('a derivation older than its bound on the clock (a Lambda frozen mid-call) is replaced, not awaited', async () => {
    let now = 1_750_000_000_000;
    const { client, calls } = scriptedKms('hang-ignoring-abort');
    // The timer would only fire after a minute: the fake clock alone says the derivation is stale.
    const fingerprinter = new KmsDerivedFingerprinter(client, {
      keyId: 'k',
      deriveTimeoutMs: 60_000,
      clock: { now: () => now },
    });
    const stuck = fingerprinter.fingerprint(['a']);
    stuck.catch(() => undefined);
    now += 60_001; // thawed a minute later
    await expect(fingerprinter.fingerprint(['a'])).resolves.toMatch(/^[\w-]{43}$/);
    expect(calls).toHaveLength(2);
    // The stale one was aborted, so whoever still waited on it is released too.
    await expect(stuck).rejects.toMatchObject({ name: 'KmsDerivationTimeoutError' });
  });

  it("a request's own deadline releases it at once; the shared derivation goes on for the others", async () => {
    let answer: (value: { Mac: Uint8Array }) => void = () => undefined;
    const calls: number[] = [];
    const client = {
      send: () => {
        calls.push(Date.now());
        return new Promise((resolve) => {
          answer = resolve;
        });
      },
    } as unknown as KMSClient;
    const fingerprinter = new KmsDerivedFingerprinter(client, { keyId: 'k', deriveTimeoutMs: 5_000 });
    const deadline = new AbortController();
    const first = fingerprinter.fingerprint(['a'], { signal: deadline.signal });
    const second = fingerprinter.fingerprint(['a']);
    deadline.abort(new Error('request deadline'));
    await expect(first).rejects.toThrow('request deadline');
    answer({ Mac: new Uint8Array(32).fill(7) });
    await expect(second).resolves.toMatch(/^[\w-]{43}$/);
    expect(calls).toHaveLength(1);
  });
});
