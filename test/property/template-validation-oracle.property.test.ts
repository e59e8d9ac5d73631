import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bundledTemplates } from '../../adapters/i18n/i18next-template-store';
import type { MessageTemplate } from '../../domain/message-template';
import { placeholdersSitInMixedText } from '../../domain/placeholder-sites';
import { toSpeakDocument } from '../../domain/ssml';
import { templateProblems, templateProblemsByReparse } from '../../domain/template-validation';

// A voice template's rendered call used to be parsed again at every validation (~0.9 ms warm per
// template, most of an init's template priming); now it is judged by where its placeholders sit. The
// old check is the oracle: the cheap one must accept exactly what it accepts, word for word the same
// problems, for ordinary templates and hostile ones alike.

const PLACEHOLDER = fc.constantFrom(
  '{{code}}',
  '{{ code }}',
  '{{minutes}}',
  '{{expiry}}',
  '{{brand}}',
  '{{firstName}}',
);

// Placeholders where they may go (text of elements that hold markup), where they may not (elements that
// take text only, silent or hidden passages), in attributes, tags, the declaration, comments, CDATA, a
// processing instruction, glued to entities; most pieces are complete and valid, so many templates get
// past their own checks and reach the rendered one.
const IN_TEXT = PLACEHOLDER.chain((p) =>
  fc.constantFrom(
    p,
    `<p>${p}</p>`,
    `<s>Again: ${p}</s>`,
    `<emphasis level="strong">${p}</emphasis>`,
    `<prosody rate="slow">${p}</prosody>`,
    `<prosody volume="+6dB">${p}</prosody>`,
    `<lang xml:lang="fr-FR">${p}</lang>`,
    `<amazon:effect name="drc">${p}</amazon:effect>`,
    `<amazon:auto-breaths>${p}</amazon:auto-breaths>`,
    `<break/>${p}<break time="1s"/>`,
    `<mark name="x>y"/>${p}`,
    `<p><s>${p}</s> <mark name='m'/></p>`,
  ),
);
const ELSEWHERE = PLACEHOLDER.chain((p) =>
  fc.constantFrom(
    `<prosody volume="silent">${p}</prosody>`,
    `<prosody volume="-20dB">${p}</prosody>`,
    `<prosody amazon:max-duration="2s">${p}</prosody>`,
    `<say-as interpret-as="cardinal">${p}</say-as>`,
    `<say-as interpret-as="characters">${p}</say-as>`,
    `<sub alias="x">${p}</sub>`,
    `<w role="amazon:VB">${p}</w>`,
    `<phoneme alphabet="ipa" ph="x">${p}</phoneme>`,
    `<mark name="${p}"/>`,
    `<mark name='a ${p} b'/>`,
    `<sub alias="${p}">word</sub>`,
    `<break time="${p}"/>`,
    `<break time="1s" ${p}/>`,
    `<p title="${p}">x</p>`,
    `<${p}>x</${p}>`,
    `<lang xml:lang="${p}">x</lang>`,
    `<phoneme alphabet="ipa" ph="${p}">x</phoneme>`,
    `<!-- ${p} -->`,
    `<![CDATA[${p}]]>`,
    `<?pi ${p}?>`,
    `&${p}`,
    `&amp${p};`,
    `&#${p};`,
    `${p}&nbsp;`,
    `<speak>${p}</speak>`,
  ),
);
const TEXT = fc.constantFrom('Your code is ', ' ', '. ', 'a &amp; b ', '&lt;3 ', '&#65; ', 'x > y ', ']]> ');
const BROKEN = fc.constantFrom(
  '<p>',
  '</p>',
  '<s>',
  '</speak>',
  '<speak>',
  '<',
  '>',
  '&',
  '{',
  '}',
  '"',
  '/>',
);
const PIECE = fc.oneof(
  { weight: 10, arbitrary: IN_TEXT },
  { weight: 6, arbitrary: TEXT },
  { weight: 3, arbitrary: ELSEWHERE },
  { weight: 1, arbitrary: BROKEN },
);

const INNER = fc.array(PIECE, { maxLength: 6 }).map((pieces) => pieces.join(''));

// Two spoken codes around the rest, as a usable voice template has them, or none of that help.
const BODY = fc.oneof(
  { weight: 8, arbitrary: fc.tuple(INNER, INNER, INNER).map(([a, b, c]) => `${a}{{code}}${b}{{code}}${c}`) },
  { weight: 1, arbitrary: INNER },
  { weight: 1, arbitrary: fc.string() },
);

const DOCUMENT = fc.oneof(
  { weight: 4, arbitrary: BODY },
  { weight: 2, arbitrary: BODY.map((b) => `<speak>${b}</speak>`) },
  { weight: 1, arbitrary: BODY.map((b) => `<?xml version="1.0"?><speak>${b}</speak>`) },
  {
    weight: 1,
    arbitrary: BODY.map((b) => `  <?xml version="1.0" encoding="UTF-8"?>\n<speak>${b}</speak>\n`),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(PLACEHOLDER, BODY).map(([p, b]) => `<?xml version="${p}"?><speak>${b}</speak>`),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(PLACEHOLDER, BODY).map(([p, b]) => `<speak xml:lang="${p}">${b}</speak>`),
  },
  { weight: 1, arbitrary: fc.tuple(PLACEHOLDER, BODY).map(([p, b]) => `${p}<speak>${b}</speak>`) },
  { weight: 1, arbitrary: fc.tuple(PLACEHOLDER, BODY).map(([p, b]) => `<speak>${b}</speak>${p}`) },
);

// en reads a bare cardinal (the count becomes <say-as> markup), pt and ja keep plain digits.
const LANGUAGE = fc.constantFrom('en', 'en-US', 'pt-BR', 'ja', 'de');
const EXPIRY_FORMS = { minutes: { one: '{{count}} minute', other: '{{count}} minutes' } };
const EXPIRY = fc.option(
  fc.constantFrom(
    EXPIRY_FORMS,
    { minutes: { other: 'in <b>{{count}}</b> min & "more"' } },
    { minutes: { other: '{{count}}' }, hours: { one: 'one hour', other: '{{count}} hours' } },
  ),
  { nil: undefined },
);

// Phrases where the body says {{expiry}} and none where it does not, mostly, so validation goes on.
const TEMPLATE = fc
  .record({ body: DOCUMENT, locale: LANGUAGE, expiry: EXPIRY, matchExpiry: fc.nat(4).map((n) => n > 0) })
  .map(({ body, locale, expiry, matchExpiry }): MessageTemplate => {
    const usesExpiry = /\{\{\s*expiry\s*\}\}/.test(body);
    const forms = matchExpiry ? (usesExpiry ? (expiry ?? EXPIRY_FORMS) : undefined) : expiry;
    return {
      locale,
      channel: 'voice',
      purpose: 'generic',
      source: 'dynamodb',
      body,
      ...(forms === undefined ? {} : { expiry: forms }),
    };
  });

describe('voice templates: judging the rendered call by its placeholders accepts what re-parsing it accepts', () => {
  it('gives the same problems as the full re-parse, for generated templates including hostile ones', () => {
    let usable = 0;
    let usableWithoutParse = 0;
    let refusedOnlyOnceRendered = 0;
    fc.assert(
      fc.property(TEMPLATE, (template) => {
        const oracle = templateProblemsByReparse(template);
        expect(templateProblems(template)).toEqual(oracle);
        if (oracle.length === 0) {
          usable += 1;
          if (placeholdersSitInMixedText(toSpeakDocument(template.body))) usableWithoutParse += 1;
        }
        if (oracle.length === 1 && oracle[0]?.startsWith('{{code}} must be in text, not inside')) {
          refusedOnlyOnceRendered += 1;
        }
      }),
      { numRuns: 4000 },
    );
    // The generator reaches the cases that matter: usable templates judged without a parse, and
    // templates only the rendered check refuses (a count's <say-as> inside a <say-as>, a value in markup).
    expect(usable).toBeGreaterThan(300);
    expect(usableWithoutParse).toBeGreaterThan(150);
    expect(refusedOnlyOnceRendered).toBeGreaterThan(20);
  });

  it('says the same of every bundled template, and judges every usable bundled voice template without a parse', () => {
    for (const template of bundledTemplates()) {
      expect(templateProblems(template)).toEqual(templateProblemsByReparse(template));
      if (template.channel === 'voice') {
        expect(placeholdersSitInMixedText(toSpeakDocument(template.body))).toBe(true);
      }
    }
  });

  it('never answers true for a placeholder outside text an element may hold markup in', () => {
    for (const document of [
      '<speak><mark name="{{brand}}"/>{{code}}</speak>',
      '<speak><say-as interpret-as="cardinal">{{minutes}}</say-as></speak>',
      '<speak><sub alias="x">{{brand}}</sub></speak>',
      '<?xml version="{{minutes}}"?><speak>{{code}}</speak>',
      '{{brand}}<speak>{{code}}</speak>',
      '<speak>{{code}}</speak>{{brand}}',
      '<speak><!-- {{code}} --></speak>',
      '<speak><![CDATA[{{code}}]]></speak>',
      '<speak><p>{{code}}</speak>',
      '<speak><mark name="a>{{brand}}"/></speak>',
    ]) {
      expect(placeholdersSitInMixedText(document), document).toBe(false);
    }
    expect(placeholdersSitInMixedText('<speak><p>{{code}}</p> <s a=">">{{ brand }}</s></speak>')).toBe(true);
  });
});
