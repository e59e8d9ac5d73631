import { type AttributeValue, BatchWriteItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDbTemplateStore } from '../../adapters/dynamodb/dynamodb-template-store';
import {
  TEMPLATE_ATTRIBUTES as A,
  ensureTemplateTable,
  templatePk,
} from '../../adapters/dynamodb/template-table';
import { bundledTemplates } from '../../adapters/i18n/i18next-template-store';
import { SystemClock } from '../../adapters/local/system-clock';
import { CachedTemplateStore } from '../../app/cached-template-store';
import { startEmbeddedDynamo } from '../../app/local/embedded-dynamodb';
import { CHANNELS, PURPOSES } from '../../domain/delivery-request';
import { localeFallbackChain } from '../../domain/locale';
import type { TemplateQuery } from '../../ports/template-store';
import { countCommands, createLocalClient } from '../../test/support/dynalite';
import { MARKETS } from '../support/hook-traffic';
import { type Distribution, distribution, msSince, roundDistribution } from '../support/stats';

export interface TableSize {
  readonly items: number;
  /** DynamoDbTemplateStore.find: one BatchGetItem for the whole fallback chain, every time. */
  readonly storeMs: Distribution;
  /** CachedTemplateStore over it, first query for a key: a miss, so one BatchGetItem. */
  readonly cacheMissMs: Distribution;
  /** CachedTemplateStore, warm: no DynamoDB call at all. */
  readonly cacheHitMs: Distribution;
  readonly dynamoCallsOnHits: number;
  /** Templates each query found (the chain's real templates), so a fast empty answer cannot pass. */
  readonly templatesPerQuery: number;
}

export interface TemplateScalingResult {
  readonly sizes: readonly TableSize[];
  /** storeMs p50 at the largest table over the smallest: about 1 when lookups do not grow with the table. */
  readonly growth: number;
}

const SIZES = [50, 500, 5_000];
const STORE_ROUNDS = 10;
const MISS_ROUNDS = 5;
const HIT_ROUNDS = 500;
const silent = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * Measurement 4: template resolution as the table grows. The queries are the ten benchmark markets'
 * fallback chains (SMS and voice, a purpose plus generic); the table holds those templates plus filler
 * items under other keys, up to 50, 500 and 5,000 items. Keyed BatchGetItem lookups should not care.
 */
export async function runTemplateScaling(): Promise<TemplateScalingResult> {
  const dynamo = await startEmbeddedDynamo({});
  const client = createLocalClient(dynamo.endpoint);
  const calls = countCommands(client);
  try {
    await ensureTemplateTable(client, 'templates');
    const store = new DynamoDbTemplateStore(client, { tableName: 'templates' }, silent);
    const queries: TemplateQuery[] = MARKETS.flatMap((market, i) =>
      CHANNELS.map((channel) => ({
        channel,
        locales: localeFallbackChain(market.locale, 'en'),
        purposes: [PURPOSES[i % PURPOSES.length] ?? 'verification', 'generic'],
      })),
    );
    // Exactly the templates those queries can find, from the bundled catalogue.
    const wanted = new Set(
      queries.flatMap((q) =>
        q.locales.flatMap((l) => q.purposes.map((p) => `${templatePk(q.channel, l)}#${p}`)),
      ),
    );
    const real = bundledTemplates().filter((t) =>
      wanted.has(`${templatePk(t.channel, t.locale)}#${t.purpose}`),
    );
    let items = await store.putTemplates(real, { updatedBy: 'bench' });
    // JIT and keep-alive first, so the smallest table is not charged for the client's warm-up.
    for (let i = 0; i < 20; i++) for (const query of queries) await store.find(query);

    const sizes: TableSize[] = [];
    for (const size of SIZES) {
      items += await addFiller(client, items, size - items);
      const storeMs: number[] = [];
      let found = 0;
      for (let round = 0; round < STORE_ROUNDS; round++) {
        for (const query of queries) {
          const start = process.hrtime.bigint();
          const templates = await store.find(query);
          storeMs.push(msSince(start));
          found += templates.length;
        }
      }
      const missMs: number[] = [];
      for (let round = 0; round < MISS_ROUNDS; round++) {
        const cache = new CachedTemplateStore(store, new SystemClock(), silent);
        for (const query of queries) {
          const start = process.hrtime.bigint();
          await cache.find(query);
          missMs.push(msSince(start));
        }
      }
      const cache = new CachedTemplateStore(store, new SystemClock(), silent);
      for (const query of queries) await cache.find(query);
      const before = calls.length;
      const hitMs: number[] = [];
      for (let round = 0; round < HIT_ROUNDS; round++) {
        for (const query of queries) {
          const start = process.hrtime.bigint();
          await cache.find(query);
          hitMs.push(msSince(start));
        }
      }
      sizes.push({
        items,
        storeMs: roundDistribution(distribution(storeMs)),
        cacheMissMs: roundDistribution(distribution(missMs)),
        cacheHitMs: roundDistribution(distribution(hitMs), 4),
        dynamoCallsOnHits: calls.length - before,
        templatesPerQuery: Math.round((found / (STORE_ROUNDS * queries.length)) * 10) / 10,
      });
    }
    const first = sizes[0]?.storeMs.p50 ?? Number.NaN;
    const last = sizes[sizes.length - 1]?.storeMs.p50 ?? Number.NaN;
    return { sizes, growth: Math.round((last / first) * 100) / 100 };
  } finally {
    client.destroy();
    await dynamo.close();
  }
}

/** Items under keys no query asks for, shaped like real templates; raw writes, since no code reads them. */
async function addFiller(
  client: ReturnType<typeof createLocalClient>,
  from: number,
  count: number,
): Promise<number> {
  const requests = Array.from({ length: Math.max(0, count) }, (_, i) => {
    const n = from + i;
    const item: Record<string, AttributeValue> = {
      [A.pk]: { S: `${n % 2 === 0 ? 'sms' : 'voice'}#x-filler-${Math.floor(n / 5)}` },
      [A.sk]: { S: ['generic', ...PURPOSES][n % 5] ?? 'generic' },
      [A.body]: {
        S: `{{brand}}: your verification code is {{code}}. It expires in {{minutes}} minutes. #${n}`,
      },
      [A.version]: { N: '1' },
      [A.updatedAt]: { S: new Date().toISOString() },
      [A.updatedBy]: { S: 'bench filler' },
    };
    return { PutRequest: { Item: item } };
  });
  for (let i = 0; i < requests.length; i += 25) {
    let pending = requests.slice(i, i + 25);
    while (pending.length > 0) {
      const out = await client.send(new BatchWriteItemCommand({ RequestItems: { templates: pending } }));
      pending = (out.UnprocessedItems?.templates as typeof pending | undefined) ?? [];
    }
  }
  return requests.length;
}
