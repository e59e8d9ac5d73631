import { XMLParser, XMLValidator } from 'fast-xml-parser';

/**
 * SSML documents as Amazon Polly, behind End User Messaging's SendVoiceMessage, speaks them.
 *
 * SendVoiceMessage has no engine parameter and accepts standard-engine voices (MIZUKI, CELINE,
 * CONCHITA… exist only as standard voices), so the allowlist below is Polly's SSML for the standard
 * engine (https://docs.aws.amazon.com/polly/latest/dg/supportedtags.html): every tag except
 * `<amazon:domain name="news">`, which is neural-only. Polly answers an unsupported tag with an error
 * at send time, which would turn every call in that language into an Okta fallback; and markup it
 * ignores (processing instructions, comments) can hide text from the listener, so neither is accepted.
 * Neural voices would additionally drop `<emphasis>`, `<amazon:auto-breaths>`, `<amazon:breath>`,
 * `<amazon:effect phonation|vocal-tract-length|name="whispered">`, `<prosody amazon:max-duration>` and
 * prosody `pitch`; should End User Messaging ever speak with neural voices, this list must shrink.
 */

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

/** One attribute an element may carry: a test on its raw value and what a good value looks like. */
interface AttributeRule {
  readonly valid: (value: string) => boolean;
  readonly expected: string;
}

interface ElementRule {
  readonly attributes: Readonly<Record<string, AttributeRule>>;
  readonly required?: readonly string[];
  /** Elements whose content is not markup: say-as, sub, phoneme and w take text only. */
  readonly content: 'mixed' | 'text' | 'empty';
  /** prosody, amazon:effect: an element without any attribute does nothing and is a typo. */
  readonly needsAttribute?: boolean;
}

const oneOf = (...values: string[]): AttributeRule => ({
  valid: (value) => values.includes(value),
  expected: values.join(' | '),
});
const matching = (pattern: RegExp, expected: string, extra?: (value: string) => boolean): AttributeRule => ({
  valid: (value) => pattern.test(value) && (extra === undefined || extra(value)),
  expected,
});
const anyText: AttributeRule = {
  valid: (value) => value.trim().length > 0,
  expected: 'non-empty text',
};

/** Milliseconds of "3s", "250ms", "1.5s"; NaN when it is neither. */
function durationMs(value: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s)$/.exec(value);
  if (!match) return Number.NaN;
  return Number(match[1]) * (match[2] === 's' ? 1000 : 1);
}
const DURATION = /^\d+(\.\d+)?(ms|s)$/;
const LANGUAGE_TAG = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;
const BREATH_VOLUME = oneOf('default', 'x-soft', 'soft', 'medium', 'loud', 'x-loud');
const BREATH_DURATION = oneOf('default', 'x-short', 'short', 'medium', 'long', 'x-long');

export const SSML_ELEMENTS: Readonly<Record<string, ElementRule>> = {
  speak: { attributes: {}, content: 'mixed' },
  break: {
    attributes: {
      strength: oneOf('none', 'x-weak', 'weak', 'medium', 'strong', 'x-strong'),
      // Polly's limit: a longer pause is an error.
      time: matching(DURATION, '"3s" or "250ms", at most 10s', (v) => durationMs(v) <= 10_000),
    },
    content: 'empty',
  },
  emphasis: { attributes: { level: oneOf('strong', 'moderate', 'reduced') }, content: 'mixed' },
  lang: {
    attributes: { 'xml:lang': matching(LANGUAGE_TAG, 'a language tag such as fr-FR') },
    required: ['xml:lang'],
    content: 'mixed',
  },
  mark: { attributes: { name: anyText }, required: ['name'], content: 'empty' },
  p: { attributes: {}, content: 'mixed' },
  s: { attributes: {}, content: 'mixed' },
  phoneme: {
    attributes: { alphabet: oneOf('ipa', 'x-sampa'), ph: anyText },
    required: ['alphabet', 'ph'],
    content: 'text',
  },
  prosody: {
    attributes: {
      volume: matching(
        /^(default|silent|x-soft|soft|medium|loud|x-loud|[+-]\d+(\.\d+)?dB)$/,
        'default | silent | x-soft | soft | medium | loud | x-loud | +ndB | -ndB',
      ),
      rate: matching(
        /^(x-slow|slow|medium|fast|x-fast|default|\d+%|[+-]\d+(\.\d+)?%)$/,
        'x-slow | slow | medium | fast | x-fast | n% (20% to 200%)',
        (v) => !/^\d+%$/.test(v) || (Number.parseInt(v, 10) >= 20 && Number.parseInt(v, 10) <= 200),
      ),
      pitch: matching(
        /^(default|x-low|low|medium|high|x-high|[+-]\d+(\.\d+)?%)$/,
        'default | x-low | low | medium | high | x-high | +n% | -n%',
      ),
      'amazon:max-duration': matching(DURATION, '"2s" or "2400ms"'),
    },
    content: 'mixed',
    needsAttribute: true,
  },
  'say-as': {
    attributes: {
      'interpret-as': oneOf(
        'characters',
        'spell-out',
        'cardinal',
        'number',
        'ordinal',
        'digits',
        'fraction',
        'unit',
        'date',
        'time',
        'address',
        'expletive',
        'telephone',
      ),
      format: oneOf('mdy', 'dmy', 'ymd', 'md', 'dm', 'ym', 'my', 'd', 'm', 'y', 'yyyymmdd'),
    },
    required: ['interpret-as'],
    content: 'text',
  },
  sub: { attributes: { alias: anyText }, required: ['alias'], content: 'text' },
  w: {
    attributes: {
      role: oneOf(
        'amazon:VB',
        'amazon:VBD',
        'amazon:DT',
        'amazon:IN',
        'amazon:JJ',
        'amazon:NN',
        'amazon:DEFAULT',
        'amazon:SENSE_1',
      ),
    },
    required: ['role'],
    content: 'text',
  },
  'amazon:auto-breaths': {
    attributes: {
      volume: BREATH_VOLUME,
      frequency: oneOf('default', 'x-low', 'low', 'medium', 'high', 'x-high'),
      duration: BREATH_DURATION,
    },
    content: 'mixed',
  },
  'amazon:breath': { attributes: { volume: BREATH_VOLUME, duration: BREATH_DURATION }, content: 'empty' },
  'amazon:effect': {
    attributes: {
      name: oneOf('drc', 'whispered'),
      phonation: oneOf('soft'),
      'vocal-tract-length': matching(/^[+-]?\d+(\.\d+)?%$/, '+n% | -n% | n%'),
    },
    content: 'mixed',
    needsAttribute: true,
  },
};

const NOT_FOR_THESE_VOICES: Readonly<Record<string, string>> = {
  'amazon:domain': 'neural voices only; End User Messaging speaks with standard voices',
};

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

  private checkAttributes(name: string, rule: ElementRule, attributes: Record<string, string>): void {
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
