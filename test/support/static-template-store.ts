import type { MessageTemplate } from '../../domain/message-template';
import type { TemplateQuery, TemplateStore } from '../../ports/template-store';

/** Answers template queries from a fixed list, the way any store must: every match, in any order. */
export class StaticTemplateStore implements TemplateStore {
  calls = 0;
  constructor(private readonly templates: readonly MessageTemplate[]) {}

  async find(query: TemplateQuery): Promise<readonly MessageTemplate[]> {
    this.calls += 1;
    return this.templates.filter(
      (t) =>
        t.channel === query.channel && query.locales.includes(t.locale) && query.purposes.includes(t.purpose),
    );
  }
}
