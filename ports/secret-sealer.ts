import type { SealedSecret } from '../domain/dead-letter';
import type { CallOptions } from './call-options';

/**
 * Encrypts the passcode for storage at rest. The event id is bound to the ciphertext
 * (KMS encryption context / AES-GCM additional data) so a sealed code cannot be moved to another event.
 */
export interface SecretSealer {
  seal(plaintext: string, eventId: string, options?: CallOptions): Promise<SealedSecret>;
  unseal(sealed: SealedSecret, eventId: string): Promise<string>;
}
