import { COUNT_PLACEHOLDER, EXPIRY_UNITS, type ExpiryUnit } from './expiry-phrase';
import type { MessageTemplate } from './message-template';
import {
  countPluralCategories,
  countsInCategory,
  isPluralCategory,
  PLURAL_CATEGORIES,
  type PluralCategory,
  pluralCategoriesOf,
} from './plural-rules';
import { wordingLanguage } from './render-message';
import { countPlaceholder } from './template-placeholders';

/** Longer than any natural "in 119 minutes": a bound so a phrase cannot blow an SMS or an SSML budget. */
export const MAX_EXPIRY_PHRASE_CHARS = 60;

const CONTROL_CHARACTER = /\p{Cc}/u;
const BRACES_AFTER_COUNT = /[{}]/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const list = (items: readonly string[]) => items.join(', ');

/**
 * Everything wrong with a template's `{{expiry}}` phrases, each as a sentence; empty when usable.
 * Missing plural categories are not errors (the `other` form stands in): pluralCoverage reports them.
 * Never throws, whatever shape `expiry` has (it may come from an operator's file or a table item).
 */
export function expiryProblems(template: MessageTemplate): string[] {
  const body = typeof template.body === 'string' ? template.body : '';
  const usesExpiry = countPlaceholder(body, 'expiry') > 0;
  const expiry: unknown = template.expiry;
  if (expiry === undefined) {
    return usesExpiry
      ? ['{{expiry}} needs expiry phrases: at least expiry.minutes with an "other" form']
      : [];
  }
  if (!isRecord(expiry)) return ['expiry must map units (minutes, hours, days) to plural phrases'];
  const problems: string[] = [];
  if (!usesExpiry) problems.push('expiry phrases are given but the body has no {{expiry}}');
  const language = wordingLanguage(template);
  for (const unit of Object.keys(expiry)) {
    if (!(EXPIRY_UNITS as readonly string[]).includes(unit)) {
      problems.push(`expiry has an unknown unit "${unit}"; units: ${list(EXPIRY_UNITS)}`);
    }
  }
  if (expiry.minutes === undefined) {
    problems.push('expiry.minutes is missing: every expiry under an hour is said in minutes');
  }
  for (const unit of EXPIRY_UNITS) {
    const forms = expiry[unit];
    if (forms !== undefined) problems.push(...unitProblems(unit, forms, language));
  }
  return problems;
}

function unitProblems(unit: ExpiryUnit, forms: unknown, language: string): string[] {
  const at = `expiry.${unit}`;
  if (!isRecord(forms)) return [`${at} must map plural categories (one, few, other…) to phrases`];
  const problems: string[] = [];
  const own = pluralCategoriesOf(language);
  for (const [category, phrase] of Object.entries(forms)) {
    if (!isPluralCategory(category)) {
      problems.push(
        `${at} has "${category}", which is not a CLDR plural category (${list(PLURAL_CATEGORIES)})`,
      );
    } else if (!own.includes(category)) {
      problems.push(
        `${at} has "${category}", a category ${language} does not have (its categories: ${list(own)})`,
      );
    } else {
      problems.push(...phraseProblems(`${at}.${category}`, phrase, category, language));
    }
  }
  if (forms.other === undefined) {
    problems.push(`${at} needs an "other" form: it serves every count no other form covers`);
  }
  return problems;
}

function phraseProblems(at: string, phrase: unknown, category: PluralCategory, language: string): string[] {
  if (typeof phrase !== 'string') return [`${at} must be a phrase (a string)`];
  if (phrase.trim() === '') return [`${at} is empty`];
  const problems: string[] = [];
  if (phrase.length > MAX_EXPIRY_PHRASE_CHARS) {
    problems.push(`${at} is ${phrase.length} characters, over ${MAX_EXPIRY_PHRASE_CHARS}`);
  }
  if (CONTROL_CHARACTER.test(phrase)) problems.push(`${at} contains a control character`);
  const counts = phrase.match(COUNT_PLACEHOLDER)?.length ?? 0;
  if (BRACES_AFTER_COUNT.test(phrase.replace(COUNT_PLACEHOLDER, ''))) {
    problems.push(`${at} may use {{count}} and no other placeholder or brace`);
  }
  if (counts > 1) problems.push(`${at} has {{count}} ${counts} times; say the number once`);
  const covered = countsInCategory(language, category);
  // "one minute" may spell the number out only when "one" means 1 alone; in Russian it also means 21, 31…
  if (counts === 0 && covered.length > 1) {
    problems.push(
      `${at} has no {{count}}, but in ${language} "${category}" covers ${list(covered.map(String))}…: say the number with {{count}}`,
    );
  }
  return problems;
}

/** How a template says the number of minutes, and whether it has a form for every count. */
export interface PluralCoverage {
  /** The language whose plural rules apply (the wording's). */
  readonly language: string;
  /** Every category the language has (CLDR), e.g. ru: one, few, many, other. */
  readonly categories: readonly PluralCategory[];
  /** Those a phrase must give so every count ≥ 1 reads right (countPluralCategories). */
  readonly required: readonly PluralCategory[];
  /**
   * `expiry`: through `{{expiry}}` phrases; `minutes`: a bare `{{minutes}}` with one wording for every
   * count; `both`; `none`: the template states no validity.
   */
  readonly uses: 'expiry' | 'minutes' | 'both' | 'none';
  /** Per unit given, the required categories it has and lacks. */
  readonly units: Readonly<
    Partial<Record<ExpiryUnit, { covered: readonly PluralCategory[]; missing: readonly PluralCategory[] }>>
  >;
  /** Required categories covered everywhere the number appears (a bare {{minutes}} covers one at most). */
  readonly covered: number;
  readonly complete: boolean;
  /** Why it is incomplete, as sentences; empty when complete. */
  readonly gaps: readonly string[];
}

/** For lint and a template editor: which plural categories the template covers, and what is missing. */
export function pluralCoverage(template: MessageTemplate): PluralCoverage {
  const body = typeof template.body === 'string' ? template.body : '';
  const language = wordingLanguage(template);
  const categories = pluralCategoriesOf(language);
  const required = countPluralCategories(language);
  const usesExpiry = countPlaceholder(body, 'expiry') > 0;
  const usesMinutes = countPlaceholder(body, 'minutes') > 0;
  const uses = usesExpiry ? (usesMinutes ? 'both' : 'expiry') : usesMinutes ? 'minutes' : 'none';
  const units: Partial<Record<ExpiryUnit, { covered: PluralCategory[]; missing: PluralCategory[] }>> = {};
  const gaps: string[] = [];
  let covered = required.length;

  const expiry: unknown = template.expiry;
  if (usesExpiry && isRecord(expiry)) {
    for (const unit of EXPIRY_UNITS) {
      const forms = expiry[unit];
      if (!isRecord(forms)) continue;
      const has = required.filter((c) => typeof forms[c] === 'string');
      const missing = required.filter((c) => typeof forms[c] !== 'string');
      units[unit] = { covered: has, missing };
      covered = Math.min(covered, has.length);
      if (missing.length > 0) {
        gaps.push(
          `expiry.${unit} lacks ${list(missing)} (${language} needs ${list(required)}): ${missing
            .map((c) => `${c} ${list(countsInCategory(language, c, 3).map(String))}…`)
            .join('; ')} would read with the "other" form`,
        );
      }
    }
    if (Object.keys(units).length === 0) covered = 0;
  }
  if (usesMinutes && required.length > 1) {
    covered = Math.min(covered, 1);
    gaps.push(
      `{{minutes}} says every count with the same words, but ${language} has ${required.length} plural forms (${list(
        required,
      )}): give expiry phrases per category and use {{expiry}}`,
    );
  }
  return {
    language,
    categories,
    required,
    uses,
    units,
    covered: uses === 'none' ? required.length : covered,
    complete: gaps.length === 0,
    gaps,
  };
}
