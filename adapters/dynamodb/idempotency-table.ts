import {
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { ensureTable } from './ensure-table';

/**
 * Idempotency table schema: one item per claimed key.
 *
 *   pk (S, HASH)   "event#<eventKey>" or "code#<codeKey>" (opaque HMAC from the caller)
 *   state (S)      in-progress | sent | failed (a code item stays in-progress: its event item is the record)
 *   claimId (S)    random per claim: a compensating delete only removes its own item, and a PutItem the
 *                  SDK retried after its answer was lost recognises its own applied write
 *   claimedAt (N)  epoch ms
 *   expiresAt (N)  epoch SECONDS, the TTL attribute: the passcode's expiry
 *   eventKey (S)   code items only: the event key of the claim that wrote it, where its record is kept
 *   outcome (S)    DeliveryOutcome JSON, once completed (event items)
 *   completedAt (N) epoch ms
 */
export const IDEMPOTENCY_ATTRIBUTES = {
  pk: 'pk',
  state: 'state',
  claimId: 'claimId',
  claimedAt: 'claimedAt',
  expiresAt: 'expiresAt',
  eventKey: 'eventKey',
  outcome: 'outcome',
  completedAt: 'completedAt',
} as const;

export async function ensureIdempotencyTable(
  client: DynamoDBClient,
  tableName: string,
): Promise<{ created: boolean; ttl: 'enabled' | 'unsupported' }> {
  const { created } = await ensureTable(client, {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: IDEMPOTENCY_ATTRIBUTES.pk, AttributeType: 'S' }],
    KeySchema: [{ AttributeName: IDEMPOTENCY_ATTRIBUTES.pk, KeyType: 'HASH' }],
  });
  return { created, ttl: await enableTtl(client, tableName) };
}

async function enableTtl(client: DynamoDBClient, tableName: string): Promise<'enabled' | 'unsupported'> {
  const current = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
  const status = current.TimeToLiveDescription?.TimeToLiveStatus;
  // Enabling twice is a ValidationException on DynamoDB, so only ask when it is off.
  if (status === 'ENABLED' || status === 'ENABLING') return 'enabled';
  try {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { Enabled: true, AttributeName: IDEMPOTENCY_ATTRIBUTES.expiresAt },
      }),
    );
    return 'enabled';
  } catch (err) {
    // dynalite has no UpdateTimeToLive. Correctness never relies on TTL deletion: claim() treats an
    // item past its expiresAt as free, so the local stack merely keeps old items.
    if (err instanceof Error && err.name === 'UnknownOperationException') return 'unsupported';
    throw err;
  }
}
