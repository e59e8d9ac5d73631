import { XMLParser, XMLValidator } from 'fast-xml-parser';

/** SSML documents as Amazon Polly (behind End User Messaging voice) accepts them. */

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

/** True when the body is already a whole document (optionally with an XML declaration), not a fragment. */
export function isSpeakDocument(body: string): boolean {
  return /^\s*(<\?xml[^>]*\?>\s*)?<speak[\s>/]/.test(body);
}

/** Template bodies may be fragments; the provider needs a complete `<speak>` document. */
export function toSpeakDocument(body: string): string {
  return isSpeakDocument(body) ? body.trim() : `<speak>${body}</speak>`;
}

// Polly knows the five XML entities only; "&nbsp;" is well-formed to a lenient parser but fails at send time.
const UNKNOWN_ENTITY = /&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/;
const rootParser = new XMLParser({ preserveOrder: true, ignoreDeclaration: true, ignorePiTags: true });

/** Why the document is not well-formed SSML with a single `<speak>` root; empty when it is. */
export function ssmlProblems(document: string): string[] {
  const result = XMLValidator.validate(document);
  if (result !== true) {
    return [
      `SSML is not well-formed XML: ${result.err.msg} (line ${result.err.line}, column ${result.err.col})`,
    ];
  }
  if (UNKNOWN_ENTITY.test(document)) {
    return ['SSML uses an entity other than &amp; &lt; &gt; &quot; &apos; or a numeric reference'];
  }
  // Polly takes no document type, and a DOCTYPE's entity declarations have no place in a message.
  if (document.includes('<!')) {
    return ['SSML must not contain a DOCTYPE, entity declaration or other <! markup'];
  }
  let parsed: Record<string, unknown>[];
  try {
    parsed = rootParser.parse(document) as Record<string, unknown>[];
  } catch (error) {
    // The validator and the parser disagree on some inputs; whatever the parser rejects is not SSML.
    return [`SSML could not be parsed: ${error instanceof Error ? error.message : 'unknown error'}`];
  }
  const roots = parsed.flatMap((node) => Object.keys(node));
  if (roots.length !== 1 || roots[0] !== 'speak') {
    return [`SSML must have exactly one <speak> root element, found: ${roots.join(', ') || 'none'}`];
  }
  return [];
}
