import fc from 'fast-check';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { type ConfigError, integer, list, logLevel, readEnv, text } from '../../app/config/env-readers';
import {
  EnvProblems,
  plainChoice,
  plainInteger,
  plainList,
  plainText,
} from '../../app/config/plain-env-readers';
import { TOKEN_PROFILE_NAMES } from '../../app/config/token-profiles';

// The authorizer reads its variables without valibot (cold start); every other function reads them with
// env-readers.ts. Both must agree on every input: the same value, or the same message. The valibot
// readers below that authorizer-config.ts no longer has are the ones it had, verbatim.
const tokenProfile = () =>
  v.pipe(
    text('okta'),
    v.transform((value) => (value ?? 'okta').toLowerCase()),
    v.picklist(TOKEN_PROFILE_NAMES, `must be one of ${TOKEN_PROFILE_NAMES.join(', ')}`),
  );
const authMode = () =>
  v.pipe(
    text(),
    v.transform((value) => value?.toLowerCase()),
    v.optional(
      v.picklist(['oauth', 'header-secret', 'disabled'] as const, 'must be oauth, header-secret or disabled'),
    ),
  );
const flag = () =>
  v.pipe(
    text('false'),
    v.transform((value) => (value ?? 'false').toLowerCase()),
    v.picklist(['true', 'false'] as const, 'must be true or false'),
    v.transform((value) => value === 'true'),
  );

type Outcome = { value: unknown } | { problems: readonly string[] };

function withValibot(schema: v.GenericSchema, value: string | undefined): Outcome {
  try {
    return { value: readEnv({ X: value }, { X: schema }).X };
  } catch (error) {
    return { problems: (error as ConfigError).problems };
  }
}

function withPlain(
  read: (env: Record<string, string | undefined>, problems: EnvProblems) => unknown,
  value: string | undefined,
): Outcome {
  const problems = new EnvProblems();
  const result = read({ X: value }, problems);
  return problems.list.length > 0 ? { problems: problems.list } : { value: result };
}

// What CloudFormation and people put in variables: blanks, padding, case, signs, decimals, lists.
const envValue = fc.option(
  fc.oneof(
    fc.string(),
    fc.integer({ min: -5000, max: 5000 }).map(String),
    fc.constantFrom(
      '',
      ' ',
      ' 42 ',
      '-0',
      '007',
      '+5',
      '1e3',
      '30.0',
      '3601',
      '59',
      'true',
      ' TRUE ',
      'False',
      'yes',
      'debug',
      ' Warn ',
      'silent',
      'oauth',
      'OAuth ',
      'header-secret',
      'jwt',
      'okta',
      ' Auth0',
      ' a, ,b ,',
      ',',
    ),
  ),
  { nil: undefined },
);

const lower = (value: string) => value.toLowerCase();
const PAIRS: ReadonlyArray<
  [string, v.GenericSchema, (env: Record<string, string | undefined>, problems: EnvProblems) => unknown]
> = [
  ['text()', text(), (env) => plainText(env, 'X')],
  ['text(fallback)', text('fallback'), (env) => plainText(env, 'X', 'fallback')],
  ['integer(30, 0, 300)', integer(30, 0, 300), (env, p) => plainInteger(env, 'X', p, 30, 0, 300)],
  ['integer(300, 60, 3600)', integer(300, 60, 3600), (env, p) => plainInteger(env, 'X', p, 300, 60, 3600)],
  ['integer(0, 0, 3600)', integer(0, 0, 3600), (env, p) => plainInteger(env, 'X', p, 0, 0, 3600)],
  ['list()', list(), (env) => plainList(env, 'X')],
  [
    'logLevel()',
    logLevel(),
    (env, p) =>
      plainChoice(
        env,
        'X',
        p,
        ['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT'],
        'must be DEBUG, INFO, WARN, ERROR or SILENT',
        (value) => value.toUpperCase(),
        'INFO',
      ),
  ],
  [
    'tokenProfile()',
    tokenProfile(),
    (env, p) =>
      plainChoice(
        env,
        'X',
        p,
        TOKEN_PROFILE_NAMES,
        `must be one of ${TOKEN_PROFILE_NAMES.join(', ')}`,
        lower,
        'okta',
      ),
  ],
  [
    'authMode()',
    authMode(),
    (env, p) =>
      plainChoice(
        env,
        'X',
        p,
        ['oauth', 'header-secret', 'disabled'],
        'must be oauth, header-secret or disabled',
        lower,
      ),
  ],
  [
    'flag()',
    flag(),
    (env, p) => {
      const value = plainChoice(env, 'X', p, ['true', 'false'], 'must be true or false', lower, 'false');
      return value === undefined ? undefined : value === 'true';
    },
  ],
];

describe('plain-env-readers: the same values and messages as the valibot readers', () => {
  it.each(PAIRS)('%s', (_name, schema, plain) => {
    fc.assert(
      fc.property(envValue, (value) => {
        expect(withPlain(plain, value)).toEqual(withValibot(schema, value));
      }),
      { numRuns: 500 },
    );
  });
});
