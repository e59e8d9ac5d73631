/**
 * The part of CloudWatch Logs' JSON filter-pattern syntax the template uses: `{ term || term … }`, each
 * term `($.field = "value")` with a top-level field and an exact string. Anything else is refused, so a
 * pattern the tests cannot evaluate fails loudly instead of passing. Semantics as CloudWatch documents
 * them: a line that is not a JSON object never matches; `=` on a string is an exact comparison.
 */
export interface JsonFilterPattern {
  readonly terms: ReadonlyArray<{ readonly field: string; readonly value: string }>;
  matches(line: string): boolean;
}

const TERM = /^\(?\s*\$\.([A-Za-z_][A-Za-z0-9_]*)\s*=\s*"([^"*]*)"\s*\)?$/;

export function parseJsonFilterPattern(pattern: string): JsonFilterPattern {
  const body = /^\{\s*(.*?)\s*\}$/s.exec(pattern.trim())?.[1];
  if (body === undefined) throw new Error(`not a JSON filter pattern: ${pattern}`);
  const terms = body.split('||').map((raw) => {
    const match = TERM.exec(raw.trim());
    if (!match) throw new Error(`unsupported term "${raw.trim()}" in ${pattern}`);
    return { field: match[1] as string, value: match[2] as string };
  });
  return {
    terms,
    matches(line: string): boolean {
      let event: unknown;
      try {
        event = JSON.parse(line);
      } catch {
        return false;
      }
      if (typeof event !== 'object' || event === null) return false;
      return terms.some((t) => (event as Record<string, unknown>)[t.field] === t.value);
    },
  };
}
