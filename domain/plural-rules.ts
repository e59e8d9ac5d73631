/**
 * CLDR plural categories of a language, by Intl.PluralRules: the engine i18next's own plural handling
 * calls (its PluralResolver builds `new Intl.PluralRules(lng)` and suffixes keys with `select(count)`),
 * so a bundled phrase and an operator's phrase pick the same form for the same number.
 */
export const PLURAL_CATEGORIES = ['zero', 'one', 'two', 'few', 'many', 'other'] as const;
export type PluralCategory = (typeof PLURAL_CATEGORIES)[number];

/** One phrase per plural category; `other` is required and serves any category left out. */
export type PluralForms = Readonly<Partial<Record<PluralCategory, string>>>;

export function isPluralCategory(name: string): name is PluralCategory {
  return (PLURAL_CATEGORIES as readonly string[]).includes(name);
}

// Counts are whole numbers from 1 up. CLDR's integer rules look at n, n % 10 and n % 100 (the only
// larger threshold is the "many" of fr/es/it/pt/ca at a million, beyond any expiry), so every category
// a count can fall in, and whether only one count does, shows up in 1..199.
const SAMPLE_COUNTS = Array.from({ length: 199 }, (_, i) => i + 1);

interface LanguagePlurals {
  /** Every category the language has, in canonical order (zero … other). */
  readonly categories: readonly PluralCategory[];
  /** Categories whole counts ≥ 1 fall in, plus `other`, in canonical order. */
  readonly countCategories: readonly PluralCategory[];
  /** Counts ≥ 1 per category, from the sample; a category holding one count only may omit the number. */
  readonly sampleCounts: ReadonlyMap<PluralCategory, readonly number[]>;
}

// Tags come from templates (a few dozen languages), but also from operators' files: bounded anyway.
const MAX_REMEMBERED = 256;
// Rendering needs only the rules (one select per message); the analysis is for validation and lint.
const rulesByLanguage = new Map<string, Intl.PluralRules>();
const analysisByLanguage = new Map<string, LanguagePlurals>();

function remember<T>(map: Map<string, T>, key: string, value: T): T {
  if (map.size >= MAX_REMEMBERED) map.clear();
  map.set(key, value);
  return value;
}

function rulesOf(language: string): Intl.PluralRules {
  const known = rulesByLanguage.get(language);
  if (known !== undefined) return known;
  let rules: Intl.PluralRules;
  try {
    rules = new Intl.PluralRules(language);
  } catch {
    // A malformed tag: validation reports it elsewhere; rendering still needs an answer.
    rules = new Intl.PluralRules('en');
  }
  return remember(rulesByLanguage, language, rules);
}

function canonicalOrder(categories: Iterable<string>): PluralCategory[] {
  const present = new Set(categories);
  return PLURAL_CATEGORIES.filter((c) => present.has(c));
}

function pluralsOf(language: string): LanguagePlurals {
  const known = analysisByLanguage.get(language);
  if (known !== undefined) return known;
  const rules = rulesOf(language);
  const sampleCounts = new Map<PluralCategory, number[]>();
  for (const n of SAMPLE_COUNTS) {
    const category = rules.select(n) as PluralCategory;
    const counts = sampleCounts.get(category) ?? [];
    counts.push(n);
    sampleCounts.set(category, counts);
  }
  return remember(analysisByLanguage, language, {
    categories: canonicalOrder(rules.resolvedOptions().pluralCategories),
    countCategories: canonicalOrder([...sampleCounts.keys(), 'other']),
    sampleCounts,
  });
}

/** The CLDR category of a count in a language ("ru", 21 → "one"; "ru", 5 → "many"). */
export function pluralCategory(language: string, count: number): PluralCategory {
  return rulesOf(language).select(count) as PluralCategory;
}

/** Every plural category the language has, e.g. ar → zero, one, two, few, many, other. */
export function pluralCategoriesOf(language: string): readonly PluralCategory[] {
  return pluralsOf(language).categories;
}

/**
 * The categories a phrase must give so every count of 1 or more reads right: those counts fall in,
 * plus `other`. Arabic "zero" (only 0) and French "many" (millions) are not among them.
 */
export function countPluralCategories(language: string): readonly PluralCategory[] {
  return pluralsOf(language).countCategories;
}

/**
 * Some counts ≥ 1 of the category, ascending (at most `limit`): `one` in Russian → 1, 21, 31; in English → 1.
 * Empty when no count falls in it.
 */
export function countsInCategory(language: string, category: PluralCategory, limit = 4): readonly number[] {
  return (pluralsOf(language).sampleCounts.get(category) ?? []).slice(0, limit);
}

/** The phrase for the count: its category's, or `other` when the forms leave that category out. */
export function selectPluralForm(forms: PluralForms, language: string, count: number): string | undefined {
  return forms[pluralCategory(language, count)] ?? forms.other;
}
