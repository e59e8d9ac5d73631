import type { MessageTemplate } from '../domain/message-template';
import type { Logger } from '../ports/logger';
import type { TemplateQuery, TemplateStore } from '../ports/template-store';

/**
 * Asks every source at once and pools what they hold; which template wins is the domain's
 * choice (selectTemplate ranks by locale, source and purpose). A failing source is logged and
 * skipped so that, say, a DynamoDB outage degrades to the bundled catalogue instead of failing.
 */
export class CompositeTemplateStore implements TemplateStore {
  constructor(
    private readonly sources: readonly { readonly name: string; readonly store: TemplateStore }[],
    private readonly logger: Logger,
  ) {}

  async find(query: TemplateQuery): Promise<readonly MessageTemplate[]> {
    const results = await Promise.allSettled(this.sources.map((source) => source.store.find(query)));
    const found: MessageTemplate[] = [];
    results.forEach((result, index) => {
      if (result.status === 'fulfilled') {
        found.push(...result.value);
      } else {
        const error = result.reason as Error;
        this.logger.warn('template source failed; using the others', {
          source: this.sources[index]?.name,
          error: error?.name ?? 'Error',
          reason: error?.message?.slice(0, 200),
        });
      }
    });
    return found;
  }
}
