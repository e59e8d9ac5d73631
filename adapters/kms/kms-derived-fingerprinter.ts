import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import { GenerateMacCommand, type KMSClient } from '@aws-sdk/client-kms';
import { fingerprintInput } from '../../domain/fingerprint-input';
import type { Fingerprinter } from '../../ports/fingerprinter';

export interface KmsDerivedFingerprinterSettings {
  /** An HMAC_SHA_256 KMS key. */
  readonly keyId: string;
}

/** Changing the label changes every fingerprint (and so every idempotency key): version it, never edit it. */
export const FINGERPRINT_KEY_LABEL = 'otp-courier/fingerprint/v1';

/**
 * Keyed fingerprints whose key never leaves KMS at rest: once per process, KMS GenerateMac over a fixed
 * label derives an HMAC key (a PRF output, so a valid key), held only in memory. The hot path is then a
 * local HMAC — no KMS call, no latency, no KMS quota per request — and the key is the same in every
 * Lambda instance, so fingerprints agree across instances.
 */
export class KmsDerivedFingerprinter implements Fingerprinter {
  private derivedKey: Promise<KeyObject> | undefined;

  constructor(
    private readonly client: KMSClient,
    private readonly settings: KmsDerivedFingerprinterSettings,
  ) {}

  async fingerprint(parts: readonly string[]): Promise<string> {
    return createHmac('sha256', await this.key())
      .update(fingerprintInput(parts))
      .digest('base64url');
  }

  private key(): Promise<KeyObject> {
    if (!this.derivedKey) {
      const pending = this.derive();
      this.derivedKey = pending;
      // A failed derivation is not memoised: the next request tries KMS again.
      pending.catch(() => {
        if (this.derivedKey === pending) this.derivedKey = undefined;
      });
    }
    return this.derivedKey;
  }

  private async derive(): Promise<KeyObject> {
    const out = await this.client.send(
      new GenerateMacCommand({
        KeyId: this.settings.keyId,
        MacAlgorithm: 'HMAC_SHA_256',
        Message: Buffer.from(FINGERPRINT_KEY_LABEL, 'utf8'),
      }),
    );
    if (!out.Mac || out.Mac.length < 32) throw new Error('KMS GenerateMac returned no usable MAC');
    // Imported once as a KeyObject: a raw key would be imported again on every HMAC.
    return createSecretKey(out.Mac);
  }
}
