import { type PluralForms, selectPluralForm } from './plural-rules';

/**
 * The `{{expiry}}` placeholder: how long the code lives, said in the unit that reads naturally and in the
 * plural form the number takes in the template's language ("1 minute", "2 hours", "21 минуту", "دقيقتين").
 */
export const EXPIRY_UNITS = ['minutes', 'hours', 'days'] as const;
export type ExpiryUnit = (typeof EXPIRY_UNITS)[number];

/**
 * Per unit, one phrase per CLDR plural category, each saying the number with `{{count}}`:
 * `{ minutes: { one: "{{count}} minute", other: "{{count}} minutes" }, hours: {…}, days: {…} }`.
 * `minutes` is required; a unit left out is never used (its time is said in the next smaller one).
 */
export type ExpiryForms = Readonly<Partial<Record<ExpiryUnit, PluralForms>>>;

export interface ExpiryAmount {
  readonly unit: ExpiryUnit;
  readonly count: number;
}

const MINUTES_PER: Readonly<Record<ExpiryUnit, number>> = { minutes: 1, hours: 60, days: 1440 };

/**
 * The unit and count to say `minutes` (whole, ≥ 1) in, among the units the forms give. A larger unit is
 * used when the time is a whole number of it ("1 hour", "1 day") or at least two of it, rounded down
 * ("2 hours" for 2 h 59 min): the phrase never promises more time than the code has, and under two of a
 * unit it stays exact ("90 minutes", not "1 hour"). Okta's codes (5 min) always read in minutes.
 */
export function expiryAmount(minutes: number, forms: ExpiryForms): ExpiryAmount {
  for (const unit of ['days', 'hours'] as const) {
    const size = MINUTES_PER[unit];
    if (forms[unit] == null || minutes < size) continue;
    if (minutes % size === 0 || minutes >= 2 * size) return { unit, count: Math.floor(minutes / size) };
  }
  return { unit: 'minutes', count: minutes };
}

/** `{{count}}` inside a phrase; whitespace inside the braces is allowed, as for body placeholders. */
export const COUNT_PLACEHOLDER = /\{\{\s*count\s*\}\}/g;

/**
 * The phrase for `minutes` in `language`. The phrase's own text goes through `escapeText` (XML for voice);
 * the number is written by `sayCount` (plain digits for SMS, SSML for voice).
 */
export function renderExpiry(
  forms: ExpiryForms,
  language: string,
  minutes: number,
  sayCount: (count: number) => string,
  escapeText: (text: string) => string = (text) => text,
): string {
  // Validation renders templates it has not yet accepted: whatever the shape, this must not throw.
  const safe: ExpiryForms = typeof forms === 'object' && forms !== null ? forms : {};
  const { unit, count } = expiryAmount(minutes, safe);
  const unitForms = safe[unit] ?? safe.minutes;
  const selected =
    typeof unitForms === 'object' && unitForms !== null
      ? selectPluralForm(unitForms, language, count)
      : undefined;
  const phrase = typeof selected === 'string' ? selected : '';
  // Escape the text around {{count}}, never the number's own markup.
  return phrase.split(COUNT_PLACEHOLDER).map(escapeText).join(sayCount(count));
}
