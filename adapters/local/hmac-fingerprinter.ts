import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import { fingerprintInput } from '../../domain/fingerprint-input';
import type { Fingerprinter } from '../../ports/fingerprinter';

/** HMAC-SHA256 over the parts, encoded as domain/fingerprint-input.ts says. */
export function hmacFingerprint(key: Buffer | Uint8Array | KeyObject, parts: readonly string[]): string {
  return createHmac('sha256', key).update(fingerprintInput(parts)).digest('base64url');
}

/** Keyed fingerprints under a local key (the laptop stack, tests). */
export class HmacFingerprinter implements Fingerprinter {
  // A KeyObject is imported once; a raw Buffer would be imported again on every HMAC (~3 µs each).
  private readonly key: KeyObject;

  constructor(key: Buffer) {
    if (key.length < 32) throw new Error('fingerprint key must be at least 32 bytes');
    this.key = createSecretKey(key);
  }

  async fingerprint(parts: readonly string[]): Promise<string> {
    return hmacFingerprint(this.key, parts);
  }
}
