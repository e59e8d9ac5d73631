import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDbIdempotencyStore } from '../../adapters/dynamodb/dynamodb-idempotency-store';
import { DynamoDbRateCounterStore } from '../../adapters/dynamodb/dynamodb-rate-counter-store';
import { DynamoDbTemplateStore } from '../../adapters/dynamodb/dynamodb-template-store';
import { createEndUserMessagingClient } from '../../adapters/end-user-messaging/end-user-messaging-client';
import { EndUserMessagingSender } from '../../adapters/end-user-messaging/end-user-messaging-sender';
import { KmsDerivedFingerprinter } from '../../adapters/kms/kms-derived-fingerprinter';
import { KmsSecretSealer } from '../../adapters/kms/kms-secret-sealer';
import { SystemClock } from '../../adapters/local/system-clock';
import { PowertoolsLoggerAdapter } from '../../adapters/powertools/powertools-logger';
import { SqsDeadLetterQueue } from '../../adapters/sqs/sqs-dead-letter-queue';
import type { AwsConfig } from '../config/aws-config';
import type { LogLevelName } from '../config/env-readers';
import type { HookAdapters } from './hook-container';
import { templateSources } from './template-sources';

/**
 * Timeouts sized for Okta's 3 s: a DynamoDB/KMS/SQS call that has not answered in well under a
 * second will not answer in time to matter, and failing fast leaves room for the failure path.
 */
export const FAST_FAIL = {
  requestHandler: { connectionTimeout: 300, requestTimeout: 1000 },
  maxAttempts: 2,
} as const;

/** The production adapters: DynamoDB, End User Messaging SMS & Voice v2, SQS and KMS. */
export function awsHookAdapters(
  config: AwsConfig,
  settings: Pick<HookAdapters, 'delivery' | 'hook'> & { readonly logLevel: LogLevelName },
): HookAdapters {
  const logger = new PowertoolsLoggerAdapter({ serviceName: 'otp-courier-hook', level: settings.logLevel });
  const clock = new SystemClock();
  const dynamo = new DynamoDBClient(FAST_FAIL);
  const kms = new KMSClient(FAST_FAIL);
  const templateTable = new DynamoDbTemplateStore(dynamo, { tableName: config.templateTable }, logger);
  return {
    templates: templateSources({
      table: templateTable,
      clock,
      logger,
      cacheTtlSeconds: config.templateCacheTtlSeconds,
    }),
    sender: new EndUserMessagingSender(createEndUserMessagingClient(), config.messaging),
    idempotency: new DynamoDbIdempotencyStore(dynamo, { tableName: config.idempotencyTable }, logger, clock),
    deadLetters: new SqsDeadLetterQueue(new SQSClient(FAST_FAIL), { queueUrl: config.deadLetterQueueUrl }),
    sealer: new KmsSecretSealer(kms, { keyId: config.sealingKmsKeyId }),
    fingerprinter: new KmsDerivedFingerprinter(kms, { keyId: config.fingerprintKmsKeyId }),
    clock,
    logger,
    delivery: settings.delivery,
    hook: settings.hook,
    brakes: {
      counters: new DynamoDbRateCounterStore(dynamo, { tableName: config.counterTable }),
      settings: config.brakes,
    },
  };
}
