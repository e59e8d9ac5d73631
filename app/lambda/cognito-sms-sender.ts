import { KMSClient } from '@aws-sdk/client-kms';
import { EncryptionSdkDecrypter, kmsKeyring } from '../../adapters/encryption-sdk/encryption-sdk-decrypter';
import { boundedClientConfig } from '../composition/aws-call-bounds';
import { awsHookAdapters } from '../composition/aws-hook-adapters';
import { buildCognitoTrigger } from '../composition/cognito-trigger';
import { buildHookContainer } from '../composition/hook-container';
import { loadAwsConfig } from '../config/aws-config';
import { loadCognitoConfig } from '../config/cognito-config';
import { loadDeliveryConfig } from '../config/delivery-config';
import { logLevel, readEnv } from '../config/env-readers';

// Built once per execution environment, like the hook: the same core, adapters and bounded SDK clients.
// The Encryption SDK itself is loaded on the first decryption (EncryptionSdkDecrypter), not here.
const { delivery, hook } = loadDeliveryConfig(process.env);
const cognito = loadCognitoConfig(process.env);
const { LOG_LEVEL } = readEnv(process.env, { LOG_LEVEL: logLevel() });
const aws = loadAwsConfig(process.env);
const container = buildHookContainer(awsHookAdapters(aws, { delivery, hook, logLevel: LOG_LEVEL }));
const decrypter = new EncryptionSdkDecrypter(
  kmsKeyring(cognito.kmsKeyArn, new KMSClient(boundedClientConfig(aws.callBounds.kms))),
);
const trigger = buildCognitoTrigger(container, { hook, cognito }, decrypter);

/** Cognito invokes this asynchronously and ignores what it returns (see README, "Amazon Cognito"). */
export const handler = (event: unknown) => trigger.handle(event);
