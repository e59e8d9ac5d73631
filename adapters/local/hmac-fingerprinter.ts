import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import type { Fingerprinter } from '../../ports/fingerprinter';

/**
 * HMAC-SHA256 over the parts, each length-prefixed so ("ab","c") and ("a","bc") never collide.
 * adapters/kms/kms-derived-fingerprinter.ts encodes the same way (adapters may not import each other).
 */
export function hmacFingerprint(key: Buffer | Uint8Array | KeyObject, parts: readonly string[]): string {
  const mac = createHmac('sha256', key);
  for (const part of parts) {
    const bytes = Buffer.from(part, 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    mac.update(length).update(bytes);
  }
  return mac.digest('base64url');
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
