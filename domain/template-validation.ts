import { TemplateError } from './errors';
import { expiryProblems } from './expiry-validation';
import type { MessageTemplate } from './message-template';
import { placeholdersSitInMixedText } from './placeholder-sites';
import { renderVoiceSsml } from './render-message';
import { inspectSsml, ssmlProblems, toSpeakDocument } from './ssml';
import {
  countPlaceholder,
  findPlaceholders,
  isPlaceholderName,
  PLACEHOLDER_NAMES,
  strayBraces,
} from './template-placeholders';

/** End User Messaging limits: SendTextMessage MessageBody and SendVoiceMessage SSML. */
export const MAX_SMS_BODY_CHARS = 1600;
export const MAX_VOICE_SSML_CHARS = 6000;

// The longest values a template must still fit with: a 10-digit code, a capped first name.
const WORST_CASE_VALUES = {
  code: '0123456789',
  minutes: 60,
  brand: 'Brand',
  firstName: 'Maximiliana-Josefina',
};

// C0 controls other than tab and newlines: invisible on a phone and not allowed in XML.
const CONTROL_CHARACTER = /(?![\t\n\r])\p{Cc}/u;

/** Everything wrong with a template, each as a sentence; empty when it is usable. Never throws. */
export function templateProblems(template: MessageTemplate): string[] {
  return problemsOf(template, placeholdersSitInMixedText);
}

/**
 * templateProblems as it was before the rendered call was judged by where its placeholders sit: every
 * voice template's rendered call parsed again. Kept as the oracle the property tests hold the cheap
 * judgement to; not for production (about 0.9 ms per voice template warm).
 */
export function templateProblemsByReparse(template: MessageTemplate): string[] {
  return problemsOf(template, () => false);
}

/**
 * `renderedIsSound(document)`: true only when the template's document, free of problems itself,
 * proves without a parse that its rendered call is SSML these voices speak (placeholder-sites.ts).
 */
function problemsOf(template: MessageTemplate, renderedIsSound: (document: string) => boolean): string[] {
  const body = template.body;
  if (typeof body !== 'string' || body.trim() === '') return ['body is empty'];
  const problems: string[] = [];

  const stray = strayBraces(body);
  if (stray.length > 0) {
    problems.push(
      `unbalanced braces at position ${stray.slice(0, 5).join(', ')}: braces are reserved for {{placeholders}}`,
    );
  }
  const unknown = [...new Set(findPlaceholders(body).map((p) => p.name))].filter(
    (n) => !isPlaceholderName(n),
  );
  if (unknown.length > 0) {
    problems.push(
      `unknown placeholder ${unknown.map((n) => `{{${n}}}`).join(', ')}; known: ${PLACEHOLDER_NAMES.map((n) => `{{${n}}}`).join(', ')}`,
    );
  }
  if (CONTROL_CHARACTER.test(body)) problems.push('body contains a control character');
  problems.push(...expiryProblems(template));

  const codes = countPlaceholder(body, 'code');
  if (codes === 0) problems.push('no {{code}} placeholder');

  if (template.channel === 'sms') {
    if (codes > 1) problems.push(`SMS must contain {{code}} exactly once, found ${codes}`);
    if (body.length > MAX_SMS_BODY_CHARS) {
      problems.push(`SMS body is ${body.length} characters, over the ${MAX_SMS_BODY_CHARS} limit`);
    }
  } else if (template.channel === 'voice') {
    // The call says the code twice, so a listener who missed it the first time still gets it.
    if (codes === 1) problems.push('voice must contain {{code}} at least twice, found 1');
    // Judged before substitution: a placeholder must sit where Polly reads text aloud, and nowhere else
    // (an attribute, a <sub> Polly replaces by its alias, a silent passage…), or the call has no code.
    const document = toSpeakDocument(body);
    const speech = inspectSsml(document);
    problems.push(...speech.problems);
    const hidden = speech.unspoken.filter((u) => countPlaceholder(u.text, 'code') > 0);
    for (const where of new Set(hidden.map((u) => u.where))) {
      problems.push(`{{code}} must be in text Polly speaks, not ${where}`);
    }
    if (speech.problems.length === 0) {
      const spoken = speech.spoken.reduce((n, text) => n + countPlaceholder(text, 'code'), 0);
      const elsewhere = hidden.reduce((n, u) => n + countPlaceholder(u.text, 'code'), 0);
      // Every placeholder is spoken or reported above; a difference would be a gap in the walk.
      if (spoken + elsewhere !== codes) problems.push('{{code}} must be in text Polly speaks');
      else if (codes >= 2 && spoken < 2) {
        problems.push(`voice must speak {{code}} at least twice, found ${spoken} spoken`);
      }
    }
    const ssml = renderVoiceSsml(template, WORST_CASE_VALUES);
    // The template passes but the rendered call does not: a value landed where markup cannot go.
    if (problems.length === 0 && !renderedIsSound(document) && ssmlProblems(ssml).length > 0) {
      problems.push('{{code}} must be in text, not inside an XML tag or attribute');
    }
    if (ssml.length > MAX_VOICE_SSML_CHARS) {
      problems.push(
        `voice SSML is ${ssml.length} characters with a 10-digit code, over the ${MAX_VOICE_SSML_CHARS} limit`,
      );
    }
  } else {
    problems.push(`unknown channel "${String(template.channel)}"`);
  }
  return problems;
}

/** Returns the template when usable; otherwise throws TemplateError naming the template and every problem. */
export function validateTemplate(template: MessageTemplate): MessageTemplate {
  const problems = templateProblems(template);
  if (problems.length > 0) {
    throw new TemplateError(`${describeTemplate(template)}: ${problems.join('; ')}`);
  }
  return template;
}

export function describeTemplate(t: MessageTemplate): string {
  return `template ${t.locale}/${t.channel}/${t.purpose} (${t.source})`;
}
