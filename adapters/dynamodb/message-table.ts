import type { CreateTableCommandInput, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ensureTable } from './ensure-table';

/**
 * Messages table: the life of each sent message after the reply, and conversion counters.
 *
 *   pk (S, HASH)        "m#<messageId>" a message; "c#<country>#<yyyy-mm-dd>" a day's conversion counter
 *   ttl (N)             epoch SECONDS, the TTL attribute (retention after sending)
 *
 * Message items: what the hook recorded (eventId, idp, purpose, channel, country, maskedTo, locale,
 * templateSource, encoding, segments, receivedAt, sentAt, codeExpiresAt, userKey, estimatedCostUsd), what
 * receipts added (status, failure, providerStatus, receiptOrder, receiptAt, settled, priceUsd, parts,
 * requestedAt), and conversion (conversion, verifiedAt, feedbackAt, unconfirmedAt, awaitingShard).
 * Counter items: settled (N), converted (N).
 *
 * Indexes (key attributes exist only on message items, so counters stay out of them):
 *   byUser   userKey + sentAt, with channel and codeExpiresAt: the message a verification confirms
 *   byEvent  eventId: `npm run status -- <eventId>`
 *   byPhone  maskedTo + sentAt: `npm run status -- <masked phone>`
 *   awaiting awaitingShard + codeExpiresAt, sparse: only messages still awaiting confirmation, for the
 *            sweep that settles expired ones; the shard ("0".."3") spreads a busy day's writes
 */
export const MESSAGE_ATTRIBUTES = {
  pk: 'pk',
  ttl: 'ttl',
  userKey: 'userKey',
  sentAt: 'sentAt',
  eventId: 'eventId',
  maskedTo: 'maskedTo',
  awaitingShard: 'awaitingShard',
  codeExpiresAt: 'codeExpiresAt',
  channel: 'channel',
} as const;

export const MESSAGE_INDEXES = {
  byUser: 'byUser',
  byEvent: 'byEvent',
  byPhone: 'byPhone',
  awaiting: 'awaiting',
} as const;

export const AWAITING_SHARDS = 4;

export function messageTableDefinition(tableName: string): CreateTableCommandInput {
  const A = MESSAGE_ATTRIBUTES;
  const keysOnly = { ProjectionType: 'KEYS_ONLY' } as const;
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: A.pk, AttributeType: 'S' },
      { AttributeName: A.userKey, AttributeType: 'S' },
      { AttributeName: A.sentAt, AttributeType: 'N' },
      { AttributeName: A.eventId, AttributeType: 'S' },
      { AttributeName: A.maskedTo, AttributeType: 'S' },
      { AttributeName: A.awaitingShard, AttributeType: 'S' },
      { AttributeName: A.codeExpiresAt, AttributeType: 'N' },
    ],
    KeySchema: [{ AttributeName: A.pk, KeyType: 'HASH' }],
    GlobalSecondaryIndexes: [
      {
        IndexName: MESSAGE_INDEXES.byUser,
        KeySchema: [
          { AttributeName: A.userKey, KeyType: 'HASH' },
          { AttributeName: A.sentAt, KeyType: 'RANGE' },
        ],
        // Both are set once, at send: later updates never rewrite the index.
        Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [A.channel, A.codeExpiresAt] },
      },
      {
        IndexName: MESSAGE_INDEXES.byEvent,
        KeySchema: [{ AttributeName: A.eventId, KeyType: 'HASH' }],
        Projection: keysOnly,
      },
      {
        IndexName: MESSAGE_INDEXES.byPhone,
        KeySchema: [
          { AttributeName: A.maskedTo, KeyType: 'HASH' },
          { AttributeName: A.sentAt, KeyType: 'RANGE' },
        ],
        Projection: keysOnly,
      },
      {
        IndexName: MESSAGE_INDEXES.awaiting,
        KeySchema: [
          { AttributeName: A.awaitingShard, KeyType: 'HASH' },
          { AttributeName: A.codeExpiresAt, KeyType: 'RANGE' },
        ],
        Projection: keysOnly,
      },
    ],
  };
}

/** Creates the table for the local stack and tests (dynalite has no UpdateTimeToLive; nothing relies on it). */
export async function ensureMessageTable(
  client: DynamoDBClient,
  tableName: string,
): Promise<{ created: boolean }> {
  return ensureTable(client, messageTableDefinition(tableName));
}
