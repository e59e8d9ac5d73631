import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDbTemplateStore } from '../../adapters/dynamodb/dynamodb-template-store';
import { createEndUserMessagingClient } from '../../adapters/end-user-messaging/end-user-messaging-client';
import { EndUserMessagingSender } from '../../adapters/end-user-messaging/end-user-messaging-sender';
import { KmsSecretSealer } from '../../adapters/kms/kms-secret-sealer';
import { AesGcmSecretSealer } from '../../adapters/local/aes-gcm-secret-sealer';
import { JsonlDeadLetterQueue } from '../../adapters/local/jsonl-dead-letter-queue';
import { OutboxMessageSender } from '../../adapters/local/outbox-message-sender';
import { SystemClock } from '../../adapters/local/system-clock';
import { PowertoolsLoggerAdapter } from '../../adapters/powertools/powertools-logger';
import { SqsDeadLetterQueue } from '../../adapters/sqs/sqs-dead-letter-queue';
import type { Logger } from '../../ports/logger';
import { loadMessagingConfig } from '../config/aws-config';
import { loadDeliveryConfig } from '../config/delivery-config';
import { type Env, logLevel, readEnv, requiredText, text } from '../config/env-readers';
import { loadLocalConfig } from '../config/local-config';
import { loadOrCreateDevSecrets } from '../local/dev-secrets';
import { boundedClientConfig, boundedHandlerOptions, OPERATOR_CALL_BOUNDS } from './aws-call-bounds';
import type { RedriveAdapters } from './redrive-container';
import { templateSources } from './template-sources';

/** Set both to redrive the deployed SQS queue with KMS; otherwise the local stack's files are used. */
export function usesAwsDeadLetters(env: Env): boolean {
  return Boolean(env.DEAD_LETTER_QUEUE_URL?.trim() && env.SEALING_KMS_KEY_ID?.trim());
}

export interface RedriveAdapterOptions {
  readonly env: Env;
  readonly logger?: Logger;
  /** Where the outbox prints its one-line summaries (local only; default stdout). */
  readonly announce?: (line: string) => void;
  /** How long received SQS letters stay hidden from other readers; cover the whole run. */
  readonly visibilityTimeoutSeconds?: number;
}

export async function redriveAdapters(options: RedriveAdapterOptions): Promise<RedriveAdapters> {
  return usesAwsDeadLetters(options.env) ? awsRedriveAdapters(options) : localRedriveAdapters(options);
}

/**
 * The local stack's pieces, built the way `npm start` builds them: the JSONL dead-letter file, the dev
 * sealing key from the data dir (a fresh key could not open yesterday's letters), the outbox, and the
 * bundled catalogue (no DynamoDB: redrive must work with the stack stopped).
 */
export async function localRedriveAdapters(options: RedriveAdapterOptions): Promise<RedriveAdapters> {
  const config = loadLocalConfig(options.env);
  const { delivery } = loadDeliveryConfig(options.env);
  const logger = options.logger ?? cliLogger(options.env);
  const secrets = await loadOrCreateDevSecrets(config.dataDir);
  return {
    deadLetters: new JsonlDeadLetterQueue(config.deadLetterFile),
    sealer: new AesGcmSecretSealer(secrets.sealingKey),
    templates: templateSources({ clock: new SystemClock(), logger, cacheTtlSeconds: 0 }),
    sender: new OutboxMessageSender({
      file: config.outboxFile,
      announce: options.announce ?? ((line) => process.stdout.write(`${line}\n`)),
    }),
    clock: new SystemClock(),
    logger,
    delivery,
  };
}

/**
 * The deployed queue: SQS + KMS + End User Messaging, real SDK clients in AWS_REGION. Templates come from
 * TEMPLATE_TABLE when set (so operator edits apply, as they would have for the first attempt), then the
 * bundled catalogue.
 */
export async function awsRedriveAdapters(options: RedriveAdapterOptions): Promise<RedriveAdapters> {
  const raw = readEnv(options.env, {
    AWS_REGION: requiredText('the region of the queue, key and origination identities'),
    DEAD_LETTER_QUEUE_URL: requiredText('the SQS dead-letter queue URL'),
    SEALING_KMS_KEY_ID: requiredText('the KMS key that sealed the codes'),
    TEMPLATE_TABLE: text(),
  });
  const messagingConfig = loadMessagingConfig(options.env);
  const { delivery } = loadDeliveryConfig(options.env);
  const logger = options.logger ?? cliLogger(options.env);
  const clock = new SystemClock();
  const region = raw.AWS_REGION;
  const sqs = new SQSClient({ region, ...boundedClientConfig(OPERATOR_CALL_BOUNDS) });
  const kms = new KMSClient({ region, ...boundedClientConfig(OPERATOR_CALL_BOUNDS) });
  const dynamo = raw.TEMPLATE_TABLE
    ? new DynamoDBClient({ region, ...boundedClientConfig(OPERATOR_CALL_BOUNDS) })
    : undefined;
  const table =
    dynamo && raw.TEMPLATE_TABLE
      ? new DynamoDbTemplateStore(dynamo, { tableName: raw.TEMPLATE_TABLE }, logger)
      : undefined;
  // One attempt per call (the sender decides retries); each send is also cut at --timeout-ms.
  const messaging = createEndUserMessagingClient({
    region,
    requestHandler: boundedHandlerOptions(OPERATOR_CALL_BOUNDS),
  });
  return {
    deadLetters: new SqsDeadLetterQueue(sqs, {
      queueUrl: raw.DEAD_LETTER_QUEUE_URL,
      ...(options.visibilityTimeoutSeconds
        ? { visibilityTimeoutSeconds: options.visibilityTimeoutSeconds }
        : {}),
    }),
    sealer: new KmsSecretSealer(kms, { keyId: raw.SEALING_KMS_KEY_ID }),
    // A one-off run: no point caching beyond it.
    templates: templateSources({ ...(table ? { table } : {}), clock, logger, cacheTtlSeconds: 3600 }),
    sender: new EndUserMessagingSender(messaging, messagingConfig),
    clock,
    logger,
    delivery,
    close() {
      sqs.destroy();
      kms.destroy();
      dynamo?.destroy();
      messaging.destroy();
    },
  };
}

function cliLogger(env: Env): Logger {
  const { LOG_LEVEL } = readEnv(env, { LOG_LEVEL: logLevel() });
  return new PowertoolsLoggerAdapter({ serviceName: 'otp-courier-redrive', level: LOG_LEVEL });
}
