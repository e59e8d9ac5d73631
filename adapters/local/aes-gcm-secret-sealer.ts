import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { SealedSecret } from '../../domain/dead-letter';
import type { SecretSealer } from '../../ports/secret-sealer';

export const AES_GCM_SCHEME = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Seals passcodes with AES-256-GCM under a local key, for the laptop stack. The event id is the GCM
 * additional data, so a sealed code does not open under another event. Ciphertext packs iv | tag | data.
 */
export class AesGcmSecretSealer implements SecretSealer {
  /** A short fingerprint of the key, so letters name the key that opens them without revealing it. */
  readonly keyId: string;

  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('AES-256-GCM needs a 32-byte key');
    this.keyId = `local:${createHash('sha256').update('otp-courier/key-id/v1').update(key).digest('hex').slice(0, 16)}`;
  }

  async seal(plaintext: string, eventId: string): Promise<SealedSecret> {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(eventId, 'utf8'));
    const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return {
      scheme: AES_GCM_SCHEME,
      keyId: this.keyId,
      ciphertext: Buffer.concat([iv, cipher.getAuthTag(), data]).toString('base64'),
    };
  }

  async unseal(sealed: SealedSecret, eventId: string): Promise<string> {
    if (sealed.scheme !== AES_GCM_SCHEME)
      throw new Error(`cannot unseal scheme "${sealed.scheme}" with AES-GCM`);
    if (sealed.keyId !== this.keyId) throw new Error(`sealed with key ${sealed.keyId}, not ${this.keyId}`);
    const packed = Buffer.from(sealed.ciphertext, 'base64');
    if (packed.length < IV_BYTES + TAG_BYTES) throw new Error('sealed secret is truncated');
    const decipher = createDecipheriv('aes-256-gcm', this.key, packed.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(eventId, 'utf8'));
    decipher.setAuthTag(packed.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    try {
      return Buffer.concat([
        decipher.update(packed.subarray(IV_BYTES + TAG_BYTES)),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      // Node's message is generic too; this one says what it means for the caller.
      throw new Error('sealed secret failed authentication (tampered, or another event id)');
    }
  }
}
