import { buildDecrypt } from '@aws-crypto/decrypt-node';
import { KmsKeyringClass } from '@aws-crypto/kms-keyring';
import {
  CommitmentPolicy,
  immutableClass,
  KeyringNode,
  type NodeAlgorithmSuite,
} from '@aws-crypto/material-management-node';
import { RawAesKeyringNode, RawAesWrappingSuiteIdentifier } from '@aws-crypto/raw-aes-keyring-node';
import { DecryptCommand, type DecryptCommandInput, type KMSClient } from '@aws-sdk/client-kms';

/**
 * The AWS Encryption SDK for JavaScript (the packages @aws-crypto/client-node bundles, of the same
 * release), loaded only when the first secret is decrypted: see encryption-sdk-decrypter.ts.
 *
 * The KMS keyring is built from its class and our own KMS client rather than through KmsKeyringNode,
 * whose module imports the SDK's aggregated `KMS` client (every command) for its default client supplier:
 * our bounded client (connect/request timeouts, the request's abort signal) makes the one Decrypt call.
 */
class BoundedKmsKeyring extends KmsKeyringClass<NodeAlgorithmSuite, KmsDecryptOnly>(
  KeyringNode as unknown as Parameters<typeof KmsKeyringClass>[0],
) {}
// As the SDK does for its own keyrings: the instance cannot be altered once made.
immutableClass(BoundedKmsKeyring);

// Cognito's messages carry one encrypted data key, under the user pool's key; a message with many is
// either not Cognito's or a denial of service (each key is a KMS call).
const MAX_ENCRYPTED_DATA_KEYS = 2;
// A code or a temporary password is a few bytes; refuse anything that decrypts to more.
const MAX_BODY_SIZE = 4096;

/**
 * As AWS documents for Cognito's custom sender triggers: Cognito's ciphertexts may use an algorithm suite
 * without key commitment, so decrypting must allow them; encrypting (the local stand-in) commits.
 */
const { decrypt } = buildDecrypt({
  commitmentPolicy: CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT,
  maxEncryptedDataKeys: MAX_ENCRYPTED_DATA_KEYS,
});

interface KmsDecryptOnly {
  decrypt(args: DecryptCommandInput): Promise<never>;
  encrypt(): Promise<never>;
  generateDataKey(): Promise<never>;
}

/** Marks a failure of the KMS call itself, which may pass, apart from a message that cannot be opened. */
export class KmsCallFailed extends Error {
  override readonly name = 'KmsCallFailed';
}

export type KeyringSpec =
  | { readonly kind: 'kms'; readonly keyArn: string; readonly client: KMSClient }
  | {
      readonly kind: 'raw-aes';
      readonly keyNamespace: string;
      readonly keyName: string;
      readonly key: Uint8Array;
    };

function keyringFor(
  spec: KeyringSpec,
  signal: AbortSignal | undefined,
  onKmsFailure: () => void,
): KeyringNode {
  if (spec.kind === 'raw-aes') {
    return new RawAesKeyringNode({
      keyNamespace: spec.keyNamespace,
      keyName: spec.keyName,
      // The keyring takes the key over and zeroes what it was given: a fresh copy for each one.
      unencryptedMasterKey: Uint8Array.from(spec.key),
      wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
    });
  }
  const supplier: KmsDecryptOnly = {
    decrypt: (input) =>
      spec.client
        .send(new DecryptCommand(input), {
          ...(signal ? { abortSignal: signal } : {}),
        })
        .catch((error: unknown) => {
          // The keyring folds a failed call into its own "unable to decrypt" error: say it here.
          onKmsFailure();
          throw new KmsCallFailed(error instanceof Error ? error.name : 'KMS Decrypt failed', {
            cause: error,
          });
        }) as Promise<never>,
    encrypt: () => Promise.reject(new Error('decrypt only')),
    generateDataKey: () => Promise.reject(new Error('decrypt only')),
  };
  // Strict mode: only the configured key may open the message (no discovery of whatever key it names).
  return new BoundedKmsKeyring({
    keyIds: [spec.keyArn],
    clientProvider: () => supplier,
  }) as unknown as KeyringNode;
}

/** Decrypts one Encryption SDK message; the plaintext is returned as bytes for the caller to zero. */
export async function decryptMessage(
  spec: KeyringSpec,
  ciphertext: Uint8Array,
  signal: AbortSignal | undefined,
): Promise<Uint8Array> {
  let kmsFailed = false;
  try {
    const keyring = keyringFor(spec, signal, () => {
      kmsFailed = true;
    });
    const { plaintext } = await decrypt(keyring, ciphertext, { maxBodySize: MAX_BODY_SIZE });
    return plaintext;
  } catch (error) {
    if (kmsFailed) throw new KmsCallFailed('KMS Decrypt failed', { cause: error });
    throw error;
  }
}
