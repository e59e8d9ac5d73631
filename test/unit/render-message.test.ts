import { XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import type { MessageTemplate } from '../../domain/message-template';
import {
  renderMinutes,
  renderSms,
  renderVoiceSsml,
  sanitiseBrand,
  sanitiseFirstName,
  speakCode,
} from '../../domain/render-message';

const sms = (body: string): MessageTemplate => ({
  locale: 'en',
  channel: 'sms',
  purpose: 'generic',
  source: 'catalogue',
  body,
});
const voice = (body: string): MessageTemplate => ({ ...sms(body), channel: 'voice', voiceId: 'Joanna' });
const values = { code: '482913', minutes: 5, brand: 'Acme' };

describe('renderSms', () => {
  it('substitutes every placeholder, whitespace inside braces allowed', () => {
    expect(
      renderSms(sms('{{ brand }}: hi {{firstName}}, your code is {{code}} ({{minutes}} min)'), {
        ...values,
        firstName: 'Ana',
      }),
    ).toBe('Acme: hi Ana, your code is 482913 (5 min)');
  });

  it('collapses the space left by an empty first name', () => {
    expect(renderSms(sms('Hi {{firstName}}, code {{code}}'), values)).toBe('Hi, code 482913');
    expect(renderSms(sms('Hello {{firstName}} use {{code}}'), values)).toBe('Hello use 482913');
    expect(renderSms(sms('Code {{code}} for {{firstName}}'), { ...values, firstName: '1234' })).toBe(
      'Code 482913 for',
    );
    expect(renderSms(sms('Hi {{firstName}}\nCode {{code}}'), values)).toBe('Hi\nCode 482913');
  });

  it('never lets a value inject a placeholder or a second code', () => {
    const out = renderSms(sms('{{brand}} {{firstName}}: {{code}}'), {
      ...values,
      brand: '{{code}} 482913 Bank',
      firstName: '{{code}}482913',
    });
    expect(out).toBe('code Bank code: 482913');
  });

  it('keeps unknown placeholders as written (validation rejects them earlier)', () => {
    expect(renderSms(sms('{{code}} {{other}}'), values)).toBe('482913 {{other}}');
  });
});

describe('sanitising values', () => {
  it.each([
    ['  Ana  ', 'Ana'],
    ['Ana123', 'Ana'],
    ['An\u0000a\u202e', 'Ana'],
    ['Jean\n\tPierre', 'Jean Pierre'],
    ['{{code}}', 'code'],
    ['Maximiliana-Josefina-Anastasia', 'Maximiliana-Josefina'],
    ['Ｊｏｅ１２３', 'Ｊｏｅ'],
    ['١٢٣Ali', 'Ali'],
    // Numerals that are not decimal digits still read as numbers on a screen and to Polly.
    ['Ann²³', 'Ann'],
    ['Bo①②③', 'Bo'],
    ['Louis ⅩⅣ', 'Louis'],
    ['Half½', 'Half'],
    ['Key1\ufe0f\u20e3', 'Key\ufe0f'],
    ['Zoë𝟗𝟗', 'Zoë'],
    ['', ''],
    [undefined, ''],
  ])('first name %j → %j', (raw, expected) => {
    expect(sanitiseFirstName(raw)).toBe(expected);
  });

  it('cuts a first name at 20 code points without splitting a grapheme', () => {
    const name = `${'a'.repeat(19)}e\u0301b`;
    expect(sanitiseFirstName(name)).toBe('a'.repeat(19));
    expect(Array.from(sanitiseFirstName('😀'.repeat(30)))).toHaveLength(20);
  });

  it('strips digits from the brand', () => {
    expect(sanitiseBrand(' Bank 24 ')).toBe('Bank');
  });

  it('renders minutes as a small positive integer', () => {
    expect(renderMinutes(4.2)).toBe('5');
    expect(renderMinutes(0)).toBe('1');
    expect(renderMinutes(Number.NaN)).toBe('1');
    expect(renderMinutes(1e30)).toBe('99999');
  });
});

describe('renderVoiceSsml', () => {
  it('wraps a fragment in <speak> and reads the code digit by digit with pauses', () => {
    const out = renderVoiceSsml(voice('Your code is {{code}}. Again, {{code}}.'), { ...values, code: '12' });
    const digits =
      '<say-as interpret-as="digits">1</say-as><break time="400ms"/><say-as interpret-as="digits">2</say-as>';
    expect(out).toBe(`<speak>Your code is ${digits}. Again, ${digits}.</speak>`);
  });

  it('keeps a template that already is a <speak> document', () => {
    const out = renderVoiceSsml(voice('<speak><p>{{code}}</p><p>{{code}}</p></speak>'), values);
    expect(out.startsWith('<speak><p><say-as')).toBe(true);
    expect(out.match(/<speak>/g)).toHaveLength(1);
  });

  it('XML-escapes every substituted value', () => {
    const out = renderVoiceSsml(voice('{{brand}} {{firstName}} {{code}} {{code}}'), {
      ...values,
      brand: 'A&B <Bank> "x"',
      firstName: "O'Brien</speak>",
    });
    expect(out).toContain('A&amp;B &lt;Bank&gt; &quot;x&quot; O&apos;Brien&lt;/speak&gt;');
    expect(XMLValidator.validate(out)).toBe(true);
  });

  it('speaks a non-digit code character by character, escaped', () => {
    expect(speakCode('1<')).toBe(
      '<say-as interpret-as="digits">1</say-as><break time="400ms"/><say-as interpret-as="characters">&lt;</say-as>',
    );
  });
});
