import type { SpokenPart } from '../../../domain/spoken-text';
import { textDirection } from '../../../domain/text-direction';
import { languageName } from '../../template-overview';
import type { SmsPreview, TemplatePreview, VoicePreview } from '../../template-preview';
import { html, type SafeHtml } from '../html';

function smsText(sms: SmsPreview): SafeHtml[] {
  // In Latin-script text, the characters that force UCS-2 are usually strays: mark each in place.
  const marked = sms.latinScript ? new Set(sms.ucs2Characters.map((c) => c.character)) : new Set<string>();
  return Array.from(sms.text, (c) => (marked.has(c) ? html`<mark>${c}</mark>` : html`${c}`));
}

function smsPreview(p: TemplatePreview, sms: SmsPreview): SafeHtml {
  const limit = sms.segments === 1 ? sms.singleLimit : sms.partLimit;
  return html`<figure class="phone">
  <figcaption class="phone-sender">SMS from ${p.sample.brand}</figcaption>
  <div class="bubble" id="sms-text" lang="${p.template.locale}" dir="${p.direction}">${smsText(sms)}</div>
</figure>
<dl class="facts">
  <dt>Encoding</dt><dd id="sms-encoding">${sms.encoding}</dd>
  <dt>Segments</dt><dd id="sms-segments">${sms.segments}</dd>
  <dt>${sms.encoding === 'GSM-7' ? 'Septets' : 'UTF-16 units'}</dt><dd>${sms.units} (${limit} per ${sms.segments === 1 ? 'message' : 'part'})</dd>
</dl>
${
  sms.ucs2Characters.length === 0
    ? html`<p class="all-clear">Every character is GSM-7.</p>`
    : html`<p id="ucs2-heading">Characters forcing UCS-2 (${sms.ucs2Characters.length}):</p>
<ul class="ucs2" aria-labelledby="ucs2-heading">${sms.ucs2Characters
        .slice(0, 24)
        .map(
          (c) =>
            html`<li><code>${c.character}</code> ${c.codePoint}${c.replacement !== undefined ? html` — GSM-7 has <code>${c.replacement === '' ? '(nothing)' : c.replacement}</code>` : ''}</li>`,
        )}${sms.ucs2Characters.length > 24 ? html`<li>…and ${sms.ucs2Characters.length - 24} more</li>` : ''}</ul>`
}`;
}

function spokenPart(part: SpokenPart): SafeHtml {
  return part.kind === 'pause'
    ? html`<span class="pause" title="pause ${part.ms} ms" aria-hidden="true">·</span><span class="sr-only">(pause ${part.ms} ms)</span>`
    : html`${part.text}`;
}

/** A spelled code (digits and the pauses between them) reads left to right even inside Arabic or Hebrew. */
function spokenHtml(parts: readonly SpokenPart[]): SafeHtml {
  const out: SafeHtml[] = [];
  for (let i = 0; i < parts.length; ) {
    if (parts[i]?.kind !== 'spelled') {
      out.push(spokenPart(parts[i] as SpokenPart));
      i += 1;
      continue;
    }
    let end = i;
    while (parts[end + 1]?.kind === 'pause' && parts[end + 2]?.kind === 'spelled') end += 2;
    out.push(html`<bdi dir="ltr" class="spelled">${parts.slice(i, end + 1).map(spokenPart)}</bdi>`);
    i = end + 1;
  }
  return html`${out}`;
}

function voicePreview(voice: VoicePreview): SafeHtml {
  return html`<dl class="facts">
  <dt>Voice</dt><dd id="voice-id">${voice.voiceId ?? 'none'}${voice.voiceLanguage ? ` — ${voice.voiceLanguage}` : ''}</dd>
  <dt>Spoken in</dt><dd>${languageName(voice.spokenLocale)} (${voice.spokenLocale})</dd>
  <dt>Voices for it</dt><dd>${voice.suggestedVoices.length > 0 ? voice.suggestedVoices.join(', ') : 'none: Polly has no voice for this language'}</dd>
</dl>
<h3>Words spoken</h3>
${
  voice.spoken
    ? html`<blockquote class="spoken" id="voice-words" lang="${voice.spokenLocale}" dir="${textDirection(voice.spokenLocale)}">${spokenHtml(voice.spoken)}</blockquote>`
    : html`<p class="notice error">The SSML does not parse, so nothing would be spoken.</p>`
}
<details><summary>SSML sent to End User Messaging (${voice.ssml.length} characters)</summary>
<pre id="voice-ssml">${voice.ssml}</pre></details>`;
}

function pluralNote(p: TemplatePreview): SafeHtml {
  const { plural } = p;
  return html`<p class="help" id="plural-forms">Plural forms in ${languageName(plural.locale)} (${plural.locale}):
${plural.categories.map(
  (c, i) =>
    html`${i > 0 ? ', ' : ''}<strong>${c.category}</strong> (${c.examples.length > 0 ? c.examples.join(', ') : 'fractions only'})`,
)}. With {{minutes}} = ${p.sample.minutes}: <strong>${plural.sampleCategory}</strong>.</p>`;
}

/** The live preview: re-rendered on the server for every edit, the same fragment with or without JavaScript. */
export function previewFragment(p: TemplatePreview): SafeHtml {
  return html`<h2 id="preview-heading">Preview <small class="meta">sample code ${p.sample.code}, never a real one</small></h2>
${p.sms ? smsPreview(p, p.sms) : ''}${p.voice ? voicePreview(p.voice) : ''}
${pluralNote(p)}`;
}

/** Problems next to the fields: what blocks saving (import's rules), and what lint reports. */
export function problemsFragment(p: TemplatePreview): SafeHtml {
  return html`<h2 id="problems-heading">Checks</h2>
${
  p.saveProblems.length > 0
    ? html`<p><strong>Must be fixed before saving</strong> (the rules of <code>templates import</code>):</p>
<ul class="problems blocking" id="save-problems">${p.saveProblems.map((m) => html`<li>${m}</li>`)}</ul>`
    : html`<p class="all-clear" id="save-ok">Can be saved: passes every rule of <code>templates import</code>.</p>`
}
${
  p.lintProblems.length > 0
    ? html`<p><strong>Lint</strong> (the rules of <code>templates lint</code>, with an 8-digit code and a 20-character brand):</p>
<ul class="problems lint" id="lint-problems">${p.lintProblems.map((m) => html`<li>${m}</li>`)}</ul>`
    : html`<p class="all-clear" id="lint-ok">Lint: no problems.</p>`
}`;
}
