import { DecryptCommand, EncryptCommand, type KMSClient } from '@aws-sdk/client-kms';
import type { SealedSecret } from '../../domain/dead-letter';
import type { CallOptions } from '../../ports/call-options';
import type { SecretSealer } from '../../ports/secret-sealer';

export interface KmsSecretSealerSettings {
  /** Key id, ARN or alias of a symmetric encryption key. */
  readonly keyId: string;
}

export const KMS_SCHEME = 'kms';

/**
 * Seals passcodes with KMS Encrypt. The event id is the encryption context, so a sealed code only opens
 * for the event it belongs to, and every Decrypt is audited in CloudTrail with that event id.
 */
export class KmsSecretSealer implements SecretSealer {
  constructor(
    private readonly client: KMSClient,
    private readonly settings: KmsSecretSealerSettings,
  ) {}

  async seal(plaintext: string, eventId: string, options: CallOptions = {}): Promise<SealedSecret> {
    const out = await this.client.send(
      new EncryptCommand({
        KeyId: this.settings.keyId,
        Plaintext: Buffer.from(plaintext, 'utf8'),
        EncryptionContext: { eventId },
      }),
      { abortSignal: options.signal },
    );
    if (!out.CiphertextBlob) throw new Error('KMS Encrypt returned no ciphertext');
    return {
      scheme: KMS_SCHEME,
      // The ARN KMS reports, so unsealing works even if an alias is later repointed.
      keyId: out.KeyId ?? this.settings.keyId,
      ciphertext: Buffer.from(out.CiphertextBlob).toString('base64'),
    };
  }

  async unseal(sealed: SealedSecret, eventId: string): Promise<string> {
    if (sealed.scheme !== KMS_SCHEME) throw new Error(`cannot unseal scheme "${sealed.scheme}" with KMS`);
    const out = await this.client.send(
      new DecryptCommand({
        KeyId: sealed.keyId,
        CiphertextBlob: Buffer.from(sealed.ciphertext, 'base64'),
        EncryptionContext: { eventId },
      }),
    );
    if (!out.Plaintext) throw new Error('KMS Decrypt returned no plaintext');
    return Buffer.from(out.Plaintext).toString('utf8');
  }
}
