import type { Channel } from '../domain/delivery-request';
import type { MessageTemplate, TemplatePurpose } from '../domain/message-template';

export interface TemplateQuery {
  readonly channel: Channel;
  /** The locale fallback chain, most specific first. */
  readonly locales: readonly string[];
  /** Purposes to look for, e.g. ["verification", "generic"]. */
  readonly purposes: readonly TemplatePurpose[];
}

/**
 * A source of templates. Returns every template it holds for any (locale, purpose) of the query,
 * in any order; choosing among them is the domain's job. Must answer the whole query in one
 * round trip to its backing store.
 */
export interface TemplateStore {
  find(query: TemplateQuery): Promise<readonly MessageTemplate[]>;
}
