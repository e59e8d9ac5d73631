import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDbIdempotencyStore } from '../../adapters/dynamodb/dynamodb-idempotency-store';
import { DynamoDbRateCounterStore } from '../../adapters/dynamodb/dynamodb-rate-counter-store';
import { DynamoDbTemplateStore } from '../../adapters/dynamodb/dynamodb-template-store';
import { createEndUserMessagingClient } from '../../adapters/end-user-messaging/end-user-messaging-client';
import {
  END_USER_MESSAGING_PROVIDER,
  EndUserMessagingSender,
} from '../../adapters/end-user-messaging/end-user-messaging-sender';
import { KmsDerivedFingerprinter } from '../../adapters/kms/kms-derived-fingerprinter';
import { KmsSecretSealer } from '../../adapters/kms/kms-secret-sealer';
import { SystemClock } from '../../adapters/local/system-clock';
import { PowertoolsLoggerAdapter } from '../../adapters/powertools/powertools-logger';
import { SqsDeadLetterQueue } from '../../adapters/sqs/sqs-dead-letter-queue';
import type { MessageProvider } from '../../ports/message-provider';
import type { SecretSource } from '../../ports/secret-source';
import type { CachedTemplateStore } from '../cached-template-store';
import type { AwsConfig } from '../config/aws-config';
import type { LogLevelName } from '../config/env-readers';
import type { HookTelemetryConfig } from '../config/telemetry-config';
import { boundedClientConfig, boundedHandlerOptions, worstCaseMs } from './aws-call-bounds';
import { tuneClient } from './aws-client-tuning';
import { awsDeliveryTelemetry } from './aws-telemetry';
import type { HookAdapters } from './hook-container';
import { routedSender, twilioProvider } from './messaging';
import { dynamoWritePrimes, endUserMessagingPrimes, type WarmUpPrime } from './sdk-call-primes';
import { secretsCallBounds, secretsManagerSource } from './secrets-manager-source';
import { cachedTemplateSources } from './template-sources';

/**
 * The providers this deployment has, by their route-table name: End User Messaging always, Twilio when
 * its secret is configured (TwilioCredentialsSecretArn). The Secrets Manager client is loaded only then.
 */
export function messagingProviders(
  config: AwsConfig,
  clock: SystemClock,
  /** Collects the init warm-up's primes for the providers' clients (sdk-call-primes.ts), when given. */
  primes?: WarmUpPrime[],
): Record<string, MessageProvider> {
  // Handler options, not a handler: the factory adds the agents that watch each attempt's socket.
  const endUserMessaging = tuneClient(
    createEndUserMessagingClient({ requestHandler: boundedHandlerOptions(config.callBounds.smsVoice) }),
  );
  primes?.push(...endUserMessagingPrimes(endUserMessaging));
  const providers: Record<string, MessageProvider> = {
    [END_USER_MESSAGING_PROVIDER]: new EndUserMessagingSender(endUserMessaging, config.messaging),
  };
  if (config.twilio) {
    const connectTimeoutMs = config.callBounds.kms.connectTimeoutMs;
    let source: Promise<SecretSource> | undefined;
    const twilio = twilioProvider(config.twilio, {
      clock,
      secrets: () => {
        source ??= secretsManagerSource(connectTimeoutMs);
        return source;
      },
      // The client's own bound is the first to fire; this is the backstop.
      secretBounds: {
        timeoutMs: worstCaseMs(secretsCallBounds(connectTimeoutMs)) + 100,
        retryAfterMs: 1_000,
      },
    });
    providers[twilio.name] = twilio;
  }
  return providers;
}

/**
 * The production adapters: DynamoDB, End User Messaging SMS & Voice v2 (and Twilio), SQS and KMS; and the
 * template table's cache, for the Lambda's init phase to prime (hook-warm-up.ts).
 */
export function awsHookAdapters(
  config: AwsConfig,
  settings: Pick<HookAdapters, 'delivery' | 'hook'> & {
    readonly logLevel: LogLevelName;
    readonly telemetry?: HookTelemetryConfig;
  },
): HookAdapters & {
  readonly templateCache: CachedTemplateStore;
  /** The first request's SDK operations, for the init warm-up to prime without sending (hook-warm-up.ts). */
  readonly primes: readonly WarmUpPrime[];
} {
  const logger = new PowertoolsLoggerAdapter({ serviceName: 'otp-courier-hook', level: settings.logLevel });
  const clock = new SystemClock();
  // Every call bounded per client (see loadHookCallBounds); the use case also aborts at the deadline.
  const bounds = config.callBounds;
  // Trimmed for the request path (aws-client-tuning.ts). DynamoDB's account-based endpoints need the
  // account id in the credentials, which Lambda's do not carry: the regional endpoint, decided once.
  const dynamo = tuneClient(
    new DynamoDBClient({ ...boundedClientConfig(bounds.dynamodb), accountIdEndpointMode: 'disabled' }),
  );
  const kms = tuneClient(new KMSClient(boundedClientConfig(bounds.kms)));
  const templateTable = new DynamoDbTemplateStore(dynamo, { tableName: config.templateTable }, logger);
  const fingerprinter = new KmsDerivedFingerprinter(kms, {
    keyId: config.fingerprintKmsKeyId,
    // The KMS client's own bound, retries included, plus a little: a backstop, never the first to fire.
    deriveTimeoutMs: worstCaseMs(bounds.kms) + 100,
    clock,
  });
  const templates = cachedTemplateSources({
    table: templateTable,
    clock,
    logger,
    cacheTtlSeconds: config.templateCacheTtlSeconds,
  });
  if (!templates.cache) throw new Error('a template table without its cache');
  const primes = dynamoWritePrimes(dynamo, {
    idempotency: config.idempotencyTable,
    counters: config.counterTable,
  });
  const providers = messagingProviders(config, clock, primes);
  return {
    templates: templates.store,
    templateCache: templates.cache,
    primes,
    sender: routedSender(providers, clock, logger),
    idempotency: new DynamoDbIdempotencyStore(dynamo, { tableName: config.idempotencyTable }, logger, clock),
    deadLetters: new SqsDeadLetterQueue(
      // The queue could one day feed a function: its calls keep the loop-detecting trace header.
      tuneClient(new SQSClient(boundedClientConfig(bounds.sqs)), {
        except: ['recursionDetectionMiddleware'],
      }),
      { queueUrl: config.deadLetterQueueUrl },
    ),
    sealer: new KmsSecretSealer(kms, { keyId: config.sealingKmsKeyId }),
    fingerprinter,
    clock,
    logger,
    delivery: settings.delivery,
    hook: settings.hook,
    brakes: {
      counters: new DynamoDbRateCounterStore(dynamo, { tableName: config.counterTable }),
      settings: config.brakes,
    },
    ...(settings.telemetry
      ? {
          telemetry: awsDeliveryTelemetry(settings.telemetry, config.brakes.policy.prices, {
            dynamo,
            fingerprinter,
            clock,
            logger,
          }),
        }
      : {}),
  };
}
