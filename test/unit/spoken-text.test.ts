import { describe, expect, it } from 'vitest';
import { renderVoiceSsml } from '../../domain/render-message';
import { spokenParts, spokenText } from '../../domain/spoken-text';

describe('spokenText: the words a listener hears', () => {
  it('spells the code digit by digit, as the rendered SSML asks', () => {
    const ssml = renderVoiceSsml(
      {
        locale: 'en',
        channel: 'voice',
        purpose: 'generic',
        source: 'catalogue',
        body: 'Your {{brand}} code is {{code}}. Again: {{code}}.',
      },
      { code: '4821', minutes: 5, brand: 'Acme' },
    );
    expect(spokenText(ssml)).toBe('Your Acme code is 4 8 2 1. Again: 4 8 2 1.');
    const parts = spokenParts(ssml) ?? [];
    expect(parts.filter((p) => p.kind === 'pause')).toHaveLength(6);
    expect(
      parts.filter((p) => p.kind === 'spelled').map((p) => (p.kind === 'spelled' ? p.text : '')),
    ).toEqual(['4', '8', '2', '1', '4', '8', '2', '1']);
  });

  it('reads sub aliases, entities and say-as characters; times breaks', () => {
    const ssml =
      '<speak>Welcome to <sub alias="Acme Incorporated">ACME</sub> &amp; co &#233;<break time="1.5s"/>' +
      '<say-as interpret-as="characters">AB</say-as><break strength="strong"/><prosody rate="slow">slowly</prosody></speak>';
    expect(spokenText(ssml)).toBe('Welcome to Acme Incorporated & co é A B slowly');
    expect(spokenParts(ssml)?.filter((p) => p.kind === 'pause')).toEqual([
      { kind: 'pause', ms: 1500 },
      { kind: 'pause', ms: 700 },
    ]);
  });

  it('says nothing for SSML that does not parse', () => {
    expect(spokenText('<speak>unclosed')).toBeUndefined();
    expect(spokenParts('<!DOCTYPE x><speak/>')).toBeUndefined();
  });
});

describe('values are spoken as text', () => {
  it('a first name that looks like SSML is read out, not obeyed', () => {
    const ssml = renderVoiceSsml(
      {
        locale: 'en',
        channel: 'voice',
        purpose: 'generic',
        source: 'catalogue',
        body: 'Hi {{firstName}}, {{code}} {{code}}',
      },
      { code: '12', minutes: 5, brand: 'Acme', firstName: '<break time="9s"/>' },
    );
    expect(spokenText(ssml)).toBe('Hi <break time="s"/>, 1 2 1 2');
    expect(spokenParts(ssml)?.filter((p) => p.kind === 'pause')).toEqual([
      { kind: 'pause', ms: 400 },
      { kind: 'pause', ms: 400 },
    ]);
  });
});
