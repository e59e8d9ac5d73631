import { type Change, diffChars, diffWords } from 'diff';

/** One piece of a changed text: kept, added or removed. */
export interface DiffPart {
  readonly text: string;
  readonly change: 'same' | 'added' | 'removed';
}

export interface FieldDiff {
  readonly name: string;
  readonly label: string;
  readonly before: string;
  readonly after: string;
  readonly changed: boolean;
  readonly parts: readonly DiffPart[];
}

/**
 * Field-by-field word diff of two versions of a template, words as the template's language splits them
 * (Intl.Segmenter: Chinese and Japanese have no spaces between words).
 */
export function diffTemplateFields(
  before: ReadonlyMap<string, string>,
  after: ReadonlyMap<string, string>,
  labels: ReadonlyMap<string, string>,
  locale: string,
): FieldDiff[] {
  let segmenter: Intl.Segmenter;
  try {
    segmenter = new Intl.Segmenter(locale, { granularity: 'word' });
  } catch {
    segmenter = new Intl.Segmenter('en', { granularity: 'word' });
  }
  const names = [...new Set([...before.keys(), ...after.keys()])];
  return names.map((name) => {
    const old = before.get(name) ?? '';
    const now = after.get(name) ?? '';
    let changes: Change[] = old === now ? [] : diffWords(old, now, { intlSegmenter: segmenter });
    // A word diff ignores whitespace; a change of spaces or line breaks alone is shown character by character.
    if (old !== now && !changes.some((c) => c.added || c.removed)) changes = diffChars(old, now);
    const parts: DiffPart[] =
      old === now
        ? [{ text: now, change: 'same' }]
        : changes.map((c) => ({ text: c.value, change: c.added ? 'added' : c.removed ? 'removed' : 'same' }));
    return { name, label: labels.get(name) ?? name, before: old, after: now, changed: old !== now, parts };
  });
}
