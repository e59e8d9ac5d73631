import { KMSClient } from '@aws-sdk/client-kms';
import { EncryptionSdkDecrypter, kmsKeyring } from '../../adapters/encryption-sdk/encryption-sdk-decrypter';
import { boundedClientConfig } from '../composition/aws-call-bounds';
import { awsHookAdapters } from '../composition/aws-hook-adapters';
import { buildCognitoTrigger } from '../composition/cognito-trigger';
import { buildHookContainer } from '../composition/hook-container';
import { initIsOffRequestPath, warmUpHookAdapters } from '../composition/hook-warm-up';
import { loadAwsConfig } from '../config/aws-config';
import { loadCognitoConfig } from '../config/cognito-config';
import { loadDeliveryConfig } from '../config/delivery-config';
import { logLevel, readEnv } from '../config/env-readers';
import { loadHookTelemetryConfig } from '../config/telemetry-config';

// Built once per execution environment, like the hook: the same core, adapters and bounded SDK clients.
// The Encryption SDK itself is loaded on the first decryption (EncryptionSdkDecrypter), not here.
const { delivery, hook } = loadDeliveryConfig(process.env);
const cognito = loadCognitoConfig(process.env);
const { LOG_LEVEL } = readEnv(process.env, { LOG_LEVEL: logLevel() });
const aws = loadAwsConfig(process.env);
// Metrics and the message ledger as for the hook (MESSAGES_TABLE unset: metrics only).
const adapters = awsHookAdapters(aws, {
  delivery,
  hook,
  logLevel: LOG_LEVEL,
  telemetry: loadHookTelemetryConfig(process.env),
});
const container = buildHookContainer(adapters);
const decrypter = new EncryptionSdkDecrypter(
  kmsKeyring(cognito.kmsKeyArn, new KMSClient(boundedClientConfig(aws.callBounds.kms))),
);
const trigger = buildCognitoTrigger(container, { hook, cognito }, decrypter);

// As the hook does (app/lambda/telephony-hook.ts): the fingerprint key and the default language's
// templates are fetched during init, bounded and never thrown, so a first trigger pays neither round trip.
await warmUpHookAdapters(adapters, {
  defaultLocale: delivery.defaultLocale,
  defaultPhoneRegion: hook.defaultPhoneRegion,
  prime: initIsOffRequestPath(process.env),
});

/** Cognito invokes this asynchronously and ignores what it returns (see README, "Amazon Cognito"). */
export const handler = (event: unknown) => trigger.handle(event);
