import { describe, expect, it } from 'vitest';
import { statusCallbackUrl } from '../../adapters/twilio/status-callback-url';
import { twilioSignature, verifyTwilioSignature } from '../../adapters/twilio/twilio-signature';

// Twilio's own published examples (api-snippets, security/signature_validation): auth token 12345, this
// URL and these parameters sign to these values.
const URL_ = 'https://mycompany.com/myapp.php?foo=1&bar=2';
const EXAMPLE = {
  CallSid: 'CA1234567890ABCDE',
  Caller: '+14158675310',
  Digits: '1234',
  From: '+14158675310',
  To: '+18005551212',
};

describe('X-Twilio-Signature', () => {
  it("matches Twilio's published examples", () => {
    expect(twilioSignature('12345', URL_, EXAMPLE)).toBe('GvWf1cFY/Q7PnoempGyD5oXAezc=');
    expect(twilioSignature('12345', URL_, { ...EXAMPLE, Caller: '+12349013030', From: '+12349013030' })).toBe(
      '0/KCTR6DLpKmkAf8muzZqo1nDgQ=',
    );
  });

  it('verifies the right signature and refuses a wrong token, URL, parameter, or none', () => {
    const good = 'GvWf1cFY/Q7PnoempGyD5oXAezc=';
    expect(verifyTwilioSignature('12345', [URL_], EXAMPLE, good)).toBe(true);
    expect(verifyTwilioSignature('12346', [URL_], EXAMPLE, good)).toBe(false);
    expect(verifyTwilioSignature('12345', [`${URL_}&baz=3`], EXAMPLE, good)).toBe(false);
    expect(verifyTwilioSignature('12345', [URL_], { ...EXAMPLE, Digits: '1235' }, good)).toBe(false);
    expect(verifyTwilioSignature('12345', [URL_], { ...EXAMPLE, Extra: '' }, good)).toBe(false);
    expect(verifyTwilioSignature('12345', [URL_], EXAMPLE, undefined)).toBe(false);
    expect(verifyTwilioSignature('12345', [URL_], EXAMPLE, '')).toBe(false);
    expect(verifyTwilioSignature('12345', [URL_], EXAMPLE, 'not base64 at all')).toBe(false);
    expect(verifyTwilioSignature('', [URL_], EXAMPLE, good)).toBe(false);
  });

  it('accepts the URL with or without the default port, as a proxy may have rewritten it', () => {
    const good = 'GvWf1cFY/Q7PnoempGyD5oXAezc=';
    expect(
      verifyTwilioSignature('12345', ['https://mycompany.com:443/myapp.php?foo=1&bar=2'], EXAMPLE, good),
    ).toBe(true);
    const withPort = twilioSignature('12345', 'https://mycompany.com:443/myapp.php?foo=1&bar=2', EXAMPLE);
    expect(verifyTwilioSignature('12345', [URL_], EXAMPLE, withPort)).toBe(true);
    expect(
      verifyTwilioSignature('12345', ['https://mycompany.com:8443/myapp.php?foo=1&bar=2'], EXAMPLE, good),
    ).toBe(false);
  });

  it('a repeated parameter signs every value, sorted', () => {
    const url = 'https://example.com/cb';
    const sig = twilioSignature('t', url, { A: ['2', '1'] });
    expect(sig).toBe(twilioSignature('t', url, { A: ['1', '2'] }));
    expect(verifyTwilioSignature('t', [url], { A: '1' }, sig)).toBe(false);
  });

  it('the StatusCallback URL adds the event id and purpose after what the configured URL has', () => {
    expect(
      statusCallbackUrl('https://x.example/prod/twilio/status', {
        eventId: 'evt 1&2',
        purpose: 'verification',
      }),
    ).toBe('https://x.example/prod/twilio/status?eventId=evt+1%262&purpose=verification');
    expect(statusCallbackUrl('https://x.example/cb?k=v', { eventId: 'e', purpose: 'p' })).toBe(
      'https://x.example/cb?k=v&eventId=e&purpose=p',
    );
  });
});
