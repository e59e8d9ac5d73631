/** Twilio's limit on the `Twiml` parameter of a call. */
export const MAX_TWIML_CHARS = 4000;

const DECLARATION = /^\s*<\?xml[^>]*\?>\s*/;
const SPEAK = /^<speak(?:\s[^>]*)?>([\s\S]*)<\/speak>\s*$/;

/**
 * The TwiML for a call that speaks an SSML document: `<Response><Say voice="Polly.Joanna">…</Say></Response>`.
 * Twilio's <Say> takes the SSML elements inside it without the `<speak>` root, so the document's content
 * goes in as it is: it is well-formed XML whose substituted values are already escaped (render-message.ts),
 * which keeps it well-formed inside <Say>. Undefined when the body is not a `<speak>` document.
 */
export function speakToTwiml(document: string, voice: string): string | undefined {
  const inner = SPEAK.exec(document.replace(DECLARATION, ''))?.[1];
  if (inner === undefined) return undefined;
  return `<?xml version="1.0" encoding="UTF-8"?><Response><Say voice="${voice}">${inner}</Say></Response>`;
}

/** The TwiML for plain text, escaped. */
export function textToTwiml(text: string, voice: string): string {
  const escaped = text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<?xml version="1.0" encoding="UTF-8"?><Response><Say voice="${voice}">${escaped}</Say></Response>`;
}
