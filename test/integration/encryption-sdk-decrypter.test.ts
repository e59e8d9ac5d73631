import { randomBytes } from 'node:crypto';
import {
  AlgorithmSuiteIdentifier,
  buildClient,
  CommitmentPolicy,
  KmsKeyringNode,
  RawAesKeyringNode,
  RawAesWrappingSuiteIdentifier,
} from '@aws-crypto/client-node';
import { KMS, KMSClient } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  EncryptionSdkDecrypter,
  kmsKeyring,
  LOCAL_KEY_NAME,
  LOCAL_KEY_NAMESPACE,
  rawAesKeyring,
} from '../../adapters/encryption-sdk/encryption-sdk-decrypter';
import { boundedClientConfig } from '../../app/composition/aws-call-bounds';
import { encryptAsCognito } from '../../app/local/cognito-sample-event';
import { SecretUnreadableError } from '../../domain/errors';
import { FakeAwsEndpoint, fakeAwsClientConfig } from '../support/fake-aws-endpoint';
import { guardSecret } from '../support/secret-leak-guard';

/**
 * The trigger's decryption with the real AWS Encryption SDK, on both keyrings: the KMS keyring through our
 * bounded KMS client against a local KMS that speaks the JSON protocol (GenerateDataKey/Decrypt), and the
 * raw AES keyring that stands in for KMS locally.
 */
const KEY_ARN = 'arn:aws:kms:us-east-1:000000000000:key/cognito-pool-key';
let fake: FakeAwsEndpoint;
let kms: KMSClient;

beforeAll(async () => {
  fake = await FakeAwsEndpoint.start();
  kms = new KMSClient({
    ...fakeAwsClientConfig(fake),
    ...boundedClientConfig({ connectTimeoutMs: 300, requestTimeoutMs: 400, maxAttempts: 2 }),
  });
});
afterAll(async () => {
  kms.destroy();
  await fake.close();
});
beforeEach(() => fake.reset());

/** Encrypts as Cognito does: an Encryption SDK message whose data key KMS generated under the pool's key. */
async function encryptUnderKms(
  secret: string,
  options: { suite?: AlgorithmSuiteIdentifier; keyArn?: string } = {},
): Promise<string> {
  const client = new KMS(fakeAwsClientConfig(fake));
  const policy = options.suite
    ? CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT
    : CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT;
  const { encrypt } = buildClient(policy);
  const { result } = await encrypt(
    new KmsKeyringNode({ generatorKeyId: options.keyArn ?? KEY_ARN, clientProvider: () => client }),
    secret,
    {
      encryptionContext: { 'userpool-id': 'us-east-1_Example' },
      ...(options.suite ? { suiteId: options.suite } : {}),
    },
  );
  client.destroy();
  return result.toString('base64');
}

describe('EncryptionSdkDecrypter with the KMS keyring', () => {
  it('opens a message whose data key KMS made, with one Decrypt through our client', async () => {
    const code = guardSecret('90817263');
    const ciphertext = await encryptUnderKms(code);
    fake.reset();
    const plaintext = await new EncryptionSdkDecrypter(kmsKeyring(KEY_ARN, kms)).decrypt(ciphertext);
    expect(Buffer.from(plaintext).toString('utf8')).toBe(code);
    expect(fake.requestsFor('Decrypt')).toHaveLength(1);
    expect(fake.requestsFor('Decrypt')[0]?.body.KeyId).toBe(KEY_ARN);
  });

  it('opens a message without key commitment (what REQUIRE_ENCRYPT_ALLOW_DECRYPT is for)', async () => {
    const code = guardSecret('31415926');
    const ciphertext = await encryptUnderKms(code, {
      suite: AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384,
    });
    const plaintext = await new EncryptionSdkDecrypter(kmsKeyring(KEY_ARN, kms)).decrypt(ciphertext);
    expect(Buffer.from(plaintext).toString('utf8')).toBe(code);
  });

  it('refuses a message under another key, for good: trying again cannot help', async () => {
    const ciphertext = await encryptUnderKms(guardSecret('11223344'), {
      keyArn: 'arn:aws:kms:us-east-1:000000000000:key/someone-else',
    });
    const error = await new EncryptionSdkDecrypter(kmsKeyring(KEY_ARN, kms))
      .decrypt(ciphertext)
      .catch((e) => e);
    expect(error).toBeInstanceOf(SecretUnreadableError);
    expect(error.mayPass).toBe(false);
    expect(fake.requestsFor('Decrypt')).toHaveLength(0);
  });

  it('a throttled or hung KMS fails within its bound and says it may pass (Lambda retries the event)', async () => {
    const ciphertext = await encryptUnderKms(guardSecret('55667788'));
    fake.failNext({ type: 'throttle' }, { target: 'Decrypt', times: 2 });
    const decrypter = new EncryptionSdkDecrypter(kmsKeyring(KEY_ARN, kms));
    const throttled = await decrypter.decrypt(ciphertext).catch((e) => e);
    expect(throttled, String(throttled?.stack ?? throttled)).toBeInstanceOf(SecretUnreadableError);
    expect(throttled.mayPass).toBe(true);

    fake.failNext({ type: 'hang' }, { target: 'Decrypt', times: 5 });
    const started = Date.now();
    const hung = await decrypter.decrypt(ciphertext, { signal: AbortSignal.timeout(300) }).catch((e) => e);
    expect(Date.now() - started).toBeLessThan(1500);
    expect(hung).toBeInstanceOf(SecretUnreadableError);
    expect(hung.mayPass).toBe(true);
  });

  it('refuses what is not base64 without loading anything', async () => {
    const error = await new EncryptionSdkDecrypter(kmsKeyring(KEY_ARN, kms)).decrypt('%%%').catch((e) => e);
    expect(error).toBeInstanceOf(SecretUnreadableError);
    expect(error.mayPass).toBe(false);
  });
});

describe('EncryptionSdkDecrypter with the raw AES keyring (the local stand-in)', () => {
  it('opens what `npm run send -- --idp cognito` encrypts, again and again (the keyring zeroes its copy)', async () => {
    const key = randomBytes(32);
    const decrypter = new EncryptionSdkDecrypter(rawAesKeyring(key));
    for (const code of ['12345678', 'Xy7#kP2m!q']) {
      const secret = guardSecret(code);
      const plaintext = await decrypter.decrypt(await encryptAsCognito(secret, key));
      expect(Buffer.from(plaintext).toString('utf8')).toBe(secret);
    }
  });

  it('refuses a message under another raw key', async () => {
    const { encrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT);
    const other = new RawAesKeyringNode({
      keyNamespace: LOCAL_KEY_NAMESPACE,
      keyName: LOCAL_KEY_NAME,
      unencryptedMasterKey: Uint8Array.from(randomBytes(32)),
      wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
    });
    const { result } = await encrypt(other, guardSecret('99887766'));
    const error = await new EncryptionSdkDecrypter(rawAesKeyring(randomBytes(32)))
      .decrypt(result.toString('base64'))
      .catch((e) => e);
    expect(error).toBeInstanceOf(SecretUnreadableError);
    expect(error.mayPass).toBe(false);
  });
});
