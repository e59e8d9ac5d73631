/** CLDR's own order, the way translators' tools list the forms. */
const CATEGORY_ORDER: readonly Intl.LDMLPluralRule[] = ['zero', 'one', 'two', 'few', 'many', 'other'];

export interface PluralCategory {
  readonly category: Intl.LDMLPluralRule;
  /** Whole numbers of minutes that take this form, the first few from 0. */
  readonly examples: readonly number[];
}

/**
 * The plural forms a language distinguishes for whole numbers ("1 minute", "5 minutes"; Arabic has six),
 * each with example numbers, so an operator sees which phrasings an expiry like "{{minutes}} minutes" needs.
 */
export function pluralCategories(locale: string): PluralCategory[] {
  let rules: Intl.PluralRules;
  try {
    rules = new Intl.PluralRules(locale);
  } catch {
    rules = new Intl.PluralRules('en');
  }
  const categories = rules.resolvedOptions().pluralCategories;
  const examples = new Map<Intl.LDMLPluralRule, number[]>(categories.map((c) => [c, []]));
  // Some forms start late: French "many" is for millions.
  for (const n of [...Array.from({ length: 201 }, (_, i) => i), 1000, 10_000, 100_000, 1_000_000]) {
    const list = examples.get(rules.select(n));
    if (list && list.length < 4) list.push(n);
  }
  return CATEGORY_ORDER.filter((c) => categories.includes(c)).map((category) => ({
    category,
    examples: examples.get(category) ?? [],
  }));
}

/** The plural form `minutes` takes in the locale's language. */
export function pluralCategoryOf(locale: string, minutes: number): Intl.LDMLPluralRule {
  try {
    return new Intl.PluralRules(locale).select(minutes);
  } catch {
    return new Intl.PluralRules('en').select(minutes);
  }
}
