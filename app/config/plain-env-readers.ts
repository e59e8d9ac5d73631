import type { Env } from './env-readers';

/**
 * Some of env-readers.ts's readers without valibot, for the authorizer alone: its whole init is a few
 * tens of milliseconds, and building and running valibot schemas for the first time (and compiling
 * valibot) was a measurable part of it (README, "The authorizer's cold start"). Each reader
 * gives the value, and the message, that the valibot reader of the same name gives for any input
 * (test/property/plain-env-readers.property.test.ts compares them); problems are collected in
 * variable order, as valibot's object schema collects them.
 */
export class EnvProblems {
  readonly list: string[] = [];
  add(name: string, message: string): void {
    this.list.push(`${name} ${message}`);
  }
}

/** env-readers' `text(fallback)`: blank is unset, the value is trimmed. */
export function plainText(env: Env, name: string, fallback?: string): string | undefined {
  const value = env[name];
  if (value === undefined || value.trim() === '') return fallback;
  return value.trim();
}

/** env-readers' `integer(fallback, min, max)`. */
export function plainInteger(
  env: Env,
  name: string,
  problems: EnvProblems,
  fallback: number,
  min: number,
  max: number,
): number | undefined {
  const value = plainText(env, name);
  if (value !== undefined && !/^-?\d+$/.test(value)) {
    problems.add(name, 'must be a whole number');
    return undefined;
  }
  const number = value === undefined ? fallback : Number(value);
  // valibot runs every check of a pipe, so a value may fail both (it cannot, with min <= max).
  if (!(number >= min)) problems.add(name, `must be at least ${min}`);
  if (!(number <= max)) problems.add(name, `must be at most ${max}`);
  return number;
}

/** env-readers' `list()`: comma-separated, items trimmed, empty items dropped. */
export function plainList(env: Env, name: string): string[] {
  return (plainText(env, name, '') ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

/**
 * A text read as one of `choices` after `normalise` (lower or upper case), e.g. env-readers' `logLevel()`;
 * with no fallback, unset stays undefined (authorizer-config's `authMode()`).
 */
export function plainChoice<const T extends string>(
  env: Env,
  name: string,
  problems: EnvProblems,
  choices: readonly T[],
  message: string,
  normalise: (value: string) => string,
  fallback?: string,
): T | undefined {
  const value = plainText(env, name, fallback);
  if (value === undefined) return undefined;
  const normalised = normalise(value);
  if ((choices as readonly string[]).includes(normalised)) return normalised as T;
  problems.add(name, message);
  return undefined;
}
