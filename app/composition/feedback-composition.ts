import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDbMessageLedger } from '../../adapters/dynamodb/dynamodb-message-ledger';
import { createEndUserMessagingClient } from '../../adapters/end-user-messaging/end-user-messaging-client';
import { EndUserMessagingFeedback } from '../../adapters/end-user-messaging/end-user-messaging-feedback';
import { END_USER_MESSAGING_PROVIDER } from '../../adapters/end-user-messaging/end-user-messaging-sender';
import { KmsDerivedFingerprinter } from '../../adapters/kms/kms-derived-fingerprinter';
import { SystemClock } from '../../adapters/local/system-clock';
import { PowertoolsLoggerAdapter } from '../../adapters/powertools/powertools-logger';
import type { Logger } from '../../ports/logger';
import type { LogLevelName } from '../config/env-readers';
import type { EventHookConfig, TwilioStatusConfig } from '../config/telemetry-config';
import { parseTwilioSigningToken } from '../config/twilio-config';
import { ConfirmVerifications } from '../confirm-verifications';
import { OktaEventHookHandler } from '../okta-event-hook-handler';
import { RecordReceipts } from '../record-receipts';
import { SettleUnconfirmed } from '../settle-unconfirmed';
import { TwilioStatusHandler } from '../twilio-status-handler';
import {
  type AwsCallBounds,
  boundedClientConfig,
  boundedHandlerOptions,
  worstCaseMs,
} from './aws-call-bounds';
import { awsMetrics } from './aws-telemetry';

/**
 * Receipts, the event hook and the sweep answer nobody's 3 s clock but Okta's (the event hook, which
 * retries once): calls may take a little longer than the hook's, and are still never unbounded.
 */
const FEEDBACK_CALL_BOUNDS: AwsCallBounds = {
  connectTimeoutMs: 1_000,
  requestTimeoutMs: 1_500,
  maxAttempts: 2,
};

function parts(serviceName: string, logLevel: LogLevelName, tableName: string) {
  const logger: Logger = new PowertoolsLoggerAdapter({ serviceName, level: logLevel });
  const clock = new SystemClock();
  const dynamo = new DynamoDBClient(boundedClientConfig(FEEDBACK_CALL_BOUNDS));
  const ledger = new DynamoDbMessageLedger(dynamo, { tableName }, clock);
  return { logger, clock, ledger, metrics: awsMetrics() };
}

export function composeReceipts(config: { messagesTable: string }, logLevel: LogLevelName) {
  const { logger, ledger, metrics } = parts('otp-courier-receipts', logLevel, config.messagesTable);
  return { receipts: new RecordReceipts(ledger, metrics, logger), logger };
}

export function composeSettle(config: { messagesTable: string; graceMs: number }, logLevel: LogLevelName) {
  const { logger, clock, ledger, metrics } = parts('otp-courier-settle', logLevel, config.messagesTable);
  return new SettleUnconfirmed(ledger, metrics, clock, logger, { graceMs: config.graceMs, batchSize: 1_000 });
}

/**
 * The event hook: its secret is read from Secrets Manager once per execution environment, at init, so
 * the value never sits in the function's configuration.
 */
export async function composeEventHook(
  config: EventHookConfig,
  logLevel: LogLevelName,
): Promise<OktaEventHookHandler> {
  const { logger, clock, ledger, metrics } = parts('otp-courier-event-hook', logLevel, config.messagesTable);
  const kms = new KMSClient(boundedClientConfig(FEEDBACK_CALL_BOUNDS));
  const fingerprinter = new KmsDerivedFingerprinter(kms, {
    keyId: config.fingerprintKmsKeyId,
    deriveTimeoutMs: worstCaseMs(FEEDBACK_CALL_BOUNDS) + 100,
    clock,
  });
  const feedback = new EndUserMessagingFeedback(
    createEndUserMessagingClient({ requestHandler: boundedHandlerOptions(FEEDBACK_CALL_BOUNDS) }),
  );
  const secrets = new SecretsManagerClient(boundedClientConfig(FEEDBACK_CALL_BOUNDS));
  const secret = await secrets.send(new GetSecretValueCommand({ SecretId: config.secretId }));
  secrets.destroy();
  if (!secret.SecretString) throw new Error('the event hook secret has no string value');
  const confirmations = new ConfirmVerifications(
    ledger,
    fingerprinter,
    new Map([[END_USER_MESSAGING_PROVIDER, feedback]]),
    metrics,
    clock,
    logger,
  );
  return new OktaEventHookHandler(confirmations, logger, {
    secret: secret.SecretString,
    headerName: config.authHeader,
  });
}

/**
 * Twilio's status callbacks: the auth token that checks their signatures is read from the Twilio secret
 * once per execution environment, at init; the receipts go through the same path as End User Messaging's.
 */
export async function composeTwilioStatus(
  config: TwilioStatusConfig,
  logLevel: LogLevelName,
): Promise<TwilioStatusHandler> {
  const { logger, clock, ledger, metrics } = parts(
    'otp-courier-twilio-status',
    logLevel,
    config.messagesTable,
  );
  const secrets = new SecretsManagerClient(boundedClientConfig(FEEDBACK_CALL_BOUNDS));
  const secret = await secrets.send(new GetSecretValueCommand({ SecretId: config.secretId }));
  secrets.destroy();
  if (!secret.SecretString) throw new Error('the Twilio secret has no string value');
  return new TwilioStatusHandler(new RecordReceipts(ledger, metrics, logger), clock, logger, {
    authToken: parseTwilioSigningToken(secret.SecretString),
    ...(config.callbackUrl ? { callbackUrl: config.callbackUrl } : {}),
  });
}
