import { describe, expect, it } from 'vitest';
import { TemplateError } from '../../domain/errors';
import type { MessageTemplate } from '../../domain/message-template';
import { countPlaceholder, findPlaceholders, strayBraces } from '../../domain/template-placeholders';
import { templateProblems, validateTemplate } from '../../domain/template-validation';

const sms = (body: string): MessageTemplate => ({
  locale: 'fr-CA',
  channel: 'sms',
  purpose: 'verification',
  source: 'catalogue',
  body,
});
const voice = (body: string): MessageTemplate => ({ ...sms(body), channel: 'voice', voiceId: 'Gabrielle' });

function errorOf(template: MessageTemplate): TemplateError {
  try {
    validateTemplate(template);
  } catch (error) {
    if (error instanceof TemplateError) return error;
    throw error;
  }
  throw new Error('expected a TemplateError');
}

describe('placeholders', () => {
  it('finds placeholders with whitespace inside the braces', () => {
    expect(findPlaceholders('{{code}} {{ minutes }} {{\tbrand }}').map((p) => p.name)).toEqual([
      'code',
      'minutes',
      'brand',
    ]);
    expect(countPlaceholder('{{code}} and {{ code }}', 'code')).toBe(2);
  });

  it('reports braces outside placeholders', () => {
    expect(strayBraces('{{code}')).toEqual([0, 1, 6]);
    expect(strayBraces('{{{code}}}')).toEqual([0, 9]);
    expect(strayBraces('{{code}} {{brand}}')).toEqual([]);
  });
});

describe('validateTemplate', () => {
  it('returns valid templates unchanged', () => {
    const good = sms('{{brand}}: votre code est {{code}}. Il expire dans {{minutes}} min.');
    expect(validateTemplate(good)).toBe(good);
    const goodVoice = voice('Bonjour {{firstName}}. Votre code est {{code}}. Je répète: {{code}}.');
    expect(validateTemplate(goodVoice)).toBe(goodVoice);
    expect(
      validateTemplate(voice('<speak><p>{{code}}</p><break time="1s"/><p>{{code}}</p></speak>')),
    ).toBeTruthy();
    expect(validateTemplate(voice('<?xml version="1.0"?>\n<speak>{{code}} {{code}}</speak>'))).toBeTruthy();
  });

  it('names the template in the error', () => {
    expect(errorOf(sms('no code here')).message).toBe(
      'template fr-CA/sms/verification (catalogue): no {{code}} placeholder',
    );
  });

  it.each([
    ['no code', sms('Votre code'), 'no {{code}} placeholder'],
    ['SMS code twice', sms('{{code}} {{code}}'), 'SMS must contain {{code}} exactly once, found 2'],
    [
      'voice code once',
      voice('Votre code est {{code}}'),
      'voice must contain {{code}} at least twice, found 1',
    ],
    [
      'unknown placeholder',
      sms('{{code}} {{Code}} {{first name}}'),
      'unknown placeholder {{Code}}, {{first name}}',
    ],
    ['unbalanced braces', sms('{{code} is yours'), 'unbalanced braces at position 0, 1, 6'],
    ['triple braces', sms('{{{code}}}'), 'unbalanced braces'],
    ['SMS too long', sms(`{{code}} ${'a'.repeat(1600)}`), 'SMS body is 1609 characters, over the 1600 limit'],
    ['bad XML', voice('{{code}} <break> {{code}}'), 'SSML is not well-formed XML'],
    ['unescaped ampersand', voice('A & B {{code}} {{code}}'), 'SSML is not well-formed XML'],
    ['HTML entity', voice('{{code}}&nbsp;{{code}}'), 'SSML uses an entity other than'],
    ['two roots', voice('<speak>{{code}}</speak><speak>{{code}}</speak>'), 'root'],
    // Found by the property test: the validator passed these and the parser then threw.
    ['truncated declaration', voice('{{code}} <!D {{code}}'), '<! markup'],
    ['DOCTYPE', voice('<!DOCTYPE speak [<!ENTITY x "y">]><speak>{{code}} {{code}}</speak>'), '<! markup'],
    [
      'element after speak',
      voice('<speak>{{code}} {{code}}</speak><mark name="x"/>'),
      'exactly one <speak> root',
    ],
    ['code in attribute', voice('<mark name="{{code}}"/>{{code}} {{code}}'), '{{code}} must be in text'],
    ['SSML too long', voice(`{{code}} {{code}} ${'a'.repeat(5000)}`), 'over the 6000 limit'],
    ['control character', sms('{{code}}\u0007'), 'control character'],
    ['empty body', sms('  '), 'body is empty'],
  ])('rejects %s', (_label, template, message) => {
    expect(errorOf(template).message).toContain(message);
  });

  it("accepts the SSML Polly's standard voices speak, placeholders in spoken text", () => {
    for (const body of [
      // What plural forms need (h4): a cardinal number of minutes, another language, pace and pauses.
      '<s>{{code}}</s><break time="1s"/><s><prosody rate="slow">{{code}}</prosody></s> <say-as interpret-as="cardinal">{{minutes}}</say-as>',
      '<p><lang xml:lang="fr-FR">{{code}}</lang></p><p><emphasis level="strong">{{code}}</emphasis></p>',
      '<amazon:effect name="drc">{{code}} <prosody volume="-6dB">{{code}}</prosody></amazon:effect>',
      '<amazon:auto-breaths>{{code}}<amazon:breath/> <mark name="again"/>{{code}}</amazon:auto-breaths>',
      '<sub alias="{{brand}}">B.</sub> {{code}} {{code}} <w role="amazon:NN">read</w>',
      '<phoneme alphabet="ipa" ph="pɪˈkɑːn">pecan</phoneme> {{code}}, {{code}}',
    ]) {
      expect(templateProblems(voice(body))).toEqual([]);
    }
  });

  it.each([
    // The case: a processing instruction hides the code; the call would say it once, or never.
    ['code in a processing instruction', '<?x {{code}}?>{{code}} {{code}}', 'processing instructions'],
    ['XML declaration mid-document', '{{code}} <?xml version="1.0"?> {{code}}', 'processing instructions'],
    ['comment', '<!-- {{code}} -->{{code}} {{code}}', 'comment, CDATA'],
    ['CDATA', '<![CDATA[{{code}}]]> {{code}} {{code}}', 'comment, CDATA'],
    ['unknown element', '<audio src="x">{{code}}</audio> {{code}}', 'SSML element <audio> is not one'],
    [
      'neural-only element',
      '<amazon:domain name="news">{{code}} {{code}}</amazon:domain>',
      'neural voices only',
    ],
    ['attribute on speak', '<speak xml:lang="en-US">{{code}} {{code}}</speak>', '<speak> does not take'],
    ['unknown attribute', '<p class="x">{{code}} {{code}}</p>', '<p> does not take the attribute class'],
    ['pause over 10 s', '{{code}}<break time="11s"/>{{code}}', '<break time> must be'],
    ['bad say-as', '<say-as interpret-as="money">5</say-as> {{code}} {{code}}', '<say-as interpret-as>'],
    ['missing required', '<sub>x</sub> {{code}} {{code}}', '<sub> needs the attribute alias'],
    [
      'markup in say-as',
      '<say-as interpret-as="cardinal"><p>5</p></say-as> {{code}} {{code}}',
      'takes text only',
    ],
    ['nested speak', '<speak><speak>{{code}} {{code}}</speak></speak>', 'only be the root'],
    ['text in break', '<break>{{code}}</break> {{code}} {{code}}', '<break> must be empty'],
    ['control character reference', '{{code}} &#1; {{code}}', 'control character'],
    [
      'code replaced by an alias',
      '<sub alias="the code">{{code}}</sub> {{code}} {{code}}',
      'not inside <sub>',
    ],
    ['code as phonemes', '<phoneme alphabet="ipa" ph="x">{{code}}</phoneme> {{code}}', 'inside <phoneme>'],
    ['bleeped code', '<say-as interpret-as="expletive">{{code}}</say-as> {{code}}', 'which Polly bleeps'],
    ['silent code', '<prosody volume="silent">{{code}} {{code}}</prosody>', 'too quiet to hear'],
    [
      'whispered quietly',
      '<prosody volume="-10dB"><prosody volume="-10dB">{{code}}</prosody></prosody>{{code}}',
      'too quiet',
    ],
    ['code squeezed', '<prosody amazon:max-duration="1s">{{code}}</prosody> {{code}}', 'max-duration'],
    ['code in say-as', '<say-as interpret-as="cardinal">{{code}}</say-as> {{code}}', 'not inside <say-as>'],
    ['code in w', '<w role="amazon:NN">{{code}}</w> {{code}}', 'not inside <w>'],
    [
      'code in alias',
      '<sub alias="{{code}}">x</sub> {{code}} {{code}}',
      'not in the alias attribute of <sub>',
    ],
    // Entity-written braces are not a placeholder: nothing is substituted there, so it is one code.
    ['escaped placeholder', '&#123;&#123;code&#125;&#125; {{code}}', 'at least twice, found 1'],
  ])('rejects voice SSML: %s', (_label, body, message) => {
    expect(errorOf(voice(body)).message).toContain(message);
  });

  it('reports every problem at once', () => {
    const problems = templateProblems(sms('{{nope}} {{code'));
    expect(problems).toHaveLength(3);
  });

  it('never includes a passcode-like value in the message: only the template is described', () => {
    expect(errorOf(voice('{{code}}')).message).not.toMatch(/\d{4}/);
  });
});
