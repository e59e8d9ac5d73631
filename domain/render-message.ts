import { renderExpiry } from './expiry-phrase';
import type { MessageTemplate } from './message-template';
import { speakCount } from './spoken-number';
import { escapeXml, toSpeakDocument } from './ssml';
import { type PlaceholderName, replacePlaceholders } from './template-placeholders';

export interface TemplateValues {
  /** The passcode. Never log it. */
  readonly code: string;
  /** Whole minutes until the passcode expires. */
  readonly minutes: number;
  readonly brand: string;
  readonly firstName?: string;
}

const MAX_FIRST_NAME_CODE_POINTS = 20;
// Built on the first long name, not at module load: creating a segmenter loads ICU's break rules, ~20 ms
// of every cold start (npm run bench -- --only cold-start --profile), and most names never need it.
let graphemes: Intl.Segmenter | undefined;
// Rendered numbers stay short and never use exponent notation, whatever a caller passes.
const MAX_MINUTES = 99_999;

// Every numeral (\p{N}: digits of any script, but also ² ① Ⅻ ½, and the keycap mark that turns a digit
// into 1️⃣) is stripped from names and brand so the passcode is the only number a reader could mistake
// for it. Control, bidi-override and non-characters are stripped because they can reorder or hide text
// on a phone screen and are not allowed in XML. Braces are stripped so a value never looks like a placeholder.
const UNSAFE_IN_VALUES =
  /[\p{N}\p{Cc}\p{Zl}\p{Zp}\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff\ufffe\uffff{}]|\u20e3|\p{Cs}/gu;

function cleanValue(raw: string | undefined): string {
  if (typeof raw !== 'string') return '';
  return raw.replace(/\s+/g, ' ').replace(UNSAFE_IN_VALUES, '').replace(/ {2,}/g, ' ').trim();
}

/** A first name as it may appear in a message: no digits, controls or braces, at most 20 code points. */
export function sanitiseFirstName(raw: string | undefined): string {
  const clean = cleanValue(raw);
  // Most names are short: no cut, so no need for the (comparatively slow) grapheme segmenter.
  if (clean.length <= MAX_FIRST_NAME_CODE_POINTS) return clean;
  // Cut on grapheme boundaries so an accent or an emoji sequence is never split in half.
  let kept = '';
  let codePoints = 0;
  graphemes ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  for (const { segment } of graphemes.segment(clean)) {
    const size = Array.from(segment).length;
    if (codePoints + size > MAX_FIRST_NAME_CODE_POINTS) break;
    kept += segment;
    codePoints += size;
  }
  return kept.trim();
}

export function sanitiseBrand(raw: string): string {
  return cleanValue(raw);
}

/** Whole minutes, at least 1, at most 99,999: what every rendering of the validity starts from. */
export function wholeMinutes(minutes: number): number {
  return Number.isFinite(minutes) ? Math.min(Math.max(Math.ceil(minutes), 1), MAX_MINUTES) : 1;
}

export function renderMinutes(minutes: number): string {
  return String(wholeMinutes(minutes));
}

/** The language plural forms and spoken numbers follow: the wording's, which is the locale's unless declared. */
export function wordingLanguage(template: MessageTemplate): string {
  return template.language ?? template.locale;
}

const CLOSING_PUNCTUATION = /^[\r\n,.!?;:،、，。！？]/;

/**
 * Without a first name, "Hi {{firstName}}, your code…" should read "Hi, your code…", not "Hi , your code…",
 * and "Hello {{firstName}} use…" should not keep a double space.
 */
function dropEmptyFirstName(body: string): string {
  return body.replace(
    /( ?)\{\{\s*firstName\s*\}\}( ?)/g,
    (whole, before: string, after: string, offset: number) => {
      const next = body.charAt(offset + whole.length);
      if (before && after) return ' ';
      if (before && (next === '' || CLOSING_PUNCTUATION.test(next))) return '';
      return before + after;
    },
  );
}

/** How one channel writes values: its escaping, its numbers, and the expiry phrases it has worked out. */
interface Writer {
  readonly escapeValue: (s: string) => string;
  readonly sayCount: (count: number, language: string) => string;
  /**
   * The phrase depends on the template and the minutes only, and a warm Lambda sees the same few
   * minutes again and again (Okta's codes live 5): each phrase is worked out once per template,
   * sparing Intl.PluralRules.select (microseconds) on every request. Templates are immutable values.
   */
  readonly expiryPhrases: WeakMap<MessageTemplate, Map<number, string>>;
}

const MAX_PHRASES_PER_TEMPLATE = 64;

function expiryText(template: MessageTemplate, minutes: number, writer: Writer): string {
  const language = wordingLanguage(template);
  // Validation requires phrases wherever {{expiry}} is used; without them the bare number is the safe text.
  if (template.expiry === undefined) return writer.sayCount(minutes, language);
  let phrases = writer.expiryPhrases.get(template);
  if (phrases === undefined) {
    phrases = new Map();
    writer.expiryPhrases.set(template, phrases);
  }
  let text = phrases.get(minutes);
  if (text === undefined) {
    const sayCount = (count: number) => writer.sayCount(count, language);
    text = renderExpiry(template.expiry, language, minutes, sayCount, writer.escapeValue);
    if (phrases.size >= MAX_PHRASES_PER_TEMPLATE) phrases.clear();
    phrases.set(minutes, text);
  }
  return text;
}

function substitute(template: MessageTemplate, values: TemplateValues, code: string, writer: Writer) {
  const firstName = sanitiseFirstName(values.firstName);
  const body = firstName === '' ? dropEmptyFirstName(template.body) : template.body;
  const minutes = wholeMinutes(values.minutes);
  const { escapeValue } = writer;
  const rendered: Record<PlaceholderName, string> = {
    code,
    minutes: writer.sayCount(minutes, wordingLanguage(template)),
    expiry: expiryText(template, minutes, writer),
    brand: escapeValue(sanitiseBrand(values.brand)),
    firstName: escapeValue(firstName),
  };
  return replacePlaceholders(body, (name) => rendered[name]);
}

const SMS_WRITER: Writer = {
  escapeValue: (s) => s,
  sayCount: (count) => String(count),
  expiryPhrases: new WeakMap(),
};

export function renderSms(template: MessageTemplate, values: TemplateValues): string {
  return substitute(template, values, String(values.code ?? ''), SMS_WRITER);
}

// Polly reads each digit on its own, with a pause a listener can write it down in.
const DIGIT_PAUSE = '<break time="400ms"/>';

/** The passcode as SSML: every digit spoken separately, with a pause between digits. */
export function speakCode(code: string): string {
  return Array.from(String(code ?? ''), (c) =>
    /^\d$/.test(c)
      ? `<say-as interpret-as="digits">${c}</say-as>`
      : `<say-as interpret-as="characters">${escapeXml(c)}</say-as>`,
  ).join(DIGIT_PAUSE);
}

const VOICE_WRITER: Writer = {
  escapeValue: escapeXml,
  sayCount: speakCount,
  expiryPhrases: new WeakMap(),
};

/** A complete `<speak>` document; every substituted value is XML-escaped. */
export function renderVoiceSsml(template: MessageTemplate, values: TemplateValues): string {
  return toSpeakDocument(substitute(template, values, speakCode(values.code), VOICE_WRITER));
}
