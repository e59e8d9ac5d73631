import fc from 'fast-check';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import type { MessageTemplate } from '../../domain/message-template';
import { renderVoiceSsml } from '../../domain/render-message';
import { templateProblems } from '../../domain/template-validation';

/**
 * Whatever voice template validation lets through, the call speaks the code, twice. The oracle below is
 * written apart from domain/ssml.ts, from Polly's documentation: it reads the *rendered* SSML and keeps
 * only the digits Polly says out loud in a normal voice. Templates are random trees of allowed and
 * hostile SSML, so hiding places (processing instructions, comments, attributes, <sub>, <phoneme>,
 * bleeped or silent passages, unknown tags) are met constantly.
 */

const CODE = '8675309';

// Elements a listener hears, as written, in a normal voice; with the attribute sets generated below.
const HEARD = new Set(['speak', 'p', 's', 'lang', 'emphasis', 'amazon:effect', 'amazon:auto-breaths']);
const oracleParser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  trimValues: false,
  parseTagValue: false,
  commentPropName: '#comment',
  ignorePiTags: false,
});

type Node = Record<string, unknown>;
const nameOf = (node: Node) => Object.keys(node).find((k) => k !== ':@') ?? '';

function heard(name: string, attributes: Record<string, string>): boolean {
  if (HEARD.has(name)) return true;
  // prosody only changes how the voice sounds, unless it silences it or squeezes it into a duration.
  if (name === 'prosody') {
    return attributes['amazon:max-duration'] === undefined && ['loud', undefined].includes(attributes.volume);
  }
  return false;
}

/** The digits Polly speaks as digits, in order, from a rendered document. */
function spokenDigits(ssml: string): string {
  const out: string[] = [];
  const visit = (nodes: Node[]) => {
    for (const node of nodes) {
      const name = nameOf(node);
      const attributes = (node[':@'] ?? {}) as Record<string, string>;
      if (name === 'say-as' && attributes['interpret-as'] === 'digits') {
        out.push(((node[name] as Node[])[0]?.['#text'] as string | undefined) ?? '');
      } else if (heard(name, attributes)) visit(node[name] as Node[]);
    }
  };
  visit(oracleParser.parse(ssml) as Node[]);
  return out.join('');
}

const occurrences = (text: string, needle: string) => text.split(needle).length - 1;

const leaf = fc.oneof(
  { weight: 6, arbitrary: fc.constant('{{code}}') },
  {
    weight: 6,
    arbitrary: fc.constantFrom(
      ' Your code is ',
      '. Again: ',
      '{{minutes}}',
      '{{brand}}',
      '{{firstName}}',
      '<break time="1s"/>',
      '<break strength="strong"/>',
      '<mark name="m1"/>',
      '<amazon:breath/>',
    ),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '<mark name="{{code}}"/>',
      '<?x {{code}}?>',
      '<!-- {{code}} -->',
      '<![CDATA[{{code}}]]>',
      '<?xml version="1.0"?>',
      '&#123;&#123;code&#125;&#125;',
      '<break time="{{code}}"/>',
    ),
  },
);
const HEARD_WRAPPERS = [
  'p',
  's',
  'emphasis level="strong"',
  'lang xml:lang="fr-FR"',
  'prosody rate="slow"',
  'prosody volume="loud"',
  'amazon:effect name="drc"',
  'amazon:auto-breaths',
] as const;
// Hiding places, and tags these voices do not speak.
const HOSTILE_WRAPPERS = [
  'prosody volume="silent"',
  'prosody volume="-30dB"',
  'prosody amazon:max-duration="1s"',
  'sub alias="a code"',
  'phoneme alphabet="ipa" ph="kəʊd"',
  'say-as interpret-as="expletive"',
  'say-as interpret-as="cardinal"',
  'w role="amazon:NN"',
  'amazon:domain name="news"',
  'audio',
  'voice name="Joanna"',
  'speak',
] as const;
const wrapper = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...HEARD_WRAPPERS) },
  { weight: 1, arbitrary: fc.constantFrom(...HOSTILE_WRAPPERS) },
);

const { node } = fc.letrec<{ node: string }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc
      .tuple(wrapper, fc.array(tie('node'), { maxLength: 4 }))
      .map(([open, children]) => `<${open}>${children.join('')}</${open.split(' ')[0]}>`),
  ),
}));
const voiceTemplate = fc
  .tuple(fc.array(node, { minLength: 1, maxLength: 6 }), fc.boolean())
  .map(([parts, wrapped]): MessageTemplate => {
    const fragment = parts.join('');
    return {
      locale: 'en',
      channel: 'voice',
      purpose: 'generic',
      source: 'dynamodb',
      voiceId: 'JOANNA',
      body: wrapped ? `<speak>${fragment}</speak>` : fragment,
    };
  });

describe('voice templates that validate speak the code', () => {
  it('for any template of allowed and hostile SSML: valid ⇒ the code is spoken, digit by digit, at least twice', () => {
    let valid = 0;
    let runs = 0;
    fc.assert(
      fc.property(voiceTemplate, (template) => {
        runs += 1;
        if (templateProblems(template).length > 0) return;
        valid += 1;
        const ssml = renderVoiceSsml(template, { code: CODE, minutes: 5, brand: 'Acme', firstName: 'Ann' });
        expect(occurrences(spokenDigits(ssml), CODE)).toBeGreaterThanOrEqual(2);
      }),
      { numRuns: 3000 },
    );
    // Not vacuous: a good share of the random templates are valid ones (about a quarter).
    expect(valid).toBeGreaterThan(runs / 10);
  });

  it('the oracle agrees on the cases the issue names', () => {
    const render = (body: string) =>
      spokenDigits(
        renderVoiceSsml(
          { locale: 'en', channel: 'voice', purpose: 'generic', source: 'dynamodb', body },
          {
            code: CODE,
            minutes: 5,
            brand: 'Acme',
          },
        ),
      );
    expect(occurrences(render('{{code}} and {{code}}'), CODE)).toBe(2);
    expect(occurrences(render('<sub alias="x">{{code}}</sub> {{code}}'), CODE)).toBe(1);
    expect(occurrences(render('<prosody volume="silent">{{code}}</prosody>{{code}}'), CODE)).toBe(1);
  });
});
