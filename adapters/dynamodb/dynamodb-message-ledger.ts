import { createHash } from 'node:crypto';
import {
  type AttributeValue,
  BatchGetItemCommand,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  type DeliveryReceipt,
  RECEIPT_FAILURES,
  RECEIPT_STATUSES,
  type ReceiptFailure,
  type ReceiptStatus,
  receiptOrder,
  settles,
} from '../../domain/delivery-receipt';
import { CHANNELS, type Channel, PURPOSES, type Purpose } from '../../domain/delivery-request';
import type { CallOptions } from '../../ports/call-options';
import type { Clock } from '../../ports/clock';
import type { Conversion, ConversionStats } from '../../ports/conversion-stats';
import type { MessageHistory } from '../../ports/message-history';
import type { ConfirmResult, MessageLedger, ReceiptResult, SentMessage } from '../../ports/message-ledger';
import type { ConversionState, MessageRecord } from '../../ports/message-record';
import { MESSAGE_ATTRIBUTES as A, AWAITING_SHARDS, MESSAGE_INDEXES } from './message-table';

type Item = Record<string, AttributeValue>;

export interface DynamoDbMessageLedgerSettings {
  readonly tableName: string;
  /** How long message records live after sending (TTL). Default 30 days: receipts may take 72 hours. */
  readonly retentionDays?: number;
  /** How long conversion counters live. Default 90 days. */
  readonly counterRetentionDays?: number;
  /**
   * Tolerance between our clock and the IdP's when matching a verification to a message: a message sent
   * this long after the reported verification time still matches. Default 10 s.
   */
  readonly clockSkewMs?: number;
}

const DAY_MS = 86_400_000;
const CONVERSION_STATES: readonly ConversionState[] = ['awaiting', 'received', 'unconfirmed'];

const messageKey = (messageId: string): Item => ({ [A.pk]: { S: `m#${messageId}` } });
const counterKey = (country: string, day: string): Item => ({ [A.pk]: { S: `c#${country}#${day}` } });
const n = (value: number): AttributeValue => ({ N: String(value) });
const s = (value: string): AttributeValue => ({ S: value });
const utcDay = (epochMs: number) => new Date(epochMs).toISOString().slice(0, 10);

/**
 * The message ledger, history and conversion counters in one DynamoDB table (message-table.ts).
 *
 * Receipts are idempotent and order-proof with one conditional UpdateItem: each stores receiptOrder
 * (stage, then report time) and applies only if its own is greater, so a duplicate or a late older
 * receipt changes nothing. Confirmation and the sweep move `conversion` with conditions on its current
 * value, so each message is counted once. Conversion counters are a second write after the conditional
 * one (dynalite, which the local stack and tests run, has no TransactWriteItems): a crash between the
 * two loses that one count, never doubles it.
 */
export class DynamoDbMessageLedger implements MessageLedger, MessageHistory, ConversionStats {
  private readonly retentionS: number;
  private readonly counterRetentionS: number;
  private readonly skewMs: number;

  constructor(
    private readonly client: DynamoDBClient,
    private readonly settings: DynamoDbMessageLedgerSettings,
    private readonly clock: Clock,
  ) {
    this.retentionS = (settings.retentionDays ?? 30) * 86_400;
    this.counterRetentionS = (settings.counterRetentionDays ?? 90) * 86_400;
    this.skewMs = settings.clockSkewMs ?? 10_000;
  }

  async recordSent(message: SentMessage, options: CallOptions = {}): Promise<void> {
    const u = new Update()
      .set('eventId', s(message.eventId))
      .set('provider', s(message.provider))
      .set('idp', s(message.idp))
      .set('purpose', s(message.purpose))
      .set('channel', s(message.channel))
      .set('maskedTo', s(message.maskedTo))
      .set('receivedAt', n(message.receivedAt))
      .set('sentAt', n(message.sentAt))
      .set('codeExpiresAt', n(message.codeExpiresAt))
      .set(A.ttl, n(Math.floor(message.sentAt / 1000) + this.retentionS))
      // A receipt that arrived first may have set the country from the provider's report; keep it.
      .set('country', opt(message.country, s), 'ifAbsent')
      .set('locale', opt(message.locale, s))
      .set('templateSource', opt(message.templateSource, s))
      .set('encoding', opt(message.encoding, s))
      .set('segments', opt(message.segments, n))
      .set('estimatedCostUsd', opt(message.estimatedCostUsd, n));
    if (message.userKey !== undefined) {
      u.set('userKey', s(message.userKey))
        .set('conversion', s('awaiting'))
        .set('awaitingShard', s(shardOf(message.messageId)));
    }
    await this.client.send(
      new UpdateItemCommand({
        TableName: this.settings.tableName,
        Key: messageKey(message.messageId),
        ...u.build(),
      }),
      { abortSignal: options.signal },
    );
  }

  async applyReceipt(receipt: DeliveryReceipt, options: CallOptions = {}): Promise<ReceiptResult> {
    const order = receiptOrder(receipt);
    const settling = settles(receipt);
    const u = new Update()
      .set('receiptOrder', n(order))
      .set('status', s(receipt.status))
      .set('providerStatus', s(receipt.providerStatus.slice(0, 64)))
      .set('receiptAt', n(receipt.at))
      .set('provider', s(receipt.provider), 'ifAbsent')
      .set(A.ttl, n(Math.floor(this.clock.now() / 1000) + this.retentionS), 'ifAbsent')
      .set('channel', opt(receipt.channel, s), 'ifAbsent')
      .set('eventId', opt(receipt.eventId, s), 'ifAbsent')
      .set('requestedAt', opt(receipt.requestedAt, n), 'ifAbsent')
      // The provider's country is the billing one: it wins over our parse of the number.
      .set('country', opt(receipt.country, s))
      .set('priceUsd', opt(receipt.priceUsd, n))
      .set('parts', opt(receipt.parts, n));
    if (receipt.failure) u.set('failure', s(receipt.failure));
    else u.remove('failure');
    if (settling) u.set('settled', { BOOL: true });
    const orderName = u.ref('receiptOrder');
    try {
      const out = await this.client.send(
        new UpdateItemCommand({
          TableName: this.settings.tableName,
          Key: messageKey(receipt.messageId),
          ...u.build(`attribute_not_exists(${orderName}) OR ${orderName} < :receiptOrder`),
          ReturnValues: 'ALL_OLD',
        }),
        { abortSignal: options.signal },
      );
      const before = out.Attributes ? recordOf(out.Attributes) : undefined;
      // Counted once: by the receipt that settles a message not settled before (an accepted-final then
      // a delivered, or a delivered then a failed, settle nothing twice).
      return {
        applied: true,
        settledNow: settling && before?.settled !== true,
        record: withReceipt(before, receipt, settling),
      };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      if (receipt.priceUsd !== undefined) await this.fillPrice(receipt, options);
      return { applied: false, settledNow: false };
    }
  }

  /** A late, older receipt may still carry the price the newer one lacked. */
  private async fillPrice(receipt: DeliveryReceipt, options: CallOptions): Promise<void> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.settings.tableName,
          Key: messageKey(receipt.messageId),
          UpdateExpression: 'SET priceUsd = :price',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(priceUsd)',
          ExpressionAttributeValues: { ':price': n(receipt.priceUsd ?? 0) },
        }),
        { abortSignal: options.signal },
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async findForVerification(
    userKey: string,
    channel: Channel | undefined,
    at: number,
    options: CallOptions = {},
  ): Promise<MessageRecord | undefined> {
    const out = await this.client.send(
      new QueryCommand({
        TableName: this.settings.tableName,
        IndexName: MESSAGE_INDEXES.byUser,
        KeyConditionExpression: 'userKey = :u AND sentAt <= :latest',
        ExpressionAttributeValues: { ':u': s(userKey), ':latest': n(at + this.skewMs) },
        ScanIndexForward: false,
        Limit: 10,
      }),
      { abortSignal: options.signal },
    );
    for (const item of out.Items ?? []) {
      const expires = Number(item.codeExpiresAt?.N);
      if (channel !== undefined && item.channel?.S !== channel) continue;
      // The newest message on the channel is the one the user could have typed; an older one whose code
      // was still alive is not a better match (the user asked for a new code and used that).
      if (!(expires + this.skewMs >= at)) return undefined;
      const id = item.pk?.S?.slice(2);
      return id === undefined ? undefined : this.get(id, options);
    }
    return undefined;
  }

  async confirm(messageId: string, at: number, options: CallOptions = {}): Promise<ConfirmResult> {
    let before: Item | undefined;
    try {
      const out = await this.client.send(
        new UpdateItemCommand({
          TableName: this.settings.tableName,
          Key: messageKey(messageId),
          UpdateExpression: 'SET conversion = :received, verifiedAt = :at REMOVE awaitingShard',
          ConditionExpression: 'conversion IN (:awaiting, :unconfirmed)',
          ExpressionAttributeValues: {
            ':received': s('received'),
            ':awaiting': s('awaiting'),
            ':unconfirmed': s('unconfirmed'),
            ':at': n(at),
          },
          ReturnValues: 'ALL_OLD',
        }),
        { abortSignal: options.signal },
      );
      before = out.Attributes;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return 'already';
      throw error;
    }
    const late = before?.conversion?.S === 'unconfirmed';
    await this.count(before, { settled: late ? 0 : 1, converted: 1 }, options);
    return late ? 'late' : 'confirmed';
  }

  async markFeedbackSent(messageId: string, at: number, options: CallOptions = {}): Promise<void> {
    await this.client.send(
      new UpdateItemCommand({
        TableName: this.settings.tableName,
        Key: messageKey(messageId),
        UpdateExpression: 'SET feedbackAt = :at',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':at': n(at) },
      }),
      { abortSignal: options.signal },
    );
  }

  async settleExpired(
    before: number,
    limit: number,
    options: CallOptions = {},
  ): Promise<readonly MessageRecord[]> {
    const settled: MessageRecord[] = [];
    for (let shard = 0; shard < AWAITING_SHARDS && settled.length < limit; shard++) {
      let start: Item | undefined;
      do {
        const page = await this.client.send(
          new QueryCommand({
            TableName: this.settings.tableName,
            IndexName: MESSAGE_INDEXES.awaiting,
            KeyConditionExpression: 'awaitingShard = :shard AND codeExpiresAt < :before',
            ExpressionAttributeValues: { ':shard': s(String(shard)), ':before': n(before) },
            Limit: Math.min(100, limit - settled.length),
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
          { abortSignal: options.signal },
        );
        for (const key of page.Items ?? []) {
          const id = key.pk?.S?.slice(2);
          if (id === undefined) continue;
          const record = await this.settleOne(id, options);
          if (record) settled.push(record);
          if (settled.length >= limit) break;
        }
        start = page.LastEvaluatedKey;
      } while (start && settled.length < limit);
    }
    return settled;
  }

  private async settleOne(messageId: string, options: CallOptions): Promise<MessageRecord | undefined> {
    let after: Item | undefined;
    try {
      const out = await this.client.send(
        new UpdateItemCommand({
          TableName: this.settings.tableName,
          Key: messageKey(messageId),
          UpdateExpression: 'SET conversion = :unconfirmed, unconfirmedAt = :now REMOVE awaitingShard',
          ConditionExpression: 'conversion = :awaiting',
          ExpressionAttributeValues: {
            ':unconfirmed': s('unconfirmed'),
            ':awaiting': s('awaiting'),
            ':now': n(this.clock.now()),
          },
          ReturnValues: 'ALL_NEW',
        }),
        { abortSignal: options.signal },
      );
      after = out.Attributes;
    } catch (error) {
      // Confirmed (or settled by a concurrent sweep) since the index was read.
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
    await this.count(after, { settled: 1, converted: 0 }, options);
    return after ? recordOf(after) : undefined;
  }

  private async count(item: Item | undefined, delta: Conversion, options: CallOptions): Promise<void> {
    if (!item || (delta.settled === 0 && delta.converted === 0)) return;
    const country = item.country?.S ?? 'ZZ';
    const sentAt = Number(item.sentAt?.N ?? this.clock.now());
    await this.client.send(
      new UpdateItemCommand({
        TableName: this.settings.tableName,
        Key: counterKey(country, utcDay(sentAt)),
        UpdateExpression: 'ADD settled :settled, converted :converted SET #ttl = if_not_exists(#ttl, :ttl)',
        ExpressionAttributeNames: { '#ttl': A.ttl },
        ExpressionAttributeValues: {
          ':settled': n(delta.settled),
          ':converted': n(delta.converted),
          ':ttl': n(Math.floor(sentAt / 1000) + this.counterRetentionS),
        },
      }),
      { abortSignal: options.signal },
    );
  }

  async get(messageId: string, options: CallOptions = {}): Promise<MessageRecord | undefined> {
    const out = await this.client.send(
      new GetItemCommand({
        TableName: this.settings.tableName,
        Key: messageKey(messageId),
        ConsistentRead: true,
      }),
      { abortSignal: options.signal },
    );
    return out.Item ? recordOf(out.Item) : undefined;
  }

  async findByEventId(eventId: string): Promise<readonly MessageRecord[]> {
    const out = await this.client.send(
      new QueryCommand({
        TableName: this.settings.tableName,
        IndexName: MESSAGE_INDEXES.byEvent,
        KeyConditionExpression: 'eventId = :e',
        ExpressionAttributeValues: { ':e': s(eventId) },
        Limit: 20,
      }),
    );
    return this.load(out.Items ?? []);
  }

  async findByMaskedPhone(maskedTo: string, limit: number): Promise<readonly MessageRecord[]> {
    const out = await this.client.send(
      new QueryCommand({
        TableName: this.settings.tableName,
        IndexName: MESSAGE_INDEXES.byPhone,
        KeyConditionExpression: 'maskedTo = :m',
        ExpressionAttributeValues: { ':m': s(maskedTo) },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return this.load(out.Items ?? []);
  }

  private async load(keys: readonly Item[]): Promise<MessageRecord[]> {
    const records = await Promise.all(
      keys.map((key) => {
        const id = key.pk?.S?.slice(2);
        return id === undefined ? undefined : this.get(id);
      }),
    );
    return records.filter((record): record is MessageRecord => record !== undefined);
  }

  async forCountry(
    country: string,
    days: number,
    now: number,
    options: CallOptions = {},
  ): Promise<Conversion> {
    const keys = Array.from({ length: Math.max(1, Math.min(100, days)) }, (_, i) =>
      counterKey(country.toUpperCase(), utcDay(now - i * DAY_MS)),
    );
    const out = await this.client.send(
      new BatchGetItemCommand({ RequestItems: { [this.settings.tableName]: { Keys: keys } } }),
      { abortSignal: options.signal },
    );
    let settled = 0;
    let converted = 0;
    for (const item of out.Responses?.[this.settings.tableName] ?? []) {
      settled += Number(item.settled?.N ?? 0);
      converted += Number(item.converted?.N ?? 0);
    }
    return { settled, converted };
  }
}

const opt = <T>(value: T | undefined, wrap: (value: T) => AttributeValue) =>
  value === undefined ? undefined : wrap(value);

/**
 * An UpdateItem expression with every attribute name escaped (#name): DynamoDB reserves hundreds of
 * words (status, ttl, channel, segments…), and one unescaped is a ValidationException.
 */
class Update {
  private readonly sets: string[] = [];
  private readonly removes: string[] = [];
  private readonly names: Record<string, string> = {};
  private readonly values: Item = {};

  ref(attribute: string): string {
    const alias = `#${attribute}`;
    this.names[alias] = attribute;
    return alias;
  }

  set(attribute: string, value: AttributeValue | undefined, mode: 'always' | 'ifAbsent' = 'always'): this {
    if (value === undefined) return this;
    const name = this.ref(attribute);
    this.values[`:${attribute}`] = value;
    this.sets.push(
      mode === 'ifAbsent' ? `${name} = if_not_exists(${name}, :${attribute})` : `${name} = :${attribute}`,
    );
    return this;
  }

  remove(attribute: string): this {
    this.removes.push(this.ref(attribute));
    return this;
  }

  build(condition?: string) {
    const clauses = [
      this.sets.length > 0 ? `SET ${this.sets.join(', ')}` : '',
      this.removes.length > 0 ? `REMOVE ${this.removes.join(', ')}` : '',
    ].filter(Boolean);
    return {
      UpdateExpression: clauses.join(' '),
      ExpressionAttributeNames: this.names,
      ExpressionAttributeValues: this.values,
      ...(condition ? { ConditionExpression: condition } : {}),
    };
  }
}

/** The record as the receipt left it, from the one before (ALL_OLD) and what the receipt wrote. */
function withReceipt(
  before: MessageRecord | undefined,
  receipt: DeliveryReceipt,
  settling: boolean,
): MessageRecord {
  const { failure: _failure, ...rest } = before ?? {
    messageId: receipt.messageId,
    provider: receipt.provider,
  };
  return {
    ...rest,
    status: receipt.status,
    ...(receipt.failure ? { failure: receipt.failure } : {}),
    providerStatus: receipt.providerStatus,
    receiptAt: receipt.at,
    settled: before?.settled === true || settling,
    ...((before?.channel ?? receipt.channel) ? { channel: before?.channel ?? receipt.channel } : {}),
    ...((before?.eventId ?? receipt.eventId) ? { eventId: before?.eventId ?? receipt.eventId } : {}),
    ...((receipt.country ?? before?.country) ? { country: receipt.country ?? before?.country } : {}),
    ...((receipt.priceUsd ?? before?.priceUsd) !== undefined
      ? { priceUsd: receipt.priceUsd ?? before?.priceUsd }
      : {}),
    ...((receipt.parts ?? before?.parts) !== undefined ? { parts: receipt.parts ?? before?.parts } : {}),
    ...((before?.requestedAt ?? receipt.requestedAt) !== undefined
      ? { requestedAt: before?.requestedAt ?? receipt.requestedAt }
      : {}),
  };
}

/** Which `awaiting` index shard a message goes to: stable, spread evenly. */
function shardOf(messageId: string): string {
  return String(createHash('sha256').update(messageId).digest().readUInt8(0) % AWAITING_SHARDS);
}

function recordOf(item: Item): MessageRecord {
  const str = (name: string) => item[name]?.S;
  const num = (name: string) => {
    const value = item[name]?.N;
    return value === undefined ? undefined : Number(value);
  };
  const pick = <T extends string>(value: string | undefined, allowed: readonly T[]) =>
    allowed.includes(value as T) ? (value as T) : undefined;
  const record: Record<string, unknown> = {
    messageId: (str(A.pk) ?? '').slice(2),
    provider: str('provider') ?? 'unknown',
    eventId: str('eventId'),
    idp: str('idp'),
    purpose: pick<Purpose>(str('purpose'), PURPOSES),
    channel: pick<Channel>(str('channel'), CHANNELS),
    country: str('country'),
    maskedTo: str('maskedTo'),
    locale: str('locale'),
    templateSource: str('templateSource'),
    encoding: str('encoding'),
    segments: num('segments'),
    receivedAt: num('receivedAt'),
    sentAt: num('sentAt'),
    codeExpiresAt: num('codeExpiresAt'),
    userKey: str('userKey'),
    estimatedCostUsd: num('estimatedCostUsd'),
    status: pick<ReceiptStatus>(str('status'), RECEIPT_STATUSES),
    failure: pick<ReceiptFailure>(str('failure'), RECEIPT_FAILURES),
    providerStatus: str('providerStatus'),
    receiptAt: num('receiptAt'),
    requestedAt: num('requestedAt'),
    settled: item.settled?.BOOL,
    priceUsd: num('priceUsd'),
    parts: num('parts'),
    conversion: pick<ConversionState>(str('conversion'), CONVERSION_STATES),
    verifiedAt: num('verifiedAt'),
    feedbackAt: num('feedbackAt'),
    unconfirmedAt: num('unconfirmedAt'),
  };
  for (const key of Object.keys(record)) if (record[key] === undefined) delete record[key];
  return record as unknown as MessageRecord;
}
