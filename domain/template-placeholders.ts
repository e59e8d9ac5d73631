/** The `{{name}}` placeholders templates may use; whitespace inside the braces is allowed. */
export const PLACEHOLDER_NAMES = ['code', 'minutes', 'expiry', 'brand', 'firstName'] as const;
export type PlaceholderName = (typeof PLACEHOLDER_NAMES)[number];

export interface PlaceholderUse {
  /** As written, e.g. "Code" or "first name": not necessarily a known name. */
  readonly name: string;
  readonly index: number;
  readonly length: number;
}

// Anything between double braces counts as an attempted placeholder, so typos are reported, not sent.
const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

export function isPlaceholderName(name: string): name is PlaceholderName {
  return (PLACEHOLDER_NAMES as readonly string[]).includes(name);
}

export function findPlaceholders(body: string): PlaceholderUse[] {
  return Array.from(body.matchAll(PLACEHOLDER), (m) => ({
    name: m[1] ?? '',
    index: m.index,
    length: m[0].length,
  }));
}

export function countPlaceholder(body: string, name: PlaceholderName): number {
  return findPlaceholders(body).filter((p) => p.name === name).length;
}

/**
 * Positions of braces that are not part of a placeholder. Templates reserve braces for placeholders,
 * so a stray one is a typo such as "{{code}" or "{{{code}}}".
 */
export function strayBraces(body: string): number[] {
  const masked = body.replace(PLACEHOLDER, (m) => ' '.repeat(m.length));
  const positions: number[] = [];
  for (let i = 0; i < masked.length; i += 1) {
    if (masked[i] === '{' || masked[i] === '}') positions.push(i);
  }
  return positions;
}

/**
 * Replaces every known placeholder in one pass, so substituted values are never scanned again
 * (a first name containing "{{code}}" stays text). Unknown placeholders are left as written.
 */
export function replacePlaceholders(body: string, value: (name: PlaceholderName) => string): string {
  return body.replace(PLACEHOLDER, (whole, name: string) => (isPlaceholderName(name) ? value(name) : whole));
}
