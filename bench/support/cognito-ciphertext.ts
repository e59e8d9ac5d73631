import { buildClient, CommitmentPolicy, KmsKeyringNode } from '@aws-crypto/client-node';
import { KMS } from '@aws-sdk/client-kms';

/** The key the bench's Cognito trigger is told Cognito encrypts under (COGNITO_KMS_KEY_ARN). */
export const COGNITO_KEY_ARN = 'arn:aws:kms:us-east-1:000000000000:key/cognito-bench';

/**
 * A code as Cognito sends it to the trigger: an Encryption SDK message whose data key the fake AWS
 * endpoint's "KMS" (at `fakeUrl`) generated under COGNITO_KEY_ARN, base64.
 */
export async function encryptUnderFakeKms(code: string, fakeUrl: string): Promise<string> {
  const kms = new KMS({
    endpoint: fakeUrl,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench-secret' },
  });
  try {
    const { encrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
    const keyring = new KmsKeyringNode({ generatorKeyId: COGNITO_KEY_ARN, clientProvider: () => kms });
    return (await encrypt(keyring, code)).result.toString('base64');
  } finally {
    kms.destroy();
  }
}
