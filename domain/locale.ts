/**
 * Locale normalisation and fallback. IdPs send locales in any shape ("EN-US", "en_us", "fr-ca",
 * "en_US.UTF-8"); templates are keyed by canonical BCP 47 tags ("pt-BR", "zh-Hant").
 */

import { remembered } from './remembered';

// Anything longer is not a locale a person picked; refusing early bounds the work on hostile input.
const MAX_RAW_LENGTH = 64;

// Languages written in more than one script: their templates are keyed by script ("zh-Hant", "sr-Latn"),
// so the chain must name the script even when the request only names a region ("zh-TW").
const MULTI_SCRIPT_LANGUAGES: ReadonlySet<string> = new Set([
  'az',
  'bs',
  'ff',
  'ha',
  'kk',
  'ks',
  'mn',
  'pa',
  'sd',
  'shi',
  'sr',
  'uz',
  'vai',
  'yue',
  'zh',
]);

// Intl canonicalises "tl" to "fil" and keeps the macrolanguage "no", while catalogues commonly use
// "tl" and "nb"; a reader of one reads the other, so both keys are looked up.
const LANGUAGE_EQUIVALENTS: Readonly<Record<string, readonly string[]>> = {
  fil: ['tl'],
  tl: ['fil'],
  no: ['nb'],
  nb: ['no'],
  nn: ['no', 'nb'],
};

// Intl.getCanonicalLocales + new Intl.Locale cost tens of microseconds per call, and template selection
// normalises every candidate's locale on every request: that was most of the warm hook's CPU
// (bench, issue 6). Answers are pure, so they are remembered; the map is bounded because raw
// locales come from callers, and emptied when full (hot tags come straight back).
const MAX_REMEMBERED = 1024;
const normalisedOf = remembered(MAX_REMEMBERED, computeNormalisedLocale);

/**
 * Canonical BCP 47 tag (language, script, region, variants; extensions dropped), or undefined
 * when the input is not a usable locale. Never throws.
 */
export function normaliseLocale(raw: string): string | undefined {
  if (typeof raw !== 'string' || raw.length > MAX_RAW_LENGTH) return undefined;
  return normalisedOf(raw);
}

function computeNormalisedLocale(raw: string): string | undefined {
  // Accept-Language lists and POSIX names ("en_US.UTF-8@euro") occur in the wild: keep the first tag.
  const first = raw.split(/[,;\s]/).find((part) => part.length > 0);
  if (first === undefined) return undefined;
  const tag = first.replace(/[.@].*$/, '').replaceAll('_', '-');
  try {
    const canonical = Intl.getCanonicalLocales(tag)[0];
    if (canonical === undefined) return undefined;
    const locale = new Intl.Locale(canonical);
    // BCP 47 allows 5-8 letter language subtags, but none is assigned: "garbage" is not a language.
    if (!/^[a-z]{2,3}$/.test(locale.language) || locale.language === 'und') return undefined;
    return locale.baseName;
  } catch {
    return undefined;
  }
}

const languageOf = remembered(MAX_REMEMBERED, (raw): string | undefined => {
  const normalised = normaliseLocale(raw);
  return normalised === undefined ? undefined : normalised.split('-')[0];
});

/** The primary language subtag of a locale ("pt-BR" → "pt"), or undefined when it is not a locale. */
export function localeLanguage(raw: string): string | undefined {
  // Template selection asks this of every locale of the chain on every request: remembered too.
  if (typeof raw !== 'string' || raw.length > MAX_RAW_LENGTH) return undefined;
  return languageOf(raw);
}

/** The chain for one canonical tag; remembered like normaliseLocale's answers, for the same reason. */
const chainOf: (tag: string) => readonly string[] = remembered(MAX_REMEMBERED, computeChain);

function computeChain(normalised: string): string[] {
  const locale = new Intl.Locale(normalised);
  const { language } = locale;
  const region = locale.region;
  let script = locale.script;
  if (script === undefined && MULTI_SCRIPT_LANGUAGES.has(language)) script = maximizedScript(normalised);

  const chain: string[] = [normalised];
  if (locale.script !== undefined && region !== undefined) {
    chain.push(`${language}-${locale.script}-${region}`);
    // "zh-Hant-TW" may also be stored as "zh-TW", but "sr-Latn-RS" must not fall to "sr-RS" (Cyrillic).
    if (maximizedScript(`${language}-${region}`) === locale.script) chain.push(`${language}-${region}`);
  } else if (region !== undefined) {
    chain.push(`${language}-${region}`);
  }
  if (script !== undefined && (locale.script !== undefined || MULTI_SCRIPT_LANGUAGES.has(language))) {
    chain.push(`${language}-${script}`);
  }
  chain.push(language, ...(LANGUAGE_EQUIVALENTS[language] ?? []));
  return chain;
}

function maximizedScript(tag: string): string | undefined {
  try {
    return new Intl.Locale(tag).maximize().script;
  } catch {
    return undefined;
  }
}

/**
 * Why a template stored under the locale `key` would never be served, naming the key to use instead;
 * undefined when it is served. Template keys are exact and case-sensitive, and requests look them up
 * along fallback chains built from canonical tags (plus the aliases a chain adds, "tl" and "nb"), so
 * "pt_BR", "PT-BR", "iw" (now "he") or "en-US-u-ca-buddhist" would sit in the table unread.
 */
export function localeKeyProblem(key: string): string | undefined {
  const canonical = normaliseLocale(key);
  if (canonical === undefined) return `locale "${key}" is not a BCP 47 language tag`;
  // A key is served exactly when its own chain names it: every chain starts from a canonical tag.
  if (chainOf(canonical).includes(key)) return undefined;
  return `locale "${key}" must be written "${canonical}": requests look templates up by canonical tag, so "${key}" would never be served`;
}

/**
 * Locales to try for a request, most specific first, without duplicates, ending with the default
 * locale and its language: "pt-BR" → ["pt-BR", "pt", "en"]; "zh-TW" → ["zh-TW", "zh-Hant", "zh", "en"].
 * Never throws; an unusable request locale yields the default's chain alone.
 */
export function localeFallbackChain(raw: string, defaultLocale = 'en'): string[] {
  const fallback = normaliseLocale(defaultLocale) ?? 'en';
  const requested = normaliseLocale(raw);
  const chain = [...(requested === undefined ? [] : chainOf(requested)), ...chainOf(fallback)];
  return [...new Set(chain)];
}
