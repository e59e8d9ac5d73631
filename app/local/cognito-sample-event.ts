import { randomInt, randomUUID } from 'node:crypto';
import {
  buildClient,
  CommitmentPolicy,
  RawAesKeyringNode,
  RawAesWrappingSuiteIdentifier,
} from '@aws-crypto/client-node';
import {
  COGNITO_TRIGGER_SOURCES,
  type CognitoTriggerSource,
} from '../../adapters/cognito/cognito-sms-sender-event';
import { LOCAL_KEY_NAME, LOCAL_KEY_NAMESPACE } from '../../adapters/encryption-sdk/encryption-sdk-decrypter';

/** The trigger names as `npm run send -- --trigger` takes them: ForgotPassword, SignUp, … */
export const COGNITO_TRIGGERS = COGNITO_TRIGGER_SOURCES.map((source) =>
  source.replace('CustomSMSSender_', ''),
);

export function triggerSourceOf(name: string): CognitoTriggerSource | undefined {
  const source = `CustomSMSSender_${name}`;
  return (COGNITO_TRIGGER_SOURCES as readonly string[]).includes(source)
    ? (source as CognitoTriggerSource)
    : undefined;
}

const { encrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT);

/**
 * Encrypts a secret as Cognito does — an AWS Encryption SDK message, base64 — with a raw AES keyring
 * standing in for the user pool's KMS key: the same library and message format the trigger opens.
 */
export async function encryptAsCognito(secret: string, key: Uint8Array): Promise<string> {
  const keyring = new RawAesKeyringNode({
    keyNamespace: LOCAL_KEY_NAMESPACE,
    keyName: LOCAL_KEY_NAME,
    // The SDK wants the key in a buffer of its own (not a slice of Node's shared pool).
    unencryptedMasterKey: Uint8Array.from(key),
    wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
  });
  const { result } = await encrypt(keyring, secret, { encryptionContext: { 'userpool-id': 'local' } });
  return result.toString('base64');
}

/** A temporary password shaped like Cognito's: upper, lower, digits and a symbol. */
export function sampleTemporaryPassword(): string {
  const pick = (alphabet: string) => alphabet[randomInt(alphabet.length)] ?? 'x';
  const parts = [
    ...Array.from({ length: 3 }, () => pick('ABCDEFGHJKLMNPQRSTUVWXYZ')),
    ...Array.from({ length: 3 }, () => pick('abcdefghijkmnopqrstuvwxyz')),
    ...Array.from({ length: 3 }, () => pick('23456789')),
    pick('!#%&*+=?^_~'),
  ];
  return parts.join('');
}

export interface CognitoSampleOptions {
  readonly trigger: CognitoTriggerSource;
  /** Base64 Encryption SDK ciphertext (encryptAsCognito). */
  readonly ciphertext: string;
  readonly phone?: string;
  /** The user's `locale` attribute. */
  readonly locale?: string;
  readonly clientMetadata?: Readonly<Record<string, string>>;
  readonly userName?: string;
  readonly givenName?: string;
}

/** A CustomSMSSender trigger event as Cognito sends it (Powertools' CustomSMSSenderTriggerSchema). */
export function cognitoSampleEvent(options: CognitoSampleOptions) {
  return {
    version: '1',
    triggerSource: options.trigger,
    region: 'us-east-1',
    userPoolId: 'us-east-1_LocalPool0',
    userName: options.userName ?? randomUUID(),
    callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: 'local-app-client' },
    request: {
      type: 'customSMSSenderRequestV1',
      code: options.ciphertext,
      ...(options.clientMetadata ? { clientMetadata: { ...options.clientMetadata } } : {}),
      userAttributes: {
        sub: randomUUID(),
        'cognito:user_status':
          options.trigger === 'CustomSMSSender_AdminCreateUser' ? 'FORCE_CHANGE_PASSWORD' : 'CONFIRMED',
        phone_number_verified: 'false',
        phone_number: options.phone ?? '+14155550123',
        ...(options.locale ? { locale: options.locale } : {}),
        ...(options.givenName ? { given_name: options.givenName } : {}),
      },
    },
    response: {},
  };
}
