import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { NOT_FOR_THESE_VOICES, SSML_ELEMENTS, type SsmlElementRule } from './polly-ssml-tags';

/** SSML documents as Amazon Polly, behind End User Messaging's SendVoiceMessage, speaks them. */

const XML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => XML_ESCAPES[c] ?? c);
}

const XML_DECLARATION = /^\s*<\?xml[^>]*\?>/;

/** True when the body is already a whole document (optionally with an XML declaration), not a fragment. */
export function isSpeakDocument(body: string): boolean {
  return /^\s*(<\?xml[^>]*\?>\s*)?<speak[\s>/]/.test(body);
}

/** Template bodies may be fragments; the provider needs a complete `<speak>` document. */
export function toSpeakDocument(body: string): string {
  return isSpeakDocument(body) ? body.trim() : `<speak>${body}</speak>`;
}

/**
 * The names of the elements a document uses, each once, in order of first use ("speak", "say-as"…).
 * Read from the markup itself: in well-formed XML a `<` outside markup is always escaped, and the
 * documents we send carry no comments, CDATA or processing instructions (inspectSsml refuses them).
 */
export function ssmlElementNames(document: string): string[] {
  const names = new Set<string>();
  for (const match of document.matchAll(/<([A-Za-z_][\w:.-]*)/g)) names.add((match[1] ?? '').toLowerCase());
  return [...names];
}

/** Raw text (entities not decoded) that is in the document but that Polly does not say as written. */
export interface UnspokenText {
  readonly text: string;
  /** Where it is, as the end of a sentence: "in the name attribute of <mark>". */
  readonly where: string;
}

export interface SsmlInspection {
  /** Why the document is not SSML these voices speak; empty when it is. */
  readonly problems: readonly string[];
  /** Raw text nodes Polly reads aloud in a normal voice, in document order. */
  readonly spoken: readonly string[];
  /** Attribute values, and text Polly replaces, mutes or bends out of recognition. */
  readonly unspoken: readonly UnspokenText[];
}

// Polly knows the five XML entities only; "&nbsp;" is well-formed to a lenient parser but fails at send time.
const UNKNOWN_ENTITY = /&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/;
const NUMERIC_REFERENCE = /&#(x[0-9a-fA-F]+|\d+);/g;
// Entities are left as written, so the text checked is the text placeholders are substituted in.
const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  processEntities: false,
  htmlEntities: false,
  trimValues: false,
  parseTagValue: false,
  parseAttributeValue: false,
  ignoreDeclaration: true,
  ignorePiTags: false,
  commentPropName: '#comment',
  cdataPropName: '#cdata',
});

type Node = Record<string, unknown>;
const TEXT = '#text';
const ATTRIBUTES = ':@';
// A quieter passage than this, relative to the voice, is not something a caller hears on a phone line.
const INAUDIBLE_DB = -12;

/** Why the document is not well-formed SSML with a single `<speak>` root of allowed tags; empty when it is. */
export function ssmlProblems(document: string): string[] {
  return [...inspectSsml(document).problems];
}

/**
 * Checks a `<speak>` document against the allowlist and says which of its text Polly speaks. Never throws.
 * The document's own markup is judged, before any placeholder is substituted: callers pass template
 * text with `{{placeholders}}` as written, and find them in `spoken` or `unspoken`.
 */
export function inspectSsml(document: string): SsmlInspection {
  const result = XMLValidator.validate(document);
  if (result !== true) {
    return {
      problems: [
        `SSML is not well-formed XML: ${result.err.msg} (line ${result.err.line}, column ${result.err.col})`,
      ],
      spoken: [],
      unspoken: [],
    };
  }
  const early = textProblems(document);
  if (early.length > 0) return { problems: early, spoken: [], unspoken: [] };
  let parsed: Node[];
  try {
    parsed = parser.parse(document) as Node[];
  } catch (error) {
    // The validator and the parser disagree on some inputs; whatever the parser rejects is not SSML.
    const reason = error instanceof Error ? error.message : 'unknown error';
    return { problems: [`SSML could not be parsed: ${reason}`], spoken: [], unspoken: [] };
  }
  const roots = parsed.filter((node) => !isBlankText(node));
  const rootNames = roots.map(nameOf);
  if (roots.length !== 1 || rootNames[0] !== 'speak') {
    return {
      problems: [`SSML must have exactly one <speak> root element, found: ${rootNames.join(', ') || 'none'}`],
      spoken: [],
      unspoken: [],
    };
  }
  const walk = new Walk();
  walk.element(roots[0] as Node, { hiddenBy: undefined, db: 0, parent: undefined });
  return { problems: [...new Set(walk.problems)], spoken: walk.spoken, unspoken: walk.unspoken };
}

/** Checks made on the text of a document the validator accepted, where the parser would lose detail. */
function textProblems(document: string): string[] {
  if (UNKNOWN_ENTITY.test(document)) {
    return ['SSML uses an entity other than &amp; &lt; &gt; &quot; &apos; or a numeric reference'];
  }
  // Polly takes no document type, and a DOCTYPE's entity declarations have no place in a message.
  // `<` cannot appear in well-formed text or attribute values, so any "<!" is markup.
  if (document.includes('<!')) {
    return ['SSML must not contain a comment, CDATA section, DOCTYPE or other <! markup'];
  }
  // The parser drops an XML declaration met anywhere, so position is checked on the text.
  if (document.replace(XML_DECLARATION, '').includes('<?')) {
    return ['SSML must not contain processing instructions (<?…?>): Polly does not speak them'];
  }
  for (const match of document.matchAll(NUMERIC_REFERENCE)) {
    const ref = match[1] ?? '';
    const code = ref.startsWith('x') ? Number.parseInt(ref.slice(1), 16) : Number(ref);
    if (!isSpeakableCodePoint(code)) {
      return [`SSML refers to character ${match[0]}, which is not allowed in XML or is a control character`];
    }
  }
  return [];
}

function isSpeakableCodePoint(code: number): boolean {
  if (!Number.isInteger(code) || code > 0x10ffff) return false;
  if (code >= 0xd800 && code <= 0xdfff) return false;
  if (code === 0xfffe || code === 0xffff) return false;
  return code >= 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
}

interface Context {
  /** Why text here is not spoken as written, when it is not. */
  readonly hiddenBy: string | undefined;
  /** Volume relative to the voice's, dB; -Infinity when silent. */
  readonly db: number;
  readonly parent: string | undefined;
}

class Walk {
  readonly problems: string[] = [];
  readonly spoken: string[] = [];
  readonly unspoken: UnspokenText[] = [];

  element(node: Node, context: Context): void {
    const name = nameOf(node);
    const rule = SSML_ELEMENTS[name];
    const attributes = (node[ATTRIBUTES] ?? {}) as Record<string, string>;
    if (rule === undefined) {
      const why = NOT_FOR_THESE_VOICES[name];
      this.problems.push(
        why
          ? `SSML element <${name}> is for ${why}`
          : `SSML element <${name}> is not one Polly's standard voices speak; allowed: ${Object.keys(
              SSML_ELEMENTS,
            )
              .map((n) => `<${n}>`)
              .join(' ')}`,
      );
    } else {
      if (name === 'speak' && context.parent !== undefined)
        this.problems.push('SSML <speak> may only be the root element');
      this.checkAttributes(name, rule, attributes);
    }
    for (const [attribute, value] of Object.entries(attributes)) {
      this.unspoken.push({ text: value, where: `in the ${attribute} attribute of <${name}>` });
    }

    const inner: Context = {
      hiddenBy: context.hiddenBy ?? hidingReason(name, attributes, context.db),
      db: volumeOf(attributes, name, context.db),
      parent: name,
    };
    const children = (node[name] ?? []) as Node[];
    for (const child of children) {
      const childName = nameOf(child);
      if (childName === TEXT) {
        const text = String(child[TEXT] ?? '');
        if (rule?.content === 'empty' && text.trim() !== '') {
          this.problems.push(`SSML <${name}> must be empty`);
        }
        if (inner.hiddenBy === undefined) this.spoken.push(text);
        else this.unspoken.push({ text, where: inner.hiddenBy });
      } else if (childName === '#comment' || childName === '#cdata' || childName.startsWith('?')) {
        // Rejected on the text already; kept here so a parser change cannot let one through.
        this.problems.push('SSML must not contain comments, CDATA sections or processing instructions');
        this.unspoken.push({ text: rawTextOf(child), where: 'in a comment or processing instruction' });
      } else {
        if (rule?.content === 'empty') this.problems.push(`SSML <${name}> must be empty`);
        if (rule?.content === 'text')
          this.problems.push(`SSML <${name}> takes text only, found <${childName}>`);
        this.element(child, inner);
      }
    }
  }

  private checkAttributes(name: string, rule: SsmlElementRule, attributes: Record<string, string>): void {
    const names = Object.keys(attributes);
    for (const attribute of names) {
      const attributeRule = rule.attributes[attribute];
      const allowed = Object.keys(rule.attributes);
      if (attributeRule === undefined) {
        this.problems.push(
          `SSML <${name}> does not take the attribute ${attribute}${allowed.length > 0 ? `; it takes ${allowed.join(', ')}` : ''}`,
        );
      } else if (!attributeRule.valid(attributes[attribute] ?? '')) {
        this.problems.push(`SSML <${name} ${attribute}> must be ${attributeRule.expected}`);
      }
    }
    for (const required of rule.required ?? []) {
      if (!names.includes(required)) this.problems.push(`SSML <${name}> needs the attribute ${required}`);
    }
    if (rule.needsAttribute && names.length === 0) {
      this.problems.push(`SSML <${name}> without attributes does nothing`);
    }
    if (name === 'say-as' && attributes.format !== undefined && attributes['interpret-as'] !== 'date') {
      this.problems.push('SSML <say-as format> goes with interpret-as="date" only');
    }
  }
}

/** Why Polly does not say the text inside this element as written, or undefined when it does. */
function hidingReason(name: string, attributes: Record<string, string>, db: number): string | undefined {
  switch (name) {
    case 'sub':
      return 'inside <sub>, where Polly says the alias instead';
    case 'phoneme':
      return 'inside <phoneme>, where Polly says the ph pronunciation instead';
    case 'say-as':
      return attributes['interpret-as'] === 'expletive'
        ? 'inside <say-as interpret-as="expletive">, which Polly bleeps'
        : 'inside <say-as>, which takes plain text only';
    case 'w':
      return 'inside <w>, which takes plain text only';
    case 'prosody':
      if (attributes['amazon:max-duration'] !== undefined) {
        return 'inside <prosody amazon:max-duration>, which may speed speech up to five times';
      }
      return volumeOf(attributes, name, db) < INAUDIBLE_DB
        ? `inside a <prosody volume> too quiet to hear (below ${INAUDIBLE_DB}dB or silent)`
        : undefined;
    default:
      return undefined;
  }
}

/** Volume relative to the voice's default after this element: named levels reset, dB values add up. */
function volumeOf(attributes: Record<string, string>, name: string, db: number): number {
  const volume = name === 'prosody' ? attributes.volume : undefined;
  if (volume === undefined) return db;
  if (volume === 'silent') return Number.NEGATIVE_INFINITY;
  const relative = /^([+-]\d+(?:\.\d+)?)dB$/.exec(volume);
  if (relative) return (Number.isFinite(db) ? db : 0) + Number(relative[1]);
  return 0;
}

function nameOf(node: Node): string {
  return Object.keys(node).find((key) => key !== ATTRIBUTES) ?? '';
}

function isBlankText(node: Node): boolean {
  return nameOf(node) === TEXT && String(node[TEXT] ?? '').trim() === '';
}

function rawTextOf(node: Node): string {
  const children = node[nameOf(node)];
  if (!Array.isArray(children)) return '';
  return children.map((child: Node) => String(child[TEXT] ?? '')).join('');
}
