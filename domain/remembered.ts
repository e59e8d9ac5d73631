/**
 * A pure function with its answers remembered by key: the hot path asks the same few questions of the
 * same locales and numbers on every request, and some answers (libphonenumber's parse, Intl's
 * canonicalisation) cost far more than a lookup. Bounded because keys come from callers; emptied when
 * full, since the hot keys come straight back.
 */
export function remembered<V>(limit: number, compute: (key: string) => V): (key: string) => V {
  const answers = new Map<string, V>();
  return (key) => {
    const hit = answers.get(key);
    if (hit !== undefined || answers.has(key)) return hit as V;
    const answer = compute(key);
    if (answers.size >= limit) answers.clear();
    answers.set(key, answer);
    return answer;
  };
}
