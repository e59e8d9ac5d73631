import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { CounterIncrement, RateCounterStore } from '../../ports/rate-counter-store';
import { COUNTER_ATTRIBUTES as A } from './counter-items';

export interface DynamoDbRateCounterStoreSettings {
  /** The idempotency table by default: counters live beside claims under their own key prefix. */
  readonly tableName: string;
}

/**
 * One UpdateItem per stored item, all in parallel: `ADD` is atomic per item and creates it on first
 * use, so concurrent requests never lose a count, and the fields of one item (counters of one subject)
 * change together in that one write. Keys carry their window, so a counter is never reset in place;
 * TTL deletes it after its window.
 */
export class DynamoDbRateCounterStore implements RateCounterStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly settings: DynamoDbRateCounterStoreSettings,
  ) {}

  async increment(
    increments: readonly CounterIncrement[],
    options: { signal?: AbortSignal } = {},
  ): Promise<number[]> {
    const totals = new Map<string, number>();
    await Promise.all(
      [...byItem(increments)].map(async ([key, item]) => {
        const names: Record<string, string> = { '#expiresAt': A.expiresAt };
        const values: Record<string, AttributeValue> = {
          ':expiresAt': { N: String(Math.ceil(item.expiresAt / 1000)) },
        };
        const adds = [...item.fields].map(([field, amount], i) => {
          names[`#f${i}`] = field;
          values[`:a${i}`] = { N: String(amount) };
          return `#f${i} :a${i}`;
        });
        const out = await this.client.send(
          new UpdateItemCommand({
            TableName: this.settings.tableName,
            Key: { [A.pk]: { S: A.keyPrefix + key } },
            UpdateExpression: `ADD ${adds.join(', ')} SET #expiresAt = if_not_exists(#expiresAt, :expiresAt)`,
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
            ReturnValues: 'UPDATED_NEW',
          }),
          options.signal ? { abortSignal: options.signal } : {},
        );
        for (const field of item.fields.keys()) {
          const total = Number(out.Attributes?.[field]?.N);
          if (!Number.isFinite(total)) throw new Error('counter update returned no total');
          totals.set(`${key}|${field}`, total);
        }
      }),
    );
    return increments.map(({ key, field }) => totals.get(`${key}|${field ?? A.total}`) as number);
  }

  async decrement(
    increments: readonly CounterIncrement[],
    options: { signal?: AbortSignal } = {},
  ): Promise<void> {
    const results = await Promise.allSettled(
      [...byItem(increments.filter(({ amount }) => amount > 0))].map(([key, item]) => {
        const names: Record<string, string> = {};
        const values: Record<string, AttributeValue> = {};
        const adds: string[] = [];
        const conditions: string[] = [];
        [...item.fields].forEach(([field, amount], i) => {
          names[`#f${i}`] = field;
          values[`:m${i}`] = { N: String(-amount) };
          values[`:a${i}`] = { N: String(amount) };
          adds.push(`#f${i} :m${i}`);
          // Never below zero, and never re-create a counter that TTL already removed.
          conditions.push(`#f${i} >= :a${i}`);
        });
        return this.client.send(
          new UpdateItemCommand({
            TableName: this.settings.tableName,
            Key: { [A.pk]: { S: A.keyPrefix + key } },
            UpdateExpression: `ADD ${adds.join(', ')}`,
            ConditionExpression: conditions.join(' AND '),
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
          }),
          options.signal ? { abortSignal: options.signal } : {},
        );
      }),
    );
    const failure = results.find(
      (r): r is PromiseRejectedResult =>
        r.status === 'rejected' && !(r.reason instanceof ConditionalCheckFailedException),
    );
    if (failure) throw failure.reason;
  }
}

/** Increments grouped by stored item: field → summed amount, and the latest expiry. */
function byItem(
  increments: readonly CounterIncrement[],
): Map<string, { fields: Map<string, number>; expiresAt: number }> {
  const items = new Map<string, { fields: Map<string, number>; expiresAt: number }>();
  for (const { key, field, amount, expiresAt } of increments) {
    assertAmount(amount);
    const item = items.get(key) ?? { fields: new Map<string, number>(), expiresAt };
    const name = field ?? A.total;
    item.fields.set(name, (item.fields.get(name) ?? 0) + amount);
    item.expiresAt = Math.max(item.expiresAt, expiresAt);
    items.set(key, item);
  }
  return items;
}

function assertAmount(amount: number): void {
  if (!Number.isSafeInteger(amount) || amount < 0)
    throw new RangeError('amount must be a non-negative whole number');
}
