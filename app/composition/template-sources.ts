import type { DynamoDbTemplateStore } from '../../adapters/dynamodb/dynamodb-template-store';
import { I18nextTemplateStore } from '../../adapters/i18n/i18next-template-store';
import type { Clock } from '../../ports/clock';
import type { Logger } from '../../ports/logger';
import type { TemplateStore } from '../../ports/template-store';
import { CachedTemplateStore } from '../cached-template-store';
import { CompositeTemplateStore } from '../composite-template-store';

/**
 * Where templates come from, everywhere: the operators' DynamoDB table behind an in-process cache, with
 * the bundled catalogue beside it (selectTemplate ranks DynamoDB first at each locale). Without a table
 * (redrive with the stack stopped) the catalogue alone.
 */
export function templateSources(options: {
  readonly table?: DynamoDbTemplateStore;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly cacheTtlSeconds: number;
}): TemplateStore {
  const catalogue = new I18nextTemplateStore();
  if (!options.table) return catalogue;
  return new CompositeTemplateStore(
    [
      {
        name: 'dynamodb',
        store: new CachedTemplateStore(options.table, options.clock, options.logger, {
          ttlMs: options.cacheTtlSeconds * 1000,
        }),
      },
      { name: 'catalogue', store: catalogue },
    ],
    options.logger,
  );
}
