import type { SNSEvent } from 'aws-lambda';
import { composeReceipts } from '../composition/feedback-composition';
import { logLevel, readEnv } from '../config/env-readers';
import { loadReceiptsConfig } from '../config/telemetry-config';
import { recordEndUserMessagingEvent } from '../end-user-messaging-receipts';

const { LOG_LEVEL } = readEnv(process.env, { LOG_LEVEL: logLevel() });
const { receipts, logger } = composeReceipts(loadReceiptsConfig(process.env), LOG_LEVEL);

/**
 * End User Messaging's configuration set publishes each delivery event to an SNS topic, which invokes
 * this function asynchronously (one event per record). A ledger failure throws: Lambda retries twice,
 * then the event lands in the receipts dead-letter queue. Receipts are idempotent, so a retry after a
 * partial batch is harmless.
 */
export const handler = async (event: SNSEvent): Promise<void> => {
  for (const record of event.Records ?? []) {
    await recordEndUserMessagingEvent(record.Sns.Message, receipts, logger);
  }
};
