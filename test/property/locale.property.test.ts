import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { localeFallbackChain, localeKeyProblem, normaliseLocale } from '../../domain/locale';

const subtag = (min: number, max: number) =>
  fc.string({
    unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'),
    minLength: min,
    maxLength: max,
  });
// Locale-shaped strings in any case and separator, so the interesting paths are reached often.
const localeLike = fc
  .tuple(
    subtag(2, 3),
    fc.option(subtag(4, 4)),
    fc.option(fc.oneof(subtag(2, 2), fc.stringMatching(/^\d{3}$/))),
    fc.constantFrom('-', '_'),
  )
  .map(([l, s, r, sep]) => [l, s, r].filter((x) => x !== null).join(sep));
const anyInput = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  localeLike,
  fc.constantFrom('zh-TW', 'sr-ME', 'pt-BR'),
);

describe('locale properties', () => {
  it('normaliseLocale never throws and is idempotent', () => {
    fc.assert(
      fc.property(anyInput, (raw) => {
        const n = normaliseLocale(raw);
        if (n !== undefined) {
          expect(normaliseLocale(n)).toBe(n);
          expect(Intl.getCanonicalLocales(n)[0]).toBe(n);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('normaliseLocale ignores case and the _ separator', () => {
    fc.assert(
      fc.property(localeLike, (raw) => {
        expect(normaliseLocale(raw.toUpperCase().replaceAll('-', '_'))).toBe(
          normaliseLocale(raw.toLowerCase()),
        );
      }),
    );
  });

  it('the chain never throws, is unique, and ends with the default language', () => {
    fc.assert(
      fc.property(
        anyInput,
        fc.constantFrom('en', 'en-GB', 'fr-CA', 'zh-Hant', 'de'),
        (raw, defaultLocale) => {
          const chain = localeFallbackChain(raw, defaultLocale);
          expect(chain.length).toBeGreaterThan(0);
          expect(new Set(chain).size).toBe(chain.length);
          expect(chain).toContain(defaultLocale);
          expect(chain).toContain(defaultLocale.split('-')[0]);
          for (const entry of chain) expect(normaliseLocale(entry)).toBeDefined();
          // A usable request leads the chain; the default's own chain closes it unless the user asked for it.
          const requested = normaliseLocale(raw);
          if (requested !== undefined) expect(chain[0]).toBe(requested);
          if (requested?.split('-')[0] !== defaultLocale.split('-')[0]) {
            expect(chain.at(-1)).toBe(localeFallbackChain(defaultLocale, defaultLocale).at(-1));
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("the user's own part of the chain holds the bare language, followed at most by its default script", () => {
    fc.assert(
      fc.property(localeLike, (raw) => {
        const chain = localeFallbackChain(raw, 'en');
        const requested = normaliseLocale(raw);
        if (requested === undefined) return;
        const language = requested.split('-')[0];
        const own = chain.filter((l) => l.split('-')[0] === language);
        const bare = own.indexOf(language ?? '');
        expect(bare).toBeGreaterThanOrEqual(0);
        // e.g. "zh" → [zh, zh-Hans, en]: the catalogue keys Chinese by script, not by bare language.
        for (const after of own.slice(bare + 1))
          expect(after).toMatch(new RegExp(`^${language}-[A-Z][a-z]{3}$`));
      }),
    );
  });

  it('a template key is accepted exactly when a request for it looks it up, and the fix offered is accepted', () => {
    fc.assert(
      fc.property(anyInput, (key) => {
        const problem = localeKeyProblem(key);
        const canonical = normaliseLocale(key);
        if (problem === undefined) {
          // Accepted keys are served: the request for that very locale finds the template.
          expect(localeFallbackChain(key, 'en')).toContain(key);
        } else if (canonical !== undefined) {
          expect(problem).toContain(`"${canonical}"`);
          expect(localeKeyProblem(canonical)).toBeUndefined();
          expect(localeFallbackChain(key, 'en')).not.toContain(key);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
