import type { KMSClient } from '@aws-sdk/client-kms';
import { SecretUnreadableError } from '../../domain/errors';
import type { CallOptions } from '../../ports/call-options';
import type { SecretDecrypter } from '../../ports/secret-decrypter';
import type { KeyringSpec } from './encryption-sdk-runtime';

type Runtime = typeof import('./encryption-sdk-runtime');

/**
 * Opens AWS Encryption SDK messages (what Cognito puts in a custom sender trigger's `request.code`) with a
 * keyring: KMS in AWS, a raw AES key locally (the same library and message format; the key stands in for
 * KMS). A raw KMS Decrypt cannot read these messages: they are envelopes, with the data key inside.
 *
 * The SDK is imported on the first decryption, not at start: its modules cost the Lambda's init (see
 * `npm run bench`), and a function that is never invoked for a while should not pay it up front.
 */
export class EncryptionSdkDecrypter implements SecretDecrypter {
  private runtime: Promise<Runtime> | undefined;

  constructor(private readonly keyring: KeyringSpec) {}

  /** Starts loading the SDK now, for a caller that knows a decryption is coming (warm-up). */
  preload(): Promise<void> {
    return this.load().then(() => undefined);
  }

  async decrypt(ciphertextBase64: string, options: CallOptions = {}): Promise<Uint8Array> {
    const bytes = Buffer.from(ciphertextBase64, 'base64');
    if (
      bytes.length === 0 ||
      bytes.toString('base64').replace(/=+$/, '') !== ciphertextBase64.replace(/=+$/, '')
    )
      throw new SecretUnreadableError('the encrypted secret is not base64', false);
    const runtime = await this.load();
    try {
      return await runtime.decryptMessage(this.keyring, bytes, options.signal);
    } catch (error) {
      const kmsFailed = error instanceof runtime.KmsCallFailed || options.signal?.aborted === true;
      // The SDK's messages describe the message's structure, never its plaintext; keep the class name only.
      throw new SecretUnreadableError(
        kmsFailed
          ? `the key service could not decrypt the secret (${error instanceof Error ? error.message : 'error'})`
          : 'the encrypted secret could not be opened with the configured key',
        kmsFailed,
        { cause: error },
      );
    }
  }

  private load(): Promise<Runtime> {
    this.runtime ??= import('./encryption-sdk-runtime');
    return this.runtime;
  }
}

/** The keyring of a deployed trigger: the user pool's KMS key (its full ARN), called through `client`. */
export function kmsKeyring(keyArn: string, client: KMSClient): KeyringSpec {
  return { kind: 'kms', keyArn, client };
}

/** The raw AES key's namespace and name a local encrypting side must use too (they are in the message). */
export const LOCAL_KEY_NAMESPACE = 'otp-courier-local';
export const LOCAL_KEY_NAME = 'cognito';

/** A local stand-in for KMS: a 256-bit AES key, under a namespace and name both sides agree on. */
export function rawAesKeyring(
  key: Uint8Array,
  keyNamespace = LOCAL_KEY_NAMESPACE,
  keyName = LOCAL_KEY_NAME,
): KeyringSpec {
  if (key.length !== 32) throw new Error('a raw AES keyring needs a 256-bit key');
  // The SDK wants the key in a buffer of its own (not a slice of Node's shared pool).
  return { kind: 'raw-aes', keyNamespace, keyName, key: Uint8Array.from(key) };
}
