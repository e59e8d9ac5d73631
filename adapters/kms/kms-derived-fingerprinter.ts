import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import { GenerateMacCommand, type KMSClient } from '@aws-sdk/client-kms';
import { fingerprintInput } from '../../domain/fingerprint-input';
import type { Clock } from '../../ports/clock';
import type { Fingerprinter } from '../../ports/fingerprinter';

export interface KmsDerivedFingerprinterSettings {
  /** An HMAC_SHA_256 KMS key. */
  readonly keyId: string;
  /**
   * How long one derivation may take before it is abandoned and the next request starts another
   * (default 1,000 ms: the KMS client's own bound with two attempts).
   */
  readonly deriveTimeoutMs?: number;
  /** Tells a derivation that outlived its bound while the process was frozen (Lambda) from a live one. */
  readonly clock?: Clock;
}

/** Changing the label changes every fingerprint (and so every idempotency key): version it, never edit it. */
export const FINGERPRINT_KEY_LABEL = 'otp-courier/fingerprint/v1';

const DEFAULT_DERIVE_TIMEOUT_MS = 1_000;

interface Derivation {
  readonly key: Promise<KeyObject>;
  readonly startedAt: number;
  readonly abort: () => void;
}

/**
 * Keyed fingerprints whose key never leaves KMS at rest: once per process, KMS GenerateMac over a fixed
 * label derives an HMAC key (a PRF output, so a valid key), held only in memory. The hot path is then a
 * local HMAC — no KMS call, no latency, no KMS quota per request — and the key is the same in every
 * Lambda instance, so fingerprints agree across instances.
 *
 * The derivation is shared by every request waiting for it and bounded on its own: it is aborted after
 * `deriveTimeoutMs` whatever the client does, a failed one is forgotten so the next request asks KMS
 * again, and one older than its bound (a Lambda frozen mid-call and thawed later) is replaced rather
 * than awaited. Each caller waits only until its own deadline. So a KMS that hung at cold start costs
 * the requests of that moment, not every request of the warm instance after KMS recovered.
 */
export class KmsDerivedFingerprinter implements Fingerprinter {
  private key: KeyObject | undefined;
  private derivation: Derivation | undefined;
  private readonly deriveTimeoutMs: number;
  private readonly now: () => number;

  constructor(
    private readonly client: KMSClient,
    private readonly settings: KmsDerivedFingerprinterSettings,
  ) {
    this.deriveTimeoutMs = settings.deriveTimeoutMs ?? DEFAULT_DERIVE_TIMEOUT_MS;
    const clock = settings.clock;
    this.now = clock ? () => clock.now() : Date.now;
  }

  async fingerprint(
    parts: readonly string[],
    options: { readonly signal?: AbortSignal } = {},
  ): Promise<string> {
    const key = this.key ?? (await untilAborted(this.derivedKey(), options.signal));
    return createHmac('sha256', key).update(fingerprintInput(parts)).digest('base64url');
  }

  private derivedKey(): Promise<KeyObject> {
    const current = this.derivation;
    if (current && this.now() - current.startedAt <= this.deriveTimeoutMs) return current.key;
    // None yet, or one past its bound that its timer has not ended (the process was frozen): start afresh.
    current?.abort();
    const derivation = this.derive();
    this.derivation = derivation;
    derivation.key.then(
      (key) => {
        this.key = key;
      },
      () => {
        // Not memoised: the next request tries KMS again.
        if (this.derivation === derivation) this.derivation = undefined;
      },
    );
    return derivation.key;
  }

  private derive(): Derivation {
    const controller = new AbortController();
    const abort = () =>
      controller.abort(new KmsDerivationTimeoutError(`GenerateMac took over ${this.deriveTimeoutMs} ms`));
    const timer = setTimeout(abort, this.deriveTimeoutMs);
    const key = this.client
      .send(
        new GenerateMacCommand({
          KeyId: this.settings.keyId,
          MacAlgorithm: 'HMAC_SHA_256',
          Message: Buffer.from(FINGERPRINT_KEY_LABEL, 'utf8'),
        }),
        { abortSignal: controller.signal },
      )
      .then((out) => {
        if (!out.Mac || out.Mac.length < 32) throw new Error('KMS GenerateMac returned no usable MAC');
        // Imported once as a KeyObject: a raw key would be imported again on every HMAC.
        return createSecretKey(out.Mac);
      });
    // A client that ignores the abort still cannot hold the derivation past its bound.
    const bounded = untilAborted(key, controller.signal).finally(() => clearTimeout(timer));
    return { key: bounded, startedAt: this.now(), abort };
  }
}

export class KmsDerivationTimeoutError extends Error {
  override readonly name = 'KmsDerivationTimeoutError';
}

/** `work`, or the signal's reason as soon as it aborts; `work` itself is left to settle on its own. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
