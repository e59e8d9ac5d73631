/**
 * How a number other than the passcode (the minutes, hours or days left) is written into voice SSML, so
 * Polly says it as a number in the voice's language, never digit by digit like the code.
 *
 * `<say-as interpret-as="cardinal">` (Polly: "cardinal or number", every engine) says the bare number.
 * That is right where a numeral reads the same whatever it counts. Where the numeral agrees with the noun
 * (pt "duas horas", es "veintiuna horas", ru "две минуты", pl "dwie minuty", ro "două ore", ar, he…) or
 * where a counter changes its reading (ja 1分 "ippun", ko 2시간 "du sigan", zh 2小时 "liǎng"), a bare
 * cardinal would say "dois horas" or "ichi fun"; there the digits stay plain text, which Polly's text
 * normalisation reads as a number together with the word after it. Languages whose numerals take the
 * noun's case (fi "yhden tunnin", et, is) count as agreeing too.
 */
const NUMERALS_READ_ALONE: ReadonlySet<string> = new Set([
  'en',
  'de',
  'nl',
  'da',
  'nb',
  'nn',
  'no',
  'sv',
  'hu',
  'tr',
  'id',
  'ms',
  'fil',
  'tl',
  'vi',
  'th',
  'hi',
  'bn',
  'ta',
]);

function languageOf(locale: string): string {
  return locale.split('-')[0]?.toLowerCase() ?? '';
}

/** True when a bare `say-as cardinal` reads a count correctly in this language (see above). */
export function speaksCardinalAlone(locale: string): boolean {
  return NUMERALS_READ_ALONE.has(languageOf(locale));
}

/** A whole count as voice SSML in the given language. */
export function speakCount(count: number, locale: string): string {
  const digits = String(count);
  return speaksCardinalAlone(locale) ? `<say-as interpret-as="cardinal">${digits}</say-as>` : digits;
}
