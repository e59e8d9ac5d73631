import { SSML_ELEMENTS } from './polly-ssml-tags';
import { findPlaceholders } from './template-placeholders';

/**
 * Whether a voice template, once rendered, can be judged without parsing the rendered call again.
 *
 * Rendering replaces each `{{placeholder}}` with an XML-escaped value (brand, first name, the expiry
 * phrase's words) or with `<say-as>`/`<break>` markup (the code, and counts in languages that read a
 * bare cardinal). Put where text goes, escaped text changes no markup, and such markup is well-formed
 * SSML wherever the element around it may hold child elements. So when the template's own document is
 * SSML these voices speak (inspectSsml found no problem) and every placeholder sits in the text of an
 * element whose content is mixed, the rendered call is SSML these voices speak too: re-parsing ~1.3 KB
 * of it (~0.9 ms warm, ~5 ms cold per template, at every init that primes voice templates) proves nothing
 * more. Anywhere else (an attribute, the XML declaration, a `<say-as>` or `<sub>` that takes text only,
 * outside the root) this answers false and the caller parses the rendered call as before.
 * test/property/template-validation-oracle.property.test.ts holds this to the full re-parse.
 */
export function placeholdersSitInMixedText(document: string): boolean {
  const placeholders = findPlaceholders(document);
  if (placeholders.length === 0) return true;
  const runs = textRuns(document);
  if (runs === undefined) return false;
  let r = 0;
  for (const p of placeholders) {
    // Both lists are in document order.
    while (r < runs.length && (runs[r]?.end ?? 0) <= p.index) r += 1;
    const run = runs[r];
    if (run === undefined || run.start > p.index || p.index + p.length > run.end) return false;
    if (run.parent === undefined || SSML_ELEMENTS[run.parent]?.content !== 'mixed') return false;
  }
  return true;
}

interface TextRun {
  readonly start: number;
  /** Exclusive. */
  readonly end: number;
  /** The innermost open element; undefined outside the root. */
  readonly parent: string | undefined;
}

const LEADING_DECLARATION = /^\s*<\?xml[^>]*\?>/;
const NAME_END = /[\s/>]/;

/**
 * The character data of a document inspectSsml accepted (one root, no comments, CDATA, DOCTYPE or
 * processing instructions; an XML declaration only at the start), with the element each run sits in.
 * Undefined on anything else, so a caller never trusts a reading of markup this does not know.
 */
function textRuns(document: string): TextRun[] | undefined {
  const runs: TextRun[] = [];
  const open: string[] = [];
  let i = 0;
  const declaration = LEADING_DECLARATION.exec(document);
  if (declaration) i = declaration[0].length;
  const n = document.length;
  while (i < n) {
    const lt = document.indexOf('<', i);
    const textEnd = lt === -1 ? n : lt;
    if (textEnd > i) runs.push({ start: i, end: textEnd, parent: open[open.length - 1] });
    if (lt === -1) break;
    const next = document.charAt(lt + 1);
    if (next === '!' || next === '?') return undefined;
    if (next === '/') {
      const close = document.indexOf('>', lt);
      if (close === -1) return undefined;
      if (document.slice(lt + 2, close).trim() !== open.pop()) return undefined;
      i = close + 1;
      continue;
    }
    // A start tag: its name, then attributes whose quoted values may hold '>' (never '<').
    let j = lt + 1;
    while (j < n && !NAME_END.test(document.charAt(j))) j += 1;
    const name = document.slice(lt + 1, j);
    if (name === '') return undefined;
    let quote = '';
    while (j < n) {
      const c = document.charAt(j);
      if (quote !== '') {
        if (c === quote) quote = '';
        else if (c === '<') return undefined;
      } else if (c === '"' || c === "'") quote = c;
      else if (c === '>' || c === '<') break;
      j += 1;
    }
    if (document.charAt(j) !== '>') return undefined;
    if (document.charAt(j - 1) !== '/') open.push(name);
    i = j + 1;
  }
  return open.length === 0 ? runs : undefined;
}
