import type { CallOptions } from './call-options';

/**
 * Opens a secret an IdP sent encrypted (Cognito's `request.code`). Resolves with the plaintext bytes, which
 * the caller zeroes as soon as it has what it needs; rejects with SecretUnreadableError (domain) saying
 * whether trying again may help. Never logs or echoes either side.
 */
export interface SecretDecrypter {
  decrypt(ciphertextBase64: string, options?: CallOptions): Promise<Uint8Array>;
}
