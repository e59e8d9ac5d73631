import { XMLParser } from 'fast-xml-parser';
import { ssmlProblems } from './ssml';

/** A stretch of speech, or a silence, as a listener hears a voice message. */
export type SpokenPart =
  | { readonly kind: 'text'; readonly text: string }
  /** Read one character at a time (say-as digits, characters, telephone): the code, spelled out. */
  | { readonly kind: 'spelled'; readonly text: string }
  | { readonly kind: 'pause'; readonly ms: number };

type Node = Record<string, unknown> & { ':@'?: Record<string, string> };

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  trimValues: false,
  parseTagValue: false,
  parseAttributeValue: false,
  htmlEntities: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
});

// SSML's named break strengths, as Polly times them.
const STRENGTH_MS: Readonly<Record<string, number>> = {
  none: 0,
  'x-weak': 100,
  weak: 250,
  medium: 400,
  strong: 700,
  'x-strong': 1000,
};
// say-as types Polly reads one character at a time.
const SPELLED = new Set(['digits', 'characters', 'spell-out', 'telephone']);

function breakMs(attributes: Record<string, string> | undefined): number {
  const time = /^\s*(\d+(?:\.\d+)?)\s*(ms|s)\s*$/.exec(attributes?.time ?? '');
  if (time) return Math.round(Number(time[1]) * (time[2] === 's' ? 1000 : 1));
  return STRENGTH_MS[attributes?.strength ?? 'medium'] ?? 400;
}

function walk(nodes: readonly Node[], out: SpokenPart[]): void {
  for (const node of nodes) {
    const name = Object.keys(node).find((key) => key !== ':@');
    if (name === undefined) continue;
    const attributes = node[':@'];
    if (name === '#text') {
      out.push({ kind: 'text', text: String(node[name] ?? '') });
      continue;
    }
    const children = (node[name] as Node[] | undefined) ?? [];
    if (name === 'break') {
      out.push({ kind: 'pause', ms: breakMs(attributes) });
    } else if (name === 'sub' && typeof attributes?.alias === 'string') {
      out.push({ kind: 'text', text: attributes.alias });
    } else if (name === 'say-as' && SPELLED.has(attributes?.['interpret-as'] ?? '')) {
      const inner: SpokenPart[] = [];
      walk(children, inner);
      const text = inner.map((p) => (p.kind === 'pause' ? ' ' : p.text)).join('');
      out.push({ kind: 'spelled', text: Array.from(text.replace(/\s+/g, '')).join(' ') });
    } else if (name === 'p' || name === 's') {
      // Polly pauses between paragraphs and sentences.
      walk(children, out);
      out.push({ kind: 'pause', ms: name === 'p' ? 700 : 400 });
    } else {
      walk(children, out);
    }
  }
}

/**
 * What a listener hears from an SSML document: the words, digits spelled one by one where say-as asks
 * for it, sub aliases instead of their text, and the pauses. Undefined when the document is not SSML.
 */
export function spokenParts(ssml: string): SpokenPart[] | undefined {
  if (ssmlProblems(ssml).length > 0) return undefined;
  const raw: SpokenPart[] = [];
  walk(parser.parse(ssml) as Node[], raw);
  // Merge neighbours and collapse whitespace, so the result reads like a transcript.
  const parts: SpokenPart[] = [];
  for (const part of raw) {
    const last = parts.at(-1);
    if (part.kind === 'text' && last?.kind === 'text') {
      parts[parts.length - 1] = { kind: 'text', text: last.text + part.text };
    } else if (part.kind === 'pause' && last?.kind === 'pause') {
      parts[parts.length - 1] = { kind: 'pause', ms: last.ms + part.ms };
    } else parts.push(part);
  }
  return parts
    .map((p) => (p.kind === 'pause' ? p : { ...p, text: p.text.replace(/\s+/g, ' ') }))
    .filter((p) => (p.kind === 'pause' ? p.ms > 0 : p.text.trim() !== ''))
    .map((p, i, all) =>
      p.kind === 'pause' ? p : { ...p, text: trimEdges(p.text, i === 0, i === all.length - 1) },
    );
}

function trimEdges(text: string, first: boolean, last: boolean): string {
  let result = text;
  if (first) result = result.trimStart();
  if (last) result = result.trimEnd();
  return result;
}

/** The words alone, pauses as spaces: "Your code is 1 2 3 4 5 6.". */
export function spokenText(ssml: string): string | undefined {
  const parts = spokenParts(ssml);
  if (parts === undefined) return undefined;
  return (
    parts
      .map((p) => (p.kind === 'pause' ? ' ' : p.kind === 'spelled' ? ` ${p.text} ` : p.text))
      .join('')
      .replace(/\s+/g, ' ')
      // A spelled code stands apart from the words, but not from the punctuation after it.
      .replace(/ ([.,;:!?،。、])/g, '$1')
      .trim()
  );
}
