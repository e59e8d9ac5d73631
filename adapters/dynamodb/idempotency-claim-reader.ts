import { type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { DeliveryOutcome } from '../../domain/delivery-outcome';
import { IDEMPOTENCY_ATTRIBUTES as A } from './idempotency-table';

/** An event's claim as the idempotency table holds it, for operators (`npm run status`). */
export interface ClaimRecord {
  readonly state: string;
  readonly claimedAt?: number;
  readonly completedAt?: number;
  /** The reply recorded for it: provider, message id, locale, template source, failure reason. */
  readonly outcome?: Partial<DeliveryOutcome>;
}

/** Reads the claim of an event by its key (the fingerprint of ["event", idp, eventId]); read-only. */
export async function readEventClaim(
  client: DynamoDBClient,
  tableName: string,
  eventKey: string,
): Promise<ClaimRecord | undefined> {
  const out = await client.send(
    new GetItemCommand({
      TableName: tableName,
      Key: { [A.pk]: { S: `event#${eventKey}` } },
      ConsistentRead: true,
    }),
  );
  const item = out.Item;
  if (!item) return undefined;
  let outcome: Partial<DeliveryOutcome> | undefined;
  const stored = item[A.outcome]?.S;
  try {
    outcome = stored ? (JSON.parse(stored) as Partial<DeliveryOutcome>) : undefined;
  } catch {
    outcome = undefined;
  }
  const num = (name: string) => (item[name]?.N === undefined ? undefined : Number(item[name]?.N));
  return {
    state: item[A.state]?.S ?? 'unknown',
    ...(num(A.claimedAt) !== undefined ? { claimedAt: num(A.claimedAt) } : {}),
    ...(num(A.completedAt) !== undefined ? { completedAt: num(A.completedAt) } : {}),
    ...(outcome ? { outcome } : {}),
  };
}
