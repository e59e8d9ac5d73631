import {
  type AttributeValue,
  BatchGetItemCommand,
  BatchWriteItemCommand,
  type DynamoDBClient,
  ScanCommand,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { CHANNELS, type Channel, PURPOSES } from '../../domain/delivery-request';
import { TemplateError } from '../../domain/errors';
import type { ExpiryForms } from '../../domain/expiry-phrase';
import { localeKeyProblem } from '../../domain/locale';
import type { MessageTemplate, TemplatePurpose } from '../../domain/message-template';
import { describeTemplate, validateTemplate } from '../../domain/template-validation';
import type { Logger } from '../../ports/logger';
import type { TemplateQuery, TemplateStore } from '../../ports/template-store';
import { TEMPLATE_ATTRIBUTES as A, templatePk, templateSk } from './template-table';

type Item = Record<string, AttributeValue>;

export interface DynamoDbTemplateStoreSettings {
  readonly tableName: string;
  /** Extra BatchGetItem / BatchWriteItem rounds for unprocessed keys (throttling); default 2. */
  readonly maxUnprocessedRetries?: number;
}

/** A template as stored, with the operator metadata that export shows. */
export interface StoredTemplate extends MessageTemplate {
  readonly updatedAt?: string;
  readonly updatedBy?: string;
}

// BatchGetItem's hard limit; a locale chain is ~3 locales × 2 purposes, far below it.
const MAX_BATCH_GET_KEYS = 100;
const MAX_BATCH_WRITE_ITEMS = 25;
const TEMPLATE_PURPOSES: ReadonlySet<string> = new Set<TemplatePurpose>([...PURPOSES, 'generic']);

export class DynamoDbTemplateStore implements TemplateStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly settings: DynamoDbTemplateStoreSettings,
    private readonly logger: Logger,
  ) {}

  async find(query: TemplateQuery): Promise<readonly MessageTemplate[]> {
    const keys = uniqueKeys(query);
    if (keys.length === 0) return [];
    if (keys.length > MAX_BATCH_GET_KEYS) {
      // Refuse rather than split: the port promises one round trip, and no real chain gets near this.
      throw new RangeError(
        `template query has ${keys.length} keys; at most ${MAX_BATCH_GET_KEYS} fit one BatchGetItem`,
      );
    }
    const items: Item[] = [];
    let pending: Item[] = keys;
    for (let round = 0; ; round++) {
      const out = await this.client.send(
        new BatchGetItemCommand({ RequestItems: { [this.settings.tableName]: { Keys: pending } } }),
      );
      items.push(...(out.Responses?.[this.settings.tableName] ?? []));
      pending = out.UnprocessedKeys?.[this.settings.tableName]?.Keys ?? [];
      if (pending.length === 0) break;
      if (round >= (this.settings.maxUnprocessedRetries ?? 2)) {
        // Partial answer would silently pick a worse fallback; failing lets the cache serve stale instead.
        throw new Error(`BatchGetItem left ${pending.length} template keys unprocessed`);
      }
      await backoff(round);
    }
    return items.flatMap((item) => this.parseOrSkip(item));
  }

  /**
   * Writes templates (seed / import). Validates every one first, locale key included, and writes
   * nothing if any is invalid.
   * Not atomic across batches of 25; re-running the same import converges.
   */
  async putTemplates(
    templates: readonly MessageTemplate[],
    options: { updatedBy?: string } = {},
  ): Promise<number> {
    // A key no request looks up ("pt_BR", "iw") would be written and never served: refuse it by name.
    const unserved = templates.flatMap((t) => {
      const problem = localeKeyProblem(t.locale);
      return problem === undefined ? [] : [`${describeTemplate(t)}: ${problem}`];
    });
    if (unserved.length > 0) throw new TemplateError(unserved.join('; '));
    const valid = templates.map((t) => validateTemplate(t));
    const keys = new Set(
      valid.map((t) => `${templatePk(t.channel, t.locale)}\u0000${templateSk(t.purpose)}`),
    );
    if (keys.size !== valid.length) {
      // BatchWriteItem would reject the batch anyway, and "last one wins" would hide an operator's mistake.
      throw new RangeError('templates to write contain the same locale, channel and purpose twice');
    }
    const updatedAt = new Date().toISOString();
    const requests: WriteRequest[] = valid.map((t) => ({
      PutRequest: { Item: toItem(t, updatedAt, options.updatedBy ?? 'otp-courier') },
    }));
    for (let i = 0; i < requests.length; i += MAX_BATCH_WRITE_ITEMS) {
      await this.batchWrite(requests.slice(i, i + MAX_BATCH_WRITE_ITEMS));
    }
    return requests.length;
  }

  /**
   * Every template in the table, for export and the operator CLI. This one Scans: it is an operator
   * tool run by hand, never on the request path.
   */
  async listAllTemplates(): Promise<readonly StoredTemplate[]> {
    const result: StoredTemplate[] = [];
    let startKey: Item | undefined;
    do {
      const out = await this.client.send(
        new ScanCommand({
          TableName: this.settings.tableName,
          ExclusiveStartKey: startKey,
          ConsistentRead: true,
        }),
      );
      for (const item of out.Items ?? []) result.push(...this.parseOrSkip(item));
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    return result;
  }

  private async batchWrite(requests: WriteRequest[]): Promise<void> {
    let pending = requests;
    for (let round = 0; pending.length > 0; round++) {
      if (round > (this.settings.maxUnprocessedRetries ?? 2) + 3) {
        throw new Error(`BatchWriteItem left ${pending.length} templates unwritten`);
      }
      if (round > 0) await backoff(round);
      const out = await this.client.send(
        new BatchWriteItemCommand({ RequestItems: { [this.settings.tableName]: pending } }),
      );
      pending = out.UnprocessedItems?.[this.settings.tableName] ?? [];
    }
  }

  private parseOrSkip(item: Item): StoredTemplate[] {
    const parsed = parseItem(item);
    if (typeof parsed === 'string') {
      // An operator's typo must not reach a phone; the next fallback (catalogue) takes over.
      this.logger.warn('template item skipped', {
        reason: parsed,
        pk: item[A.pk]?.S ?? null,
        sk: item[A.sk]?.S ?? null,
        table: this.settings.tableName,
      });
      return [];
    }
    try {
      // The rules may normalise (e.g. canonical locale case); keep the stored metadata alongside.
      return [{ ...parsed, ...validateTemplate(parsed) }];
    } catch (err) {
      this.logger.warn('template item skipped', {
        reason: err instanceof Error ? err.message : String(err),
        pk: item[A.pk]?.S ?? null,
        sk: item[A.sk]?.S ?? null,
        table: this.settings.tableName,
      });
      return [];
    }
  }
}

function uniqueKeys(query: TemplateQuery): Item[] {
  const seen = new Set<string>();
  const keys: Item[] = [];
  for (const locale of query.locales) {
    for (const purpose of query.purposes) {
      const pk = templatePk(query.channel, locale);
      const sk = templateSk(purpose);
      // BatchGetItem rejects a request that names the same key twice.
      if (seen.has(`${pk}\u0000${sk}`)) continue;
      seen.add(`${pk}\u0000${sk}`);
      keys.push({ [A.pk]: { S: pk }, [A.sk]: { S: sk } });
    }
  }
  return keys;
}

function toItem(t: MessageTemplate, updatedAt: string, updatedBy: string): Item {
  const item: Item = {
    [A.pk]: { S: templatePk(t.channel, t.locale) },
    [A.sk]: { S: templateSk(t.purpose) },
    [A.body]: { S: t.body },
    [A.version]: { N: String(t.version ?? 1) },
    [A.updatedAt]: { S: updatedAt },
    [A.updatedBy]: { S: updatedBy },
  };
  if (t.voiceId) item[A.voiceId] = { S: t.voiceId };
  if (t.language) item[A.language] = { S: t.language };
  if (t.expiry) item[A.expiry] = { M: expiryToMap(t.expiry) };
  return item;
}

// A native map (not a JSON string) so the phrases read and edit as they are in the DynamoDB console.
function expiryToMap(expiry: ExpiryForms): Item {
  return Object.fromEntries(
    Object.entries(expiry).map(([unit, forms]) => [
      unit,
      {
        M: Object.fromEntries(
          Object.entries(forms ?? {}).map(([category, phrase]) => [category, { S: phrase }]),
        ),
      },
    ]),
  );
}

/** The `expiry` attribute as phrases, or why it is not a map of maps of strings. */
function expiryFromMap(attribute: AttributeValue): ExpiryForms | string {
  if (attribute.M === undefined) return 'expiry is not a map';
  const expiry: Record<string, Record<string, string>> = {};
  for (const [unit, forms] of Object.entries(attribute.M)) {
    if (forms.M === undefined) return `expiry.${unit} is not a map`;
    const phrases: Record<string, string> = {};
    for (const [category, phrase] of Object.entries(forms.M)) {
      if (phrase.S === undefined) return `expiry.${unit}.${category} is not a string`;
      phrases[category] = phrase.S;
    }
    expiry[unit] = phrases;
  }
  // Units and categories are checked by validateTemplate, with the language's own categories.
  return expiry as ExpiryForms;
}

/** The item as a template, or why it is not one. */
function parseItem(item: Item): StoredTemplate | string {
  const pk = item[A.pk]?.S;
  const sk = item[A.sk]?.S;
  if (!pk || !sk) return 'missing key';
  const hash = pk.indexOf('#');
  const channel = pk.slice(0, hash);
  const locale = pk.slice(hash + 1);
  if (hash < 0 || !(CHANNELS as readonly string[]).includes(channel) || locale === '') {
    return 'pk is not "<channel>#<locale>"';
  }
  if (!TEMPLATE_PURPOSES.has(sk)) return 'sk is not a known purpose';
  const body = item[A.body];
  if (body?.S === undefined) return body ? 'body is not a string' : 'body missing';
  if (body.S.trim() === '') return 'body is empty';
  const voiceId = item[A.voiceId];
  if (voiceId && voiceId.S === undefined) return 'voiceId is not a string';
  const language = item[A.language];
  if (language && language.S === undefined) return 'language is not a string';
  const expiryAttribute = item[A.expiry];
  const expiry = expiryAttribute === undefined ? undefined : expiryFromMap(expiryAttribute);
  if (typeof expiry === 'string') return expiry;
  const versionAttr = item[A.version];
  let version: number | undefined;
  if (versionAttr) {
    version = versionAttr.N === undefined ? Number.NaN : Number(versionAttr.N);
    if (!Number.isSafeInteger(version)) return 'version is not an integer number';
  }
  return {
    locale,
    channel: channel as Channel,
    purpose: sk as TemplatePurpose,
    body: body.S,
    ...(voiceId?.S ? { voiceId: voiceId.S } : {}),
    ...(language?.S ? { language: language.S } : {}),
    ...(expiry ? { expiry } : {}),
    source: 'dynamodb',
    ...(version !== undefined ? { version } : {}),
    ...(item[A.updatedAt]?.S ? { updatedAt: item[A.updatedAt]?.S } : {}),
    ...(item[A.updatedBy]?.S ? { updatedBy: item[A.updatedBy]?.S } : {}),
  };
}

function backoff(round: number): Promise<void> {
  // Full jitter, small base: this runs inside a 2.5 s request budget.
  const ms = Math.random() * 25 * 2 ** round;
  return new Promise((resolve) => setTimeout(resolve, ms));
}
