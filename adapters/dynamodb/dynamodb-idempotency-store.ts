import { randomUUID } from 'node:crypto';
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { DeliveryOutcome } from '../../domain/delivery-outcome';
import type { CallOptions } from '../../ports/call-options';
import type { Clock } from '../../ports/clock';
import type {
  ClaimResult,
  DeliveryState,
  IdempotencyKeys,
  IdempotencyStore,
} from '../../ports/idempotency-store';
import type { Logger } from '../../ports/logger';
import { IDEMPOTENCY_ATTRIBUTES as A } from './idempotency-table';

type Item = Record<string, AttributeValue>;

export interface DynamoDbIdempotencyStoreSettings {
  readonly tableName: string;
  /**
   * How long an in-progress claim is expected to take (default 10 s, well past the 2.5 s budget).
   * Past it the sender most likely died mid-send; we still never resend (the SMS may have left),
   * we only log it, and duplicates keep getting PENDING until the record expires with the code.
   */
  readonly leaseMs?: number;
  /** Records live at least this long even if the passcode already expired (default 5 min). */
  readonly minRetentionMs?: number;
}

const STATES: ReadonlySet<string> = new Set<DeliveryState>(['in-progress', 'sent', 'failed']);
// A claim retries only when the conflicting record vanished under it (compensated or expired).
const MAX_CLAIM_ATTEMPTS = 3;

/**
 * Claims with two conditional PutItems (event key, then code key) and a compensating delete of the
 * first when the second is taken. Not TransactWriteItems: dynalite (local stack, tests) lacks it, and
 * one code path that tests exercise beats a faster one they cannot. The window between the two puts
 * is safe: whoever sees our half-claim answers PENDING, and nothing is sent until both are held.
 */
export class DynamoDbIdempotencyStore implements IdempotencyStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly settings: DynamoDbIdempotencyStoreSettings,
    private readonly logger: Logger,
    private readonly clock: Clock,
  ) {}

  /** `expiresAt` is the passcode's expiry in epoch MILLISECONDS; stored as TTL seconds. */
  async claim(
    keys: IdempotencyKeys,
    expiresAt: number,
    options: { readonly signal?: AbortSignal } = {},
  ): Promise<ClaimResult> {
    const { signal } = options;
    // Seconds passed by mistake would make every record look expired, i.e. no deduplication at all.
    if (!Number.isFinite(expiresAt) || expiresAt < 1e12) {
      throw new RangeError('expiresAt must be epoch milliseconds');
    }
    const eventPk = `event#${keys.eventKey}`;
    const codePk = `code#${keys.codeKey}`;
    for (let attempt = 1; ; attempt++) {
      const now = this.clock.now();
      const claimId = randomUUID();
      const item = (pk: string): Item => ({
        [A.pk]: { S: pk },
        [A.state]: { S: 'in-progress' },
        [A.claimId]: { S: claimId },
        [A.claimedAt]: { N: String(now) },
        [A.expiresAt]: {
          N: String(Math.ceil(Math.max(expiresAt, now + (this.settings.minRetentionMs ?? 300_000)) / 1000)),
        },
      });

      const eventTaken = await this.putIfFree(item(eventPk), now, signal);
      if (eventTaken !== 'claimed') {
        if (eventTaken) return this.describe(eventTaken, 'event', now);
      } else {
        let codeTaken: Item | 'claimed' | undefined;
        try {
          codeTaken = await this.putIfFree(item(codePk), now, signal);
        } catch (err) {
          await this.release(eventPk, claimId, signal);
          throw err;
        }
        if (codeTaken === 'claimed') return { claimed: true };
        await this.release(eventPk, claimId, signal);
        if (codeTaken) return this.describe(codeTaken, 'code', now);
      }
      if (attempt >= MAX_CLAIM_ATTEMPTS) {
        // Keeps flipping under us: someone else is busy with it, and PENDING never sends twice.
        return { claimed: false, state: 'in-progress' };
      }
    }
  }

  async complete(
    keys: IdempotencyKeys,
    state: 'sent' | 'failed',
    outcome: DeliveryOutcome,
    options: CallOptions = {},
  ): Promise<void> {
    const now = this.clock.now();
    const results = await Promise.allSettled(
      [`event#${keys.eventKey}`, `code#${keys.codeKey}`].map((pk) =>
        this.client.send(
          new UpdateItemCommand({
            TableName: this.settings.tableName,
            Key: { [A.pk]: { S: pk } },
            UpdateExpression: 'SET #state = :state, #outcome = :outcome, #completedAt = :now',
            // Never resurrect a record that expired or was released (it would have no TTL owner),
            // and never overwrite a finished one. The second branch matches only this very update,
            // applied by an SDK attempt whose answer was lost: its retry is then a harmless no-op.
            ConditionExpression:
              'attribute_exists(#pk) AND (#state = :inProgress OR (#state = :state AND #completedAt = :now))',
            ExpressionAttributeNames: {
              '#pk': A.pk,
              '#state': A.state,
              '#outcome': A.outcome,
              '#completedAt': A.completedAt,
            },
            ExpressionAttributeValues: {
              ':state': { S: state },
              ':outcome': { S: JSON.stringify(outcome) },
              ':now': { N: String(now) },
              ':inProgress': { S: 'in-progress' },
            },
          }),
          { abortSignal: options.signal },
        ),
      ),
    );
    let failure: unknown;
    results.forEach((r, i) => {
      if (r.status === 'fulfilled') return;
      if (r.reason instanceof ConditionalCheckFailedException) {
        this.logger.warn('idempotency record not in progress at completion', {
          key: i === 0 ? 'event' : 'code',
          state,
        });
      } else {
        failure ??= r.reason;
      }
    });
    if (failure !== undefined) throw failure;
  }

  /**
   * 'claimed', or the live item holding the key, or undefined if it vanished before we could read it.
   *
   * The SDK retries a PutItem whose answer was lost (a timeout, a reset): if the first attempt was
   * applied, the retry fails its own condition against our own item. The holder then carries this
   * claim's random id, and the claim is ours — not a concurrent request's, which would make the very
   * first request for a fresh key answer PENDING and end neither sent nor parked.
   */
  private async putIfFree(
    item: Item,
    now: number,
    signal: AbortSignal | undefined,
  ): Promise<Item | 'claimed' | undefined> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.settings.tableName,
          Item: item,
          // An expired record is free even before TTL deletes it (that takes up to days): otherwise a
          // new code that happens to repeat an old one's digits would never be delivered.
          ConditionExpression: 'attribute_not_exists(#pk) OR #expiresAt < :nowSeconds',
          ExpressionAttributeNames: { '#pk': A.pk, '#expiresAt': A.expiresAt },
          ExpressionAttributeValues: { ':nowSeconds': { N: String(Math.floor(now / 1000)) } },
          // DynamoDB returns the holder with the failure (saving a read); dynalite does not, hence GetItem.
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
        { abortSignal: signal },
      );
      return 'claimed';
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
      const holder = err.Item ?? (await this.read(item[A.pk] as AttributeValue, signal));
      if (!holder) return undefined;
      if (holder[A.claimId]?.S === item[A.claimId]?.S) {
        this.logger.info('idempotency claim applied by an earlier attempt of the same write; it is ours', {
          key: item[A.pk]?.S?.startsWith('event#') ? 'event' : 'code',
        });
        return 'claimed';
      }
      const holderExpiry = Number(holder[A.expiresAt]?.N);
      return holderExpiry * 1000 < now ? undefined : holder;
    }
  }

  private async read(pk: AttributeValue, signal: AbortSignal | undefined): Promise<Item | undefined> {
    const out = await this.client.send(
      new GetItemCommand({ TableName: this.settings.tableName, Key: { [A.pk]: pk }, ConsistentRead: true }),
      { abortSignal: signal },
    );
    return out.Item;
  }

  /**
   * Compensating delete: removes our half-claim, and only ours. Under the request's signal: past the
   * deadline the half-claim is left rather than the reply delayed.
   */
  private async release(pk: string, claimId: string, signal: AbortSignal | undefined): Promise<void> {
    try {
      await this.client.send(
        new DeleteItemCommand({
          TableName: this.settings.tableName,
          Key: { [A.pk]: { S: pk } },
          ConditionExpression: '#claimId = :claimId',
          ExpressionAttributeNames: { '#claimId': A.claimId },
          ExpressionAttributeValues: { ':claimId': { S: claimId } },
        }),
        { abortSignal: signal },
      );
    } catch (err) {
      // Left in place, the half-claim only makes duplicates of this event answer PENDING until it
      // expires: safe, so log and carry on with the real answer.
      this.logger.warn('idempotency half-claim not released', {
        error: err instanceof Error ? err.name : 'unknown',
      });
    }
  }

  private describe(holder: Item, key: 'event' | 'code', now: number): ClaimResult {
    const rawState = holder[A.state]?.S ?? '';
    const state: DeliveryState = STATES.has(rawState) ? (rawState as DeliveryState) : 'in-progress';
    if (state === 'in-progress') {
      const ageMs = now - Number(holder[A.claimedAt]?.N ?? now);
      if (ageMs > (this.settings.leaseMs ?? 10_000)) {
        this.logger.warn('idempotency claim past its lease; not resending', { key, ageMs });
      }
      return { claimed: false, state };
    }
    const outcome = parseOutcome(holder[A.outcome]?.S);
    if (!outcome) this.logger.warn('idempotency record has no readable outcome', { key, state });
    return outcome ? { claimed: false, state, outcome } : { claimed: false, state };
  }
}

function parseOutcome(json: string | undefined): DeliveryOutcome | undefined {
  if (!json) return undefined;
  try {
    const value: unknown = JSON.parse(json);
    return value && typeof value === 'object' && 'status' in value ? (value as DeliveryOutcome) : undefined;
  } catch {
    return undefined;
  }
}
