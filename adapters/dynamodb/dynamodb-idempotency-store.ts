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
/** Rounds of puts in one claim. A round repeats only when a holder vanished under it (released or expired). */
const MAX_CLAIM_ROUNDS = 3;

/**
 * A conditional put that did not apply: the holder DynamoDB returned with the failure (ALL_OLD), and
 * whether an earlier attempt of the same write may have applied it (the SDK retried the call).
 */
interface Refusal {
  readonly held?: Item;
  readonly retried: boolean;
}

/** The key is ours now, or it is held by someone else's live item, or it vanished / expired under us. */
type Holding = 'claimed' | Item | undefined;

/**
 * Claims with two conditional PutItems sent together, event and code, in one round trip; completes by
 * updating the event item alone, in one more. Two items because each key needs its own uniqueness and
 * dynalite (local stack, tests) has no TransactWriteItems; one code path that the tests exercise beats a
 * transaction they cannot (and a transaction would also cost twice the write units).
 *
 * Nothing is sent until both items are held, so at most one claim ever sends for an event or a code. Who
 * holds what, when puts race:
 * - the **event item decides**: a claim that finds its event held is a duplicate by event and lets go of
 *   its code item (a compensating delete of its own item only);
 * - a claim holding the event item takes over a code item that names the same event (the code item carries
 *   its event key): only another copy of this very request, or one that gave up, can have written it, and
 *   neither can send without the event item;
 * - a code item naming another event makes the claim a duplicate by code: it lets go of its event item.
 *
 * The code item is never completed: a duplicate by code follows its event key to the event item, whose
 * record holds the state and the outcome to replay (one more read, on a path that is rare by nature).
 */
export class DynamoDbIdempotencyStore implements IdempotencyStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly settings: DynamoDbIdempotencyStoreSettings,
    private readonly logger: Logger,
    private readonly clock: Clock,
  ) {}

  /** `expiresAt` is the passcode's expiry in epoch MILLISECONDS; stored as TTL seconds. */
  async claim(keys: IdempotencyKeys, expiresAt: number, options: CallOptions = {}): Promise<ClaimResult> {
    const { signal } = options;
    // Seconds passed by mistake would make every record look expired, i.e. no deduplication at all.
    if (!Number.isFinite(expiresAt) || expiresAt < 1e12) {
      throw new RangeError('expiresAt must be epoch milliseconds');
    }
    const eventPk = `event#${keys.eventKey}`;
    const codePk = `code#${keys.codeKey}`;
    // One id for the whole claim: both items carry it, so a retried write and a release know their own.
    const claimId = randomUUID();
    const claimedAt = this.clock.now();
    const expiresAtSeconds = String(
      Math.ceil(Math.max(expiresAt, claimedAt + (this.settings.minRetentionMs ?? 300_000)) / 1000),
    );
    const item = (pk: string, extra: Item = {}): Item => ({
      [A.pk]: { S: pk },
      [A.state]: { S: 'in-progress' },
      [A.claimId]: { S: claimId },
      [A.claimedAt]: { N: String(claimedAt) },
      [A.expiresAt]: { N: expiresAtSeconds },
      ...extra,
    });
    const eventItem = item(eventPk);
    const codeItem = item(codePk, { [A.eventKey]: { S: keys.eventKey } });

    let event: Holding;
    let code: Holding;
    let takeOver = false;
    for (let round = 1; ; round++) {
      const now = this.clock.now();
      const [eventPut, codePut] = await Promise.allSettled([
        event === 'claimed' ? event : this.putIfFree(eventItem, now, signal),
        code === 'claimed'
          ? code
          : this.putIfFree(codeItem, now, signal, takeOver ? keys.eventKey : undefined),
      ]);
      const failure = [eventPut, codePut].find((r) => r.status === 'rejected');
      if (failure) {
        await this.releaseHeld(
          {
            event: eventPut.status === 'fulfilled' && this.mayHold(eventPut.value, claimId),
            code: codePut.status === 'fulfilled' && this.mayHold(codePut.value, claimId),
          },
          { eventPk, codePk },
          claimId,
          signal,
        );
        throw failure.reason;
      }
      const eventResult = (eventPut as PromiseFulfilledResult<'claimed' | Refusal>).value;
      const codeResult = (codePut as PromiseFulfilledResult<'claimed' | Refusal>).value;

      // The event item decides; the code item's holder is only read when it matters.
      event = await this.holding(eventResult, eventItem, now, signal);
      if (event !== 'claimed' && event !== undefined) {
        // The event is someone else's: a duplicate by event, whatever became of the code item.
        await this.releaseHeld(
          { code: this.mayHold(codeResult, claimId) },
          { eventPk, codePk },
          claimId,
          signal,
        );
        return this.describe(event, 'event', now);
      }
      if (event === 'claimed') {
        code = await this.holding(codeResult, codeItem, now, signal);
        if (code === 'claimed') return { claimed: true };
        if (code !== undefined) {
          if (code[A.eventKey]?.S === keys.eventKey) {
            // Left by another copy of this event (which cannot hold the event item now): ours to take.
            takeOver = true;
          } else {
            await this.releaseHeld({ event: true }, { eventPk, codePk }, claimId, signal);
            return this.describeCodeHolder(code, now, signal);
          }
        }
      } else if (codeResult === 'claimed') {
        code = 'claimed';
      } else {
        code = undefined;
      }
      if (round >= MAX_CLAIM_ROUNDS) {
        // Keeps flipping under us: someone else is busy with it, and PENDING never sends twice.
        await this.releaseHeld(
          { event: event === 'claimed', code: code === 'claimed' || this.mayHold(codeResult, claimId) },
          { eventPk, codePk },
          claimId,
          signal,
        );
        return { claimed: false, state: 'in-progress' };
      }
    }
  }

  /**
   * Records how the claimed delivery ended on the event item, in one write; duplicates by code find it
   * through their code item's event key.
   */
  async complete(
    keys: IdempotencyKeys,
    state: 'sent' | 'failed',
    outcome: DeliveryOutcome,
    options: CallOptions = {},
  ): Promise<void> {
    const now = this.clock.now();
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.settings.tableName,
          Key: { [A.pk]: { S: `event#${keys.eventKey}` } },
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
      );
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
      this.logger.warn('idempotency record not in progress at completion', { key: 'event', state });
    }
  }

  /**
   * 'claimed', or why not: the holder DynamoDB returned with the failure (dynalite returns none), and
   * whether the SDK retried this write. `takeOverFor` (code item only): also take the key from an item
   * that names this event.
   */
  private async putIfFree(
    item: Item,
    now: number,
    signal: AbortSignal | undefined,
    takeOverFor?: string,
  ): Promise<'claimed' | Refusal> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.settings.tableName,
          Item: item,
          // An expired record is free even before TTL deletes it (that takes up to days): otherwise a
          // new code that happens to repeat an old one's digits would never be delivered.
          ConditionExpression: takeOverFor
            ? 'attribute_not_exists(#pk) OR #expiresAt < :nowSeconds OR #eventKey = :eventKey'
            : 'attribute_not_exists(#pk) OR #expiresAt < :nowSeconds',
          ExpressionAttributeNames: {
            '#pk': A.pk,
            '#expiresAt': A.expiresAt,
            ...(takeOverFor ? { '#eventKey': A.eventKey } : {}),
          },
          ExpressionAttributeValues: {
            ':nowSeconds': { N: String(Math.floor(now / 1000)) },
            ...(takeOverFor ? { ':eventKey': { S: takeOverFor } } : {}),
          },
          // DynamoDB returns the holder with the failure (saving a read); dynalite does not.
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
        { abortSignal: signal },
      );
      return 'claimed';
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
      // Refused on its first attempt, the write was never applied: only a retry can meet its own item.
      return { ...(err.Item ? { held: err.Item } : {}), retried: err.$metadata?.attempts !== 1 };
    }
  }

  /**
   * What a put found, holder read if DynamoDB did not return it: 'claimed', the live item holding the key,
   * or undefined if it vanished or expired before we could read it.
   *
   * The SDK retries a PutItem whose answer was lost (a timeout, a reset): if the first attempt was
   * applied, the retry fails its own condition against our own item. The holder then carries this
   * claim's random id, and the claim is ours — not a concurrent request's, which would make the very
   * first request for a fresh key answer PENDING and end neither sent nor parked.
   */
  private async holding(
    result: 'claimed' | Refusal,
    item: Item,
    now: number,
    signal: AbortSignal | undefined,
  ): Promise<Holding> {
    if (result === 'claimed') return 'claimed';
    const holder = result.held ?? (await this.read(item[A.pk] as AttributeValue, signal));
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

  /** Whether a put's item may be ours without our reading it: applied, or refused only on a retry. */
  private mayHold(result: 'claimed' | Refusal, claimId: string): boolean {
    if (result === 'claimed') return true;
    if (result.held) return result.held[A.claimId]?.S === claimId;
    return result.retried;
  }

  private async read(pk: AttributeValue, signal: AbortSignal | undefined): Promise<Item | undefined> {
    const out = await this.client.send(
      new GetItemCommand({ TableName: this.settings.tableName, Key: { [A.pk]: pk }, ConsistentRead: true }),
      { abortSignal: signal },
    );
    return out.Item;
  }

  /** Lets go of whichever of the two items this claim holds (or may hold), together. */
  private async releaseHeld(
    held: { readonly event?: boolean; readonly code?: boolean },
    pks: { readonly eventPk: string; readonly codePk: string },
    claimId: string,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    await Promise.all([
      held.event ? this.release(pks.eventPk, claimId, signal) : undefined,
      held.code ? this.release(pks.codePk, claimId, signal) : undefined,
    ]);
  }

  /**
   * Compensating delete: removes our half-claim, and only ours (a code item another copy of the event has
   * taken over since is not). Under the request's signal: past the deadline the half-claim is left rather
   * than the reply delayed.
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
      // Taken over by another copy of this event: nothing of ours is left to release.
      if (err instanceof ConditionalCheckFailedException) return;
      // Left in place, the half-claim only makes duplicates of this event answer PENDING until it
      // expires: safe, so log and carry on with the real answer.
      this.logger.warn('idempotency half-claim not released', {
        error: err instanceof Error ? err.name : 'unknown',
      });
    }
  }

  /**
   * A code item held for another event: what its event's record says, when that record is still the
   * same claim's; otherwise in progress. (Items written before code items named their event carry their
   * own state and outcome.)
   */
  private async describeCodeHolder(
    holder: Item,
    now: number,
    signal: AbortSignal | undefined,
  ): Promise<ClaimResult> {
    const eventKey = holder[A.eventKey]?.S;
    if (eventKey && holder[A.state]?.S === 'in-progress') {
      try {
        const record = await this.read({ S: `event#${eventKey}` }, signal);
        if (record && record[A.claimId]?.S === holder[A.claimId]?.S)
          return this.describe(record, 'code', now);
      } catch (error) {
        // The duplicate is still a duplicate: answer PENDING rather than fail it.
        this.logger.warn('idempotency record of a duplicate by code could not be read', {
          error: error instanceof Error ? error.name : 'unknown',
        });
      }
    }
    return this.describe(holder, 'code', now);
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
