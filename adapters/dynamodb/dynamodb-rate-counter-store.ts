import {
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
 * One UpdateItem per counter, all in parallel: `ADD total :amount` is atomic per item and creates the
 * item on first use, so concurrent requests never lose a count. Keys carry their window, so a counter
 * is never reset in place; TTL deletes it after its window.
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
    return Promise.all(
      increments.map(async ({ key, amount, expiresAt }) => {
        assertAmount(amount);
        const out = await this.client.send(
          new UpdateItemCommand({
            TableName: this.settings.tableName,
            Key: { [A.pk]: { S: A.keyPrefix + key } },
            UpdateExpression: 'ADD #total :amount SET #expiresAt = if_not_exists(#expiresAt, :expiresAt)',
            ExpressionAttributeNames: { '#total': A.total, '#expiresAt': A.expiresAt },
            ExpressionAttributeValues: {
              ':amount': { N: String(amount) },
              ':expiresAt': { N: String(Math.ceil(expiresAt / 1000)) },
            },
            ReturnValues: 'UPDATED_NEW',
          }),
          options.signal ? { abortSignal: options.signal } : {},
        );
        const total = Number(out.Attributes?.[A.total]?.N);
        if (!Number.isFinite(total)) throw new Error('counter update returned no total');
        return total;
      }),
    );
  }

  async decrement(
    increments: readonly CounterIncrement[],
    options: { signal?: AbortSignal } = {},
  ): Promise<void> {
    const results = await Promise.allSettled(
      increments
        .filter(({ amount }) => amount > 0)
        .map(({ key, amount }) => {
          assertAmount(amount);
          return this.client.send(
            new UpdateItemCommand({
              TableName: this.settings.tableName,
              Key: { [A.pk]: { S: A.keyPrefix + key } },
              UpdateExpression: 'ADD #total :minus',
              // Never below zero, and never re-create a counter that TTL already removed.
              ConditionExpression: 'attribute_exists(#total) AND #total >= :amount',
              ExpressionAttributeNames: { '#total': A.total },
              ExpressionAttributeValues: {
                ':minus': { N: String(-amount) },
                ':amount': { N: String(amount) },
              },
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

function assertAmount(amount: number): void {
  if (!Number.isSafeInteger(amount) || amount < 0)
    throw new RangeError('amount must be a non-negative whole number');
}
