import * as v from 'valibot';

/** Raised at start-up when the environment is wrong; lists every bad variable at once. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

export type Env = Readonly<Record<string, string | undefined>>;

/** Blank means unset: CloudFormation passes "" for empty optional parameters. */
const blankToUndefined = (value: string | undefined) =>
  value === undefined || value.trim() === '' ? undefined : value.trim();

export const text = (fallback?: string) =>
  v.pipe(
    v.optional(v.string()),
    v.transform(blankToUndefined),
    v.transform((value) => value ?? fallback),
  );

export const requiredText = (hint: string) =>
  v.pipe(v.optional(v.string()), v.transform(blankToUndefined), v.string(`is required (${hint})`));

export const integer = (fallback: number, min: number, max: number) =>
  v.pipe(
    v.optional(v.string()),
    v.transform(blankToUndefined),
    v.check((value) => value === undefined || /^-?\d+$/.test(value), 'must be a whole number'),
    v.transform((value) => (value === undefined ? fallback : Number(value))),
    v.minValue(min, `must be at least ${min}`),
    v.maxValue(max, `must be at most ${max}`),
  );

export const optionalNumberText = () =>
  v.pipe(
    v.optional(v.string()),
    v.transform(blankToUndefined),
    v.check(
      (value) => value === undefined || /^\d+(\.\d+)?$/.test(value),
      'must be a decimal number such as 0.05',
    ),
  );

export const httpUrl = (fallback?: string) =>
  v.pipe(
    text(fallback),
    v.check((value) => value === undefined || /^https?:\/\/[^\s]+$/.test(value), 'must be an http(s) URL'),
  );

export const list = () =>
  v.pipe(
    text(''),
    v.transform((value) =>
      (value ?? '')
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item.length > 0),
    ),
  );

export type LogLevelName = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT';

export const logLevel = () =>
  v.pipe(
    text('INFO'),
    v.transform((value) => (value ?? 'INFO').toUpperCase()),
    v.picklist(
      ['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT'] as const,
      'must be DEBUG, INFO, WARN, ERROR or SILENT',
    ),
  );

export const phoneRegion = () =>
  v.pipe(
    text('US'),
    v.transform((value) => (value ?? 'US').toUpperCase()),
    v.regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 region such as US or GB'),
  );

export const localeTag = (fallback: string) =>
  v.pipe(
    text(fallback),
    v.check((value) => {
      try {
        return value !== undefined && Intl.getCanonicalLocales(value).length === 1;
      } catch {
        return false;
      }
    }, 'must be a BCP 47 language tag such as en or en-GB'),
  );

/** Parses the environment, or throws ConfigError naming every variable that is wrong. */
export function readEnv<const TEntries extends v.ObjectEntries>(
  env: Env,
  entries: TEntries,
): { -readonly [K in keyof TEntries]-?: v.InferOutput<TEntries[K]> } {
  // Present every key, even unset ones: valibot skips the schema (and so the default) of a missing key.
  const input = Object.fromEntries(Object.keys(entries).map((name) => [name, env[name]]));
  const result = v.safeParse(v.object(entries), input);
  // Every reader supplies its default, so a key valibot calls optional always has a value here.
  if (result.success)
    return result.output as { -readonly [K in keyof TEntries]-?: v.InferOutput<TEntries[K]> };
  throw new ConfigError(
    result.issues.map((issue) => `${v.getDotPath(issue) ?? 'environment'} ${issue.message}`),
  );
}
