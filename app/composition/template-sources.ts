import type { DynamoDbTemplateStore } from '../../adapters/dynamodb/dynamodb-template-store';
import { I18nextTemplateStore } from '../../adapters/i18n/i18next-template-store';
import type { Clock } from '../../ports/clock';
import type { Logger } from '../../ports/logger';
import type { TemplateStore } from '../../ports/template-store';
import { CachedTemplateStore } from '../cached-template-store';
import { CompositeTemplateStore } from '../composite-template-store';

export interface TemplateSourceOptions {
  readonly table?: DynamoDbTemplateStore;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly cacheTtlSeconds: number;
}

/**
 * Where templates come from, everywhere: the operators' DynamoDB table behind an in-process cache, with
 * the bundled catalogue beside it (selectTemplate ranks DynamoDB first at each locale). Without a table
 * (redrive with the stack stopped) the catalogue alone.
 */
export function templateSources(options: TemplateSourceOptions): TemplateStore {
  return cachedTemplateSources(options).store;
}

/** The same, with a handle on the table's cache (absent without a table), for priming it at init. */
export function cachedTemplateSources(options: TemplateSourceOptions): {
  readonly store: TemplateStore;
  readonly cache?: CachedTemplateStore;
} {
  const catalogue = new I18nextTemplateStore();
  if (!options.table) return { store: catalogue };
  const cache = new CachedTemplateStore(options.table, options.clock, options.logger, {
    ttlMs: options.cacheTtlSeconds * 1000,
  });
  return {
    store: new CompositeTemplateStore(
      [
        { name: 'dynamodb', store: cache },
        { name: 'catalogue', store: catalogue },
      ],
      options.logger,
    ),
    cache,
  };
}
