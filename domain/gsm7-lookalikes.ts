/**
 * Characters that word processors and translators put in text where a GSM-7 character reads the same.
 * Any one of them switches an SMS to UCS-2 (70 instead of 160 characters a segment), so the console
 * suggests the replacement next to each character that forces UCS-2.
 */
const LOOKALIKES: Readonly<Record<string, string>> = {
  '\u2018': "'",
  '\u2019': "'",
  '\u201a': "'",
  '\u201b': "'",
  '\u2032': "'",
  '\u201c': '"',
  '\u201d': '"',
  '\u201e': '"',
  '\u2033': '"',
  '\u00ab': '"',
  '\u00bb': '"',
  '\u2010': '-',
  '\u2011': '-',
  '\u2012': '-',
  '\u2013': '-',
  '\u2014': '-',
  '\u2212': '-',
  '\u2026': '...',
  '\u00a0': ' ',
  '\u2007': ' ',
  '\u2009': ' ',
  '\u202f': ' ',
  '\u200b': '',
  '\u00b4': "'",
  '\u02bc': "'",
};

/** A GSM-7 replacement that reads the same (possibly empty for invisible characters), or undefined. */
export function gsm7Lookalike(character: string): string | undefined {
  return LOOKALIKES[character];
}

/** "U+2019": how a character that may be invisible or ambiguous is named in the page. */
export function codePointLabel(character: string): string {
  return Array.from(
    character,
    (c) => `U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`,
  ).join(' ');
}
