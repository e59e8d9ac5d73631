import { describe, expect, it } from 'vitest';
import type { DeliveryRequest } from '../../domain/delivery-request';
import { localeFallbackChain } from '../../domain/locale';
import type { MessageTemplate, TemplatePurpose, TemplateSource } from '../../domain/message-template';
import { idpMessageAsTemplate, selectTemplate } from '../../domain/template-selection';

function t(
  locale: string,
  source: TemplateSource,
  purpose: TemplatePurpose = 'generic',
  channel: 'sms' | 'voice' = 'sms',
): MessageTemplate {
  return { locale, source, purpose, channel, body: `${locale}/${source}/${purpose} {{code}}` };
}
const idp: MessageTemplate = { ...t('pt-BR', 'idp'), body: 'Okta: {{code}}' };
const query = (raw: string, extra: Partial<Parameters<typeof selectTemplate>[1]> = {}) => ({
  locales: localeFallbackChain(raw, 'en'),
  defaultLocale: 'en',
  purpose: 'verification' as const,
  channel: 'sms' as const,
  ...extra,
});

describe('selectTemplate', () => {
  it('prefers the most specific locale of the chain', () => {
    const candidates = [t('pt', 'dynamodb', 'verification'), t('pt-BR', 'catalogue'), t('en', 'dynamodb')];
    expect(selectTemplate(candidates, query('pt-BR'))).toBe(candidates[1]);
  });

  it('within a locale prefers dynamodb over catalogue, then the purpose-specific template over generic', () => {
    const dynGeneric = t('fr', 'dynamodb');
    const catSpecific = t('fr', 'catalogue', 'verification');
    const dynSpecific = t('fr', 'dynamodb', 'verification');
    const catGeneric = t('fr', 'catalogue');
    expect(selectTemplate([catGeneric, catSpecific, dynGeneric, dynSpecific], query('fr'))).toBe(dynSpecific);
    expect(selectTemplate([catGeneric, catSpecific, dynGeneric], query('fr'))).toBe(dynGeneric);
    expect(selectTemplate([catGeneric, catSpecific], query('fr'))).toBe(catSpecific);
    expect(selectTemplate([catGeneric], query('fr'))).toBe(catGeneric);
  });

  it('ignores templates of another purpose and of the other channel', () => {
    const other = t('fr', 'dynamodb', 'password-reset');
    const voice = t('fr', 'dynamodb', 'verification', 'voice');
    const generic = t('fr', 'catalogue');
    expect(selectTemplate([other, voice, generic], query('fr'))).toBe(generic);
    expect(selectTemplate([other, voice], query('fr'))).toBeUndefined();
  });

  it("uses the IdP's message before falling back to the default language", () => {
    const en = t('en', 'dynamodb', 'verification');
    expect(selectTemplate([en], query('pt-BR', { idpTemplate: idp }))).toBe(idp);
    expect(selectTemplate([en, t('pt', 'catalogue')], query('pt-BR', { idpTemplate: idp }))?.locale).toBe(
      'pt',
    );
    expect(selectTemplate([en], query('pt-BR'))).toBe(en);
  });

  it("builds the IdP's message from its request (idpMessageOf) exactly as idpMessageAsTemplate does, only when needed", () => {
    const request = {
      eventId: 'evt',
      idp: 'okta',
      purpose: 'verification',
      channel: 'sms',
      phone: '+14155550123',
      code: '123456',
      expiresAt: new Date(0),
      requestedLocale: 'pt-BR',
      idpMessage: 'Seu código é 123456',
    } as DeliveryRequest;
    const en = t('en', 'dynamodb', 'verification');
    const chosen = selectTemplate([en], query('pt-BR', { idpMessageOf: { request, locale: 'pt-BR' } }));
    expect(chosen).toEqual(idpMessageAsTemplate(request, 'pt-BR'));
    expect(chosen?.source).toBe('idp');
    // A template in the user's language wins before the IdP's message is looked at.
    const pt = t('pt', 'catalogue');
    expect(selectTemplate([en, pt], query('pt-BR', { idpMessageOf: { request, locale: 'pt-BR' } }))).toBe(pt);
    // A message that does not carry the code exactly once is no template: the default language answers.
    const twice = { ...request, idpMessage: '123456 / 123456' } as DeliveryRequest;
    expect(selectTemplate([en], query('pt-BR', { idpMessageOf: { request: twice, locale: 'pt-BR' } }))).toBe(
      en,
    );
  });

  it("uses the IdP's message for SMS only", () => {
    const enVoice = t('en', 'catalogue', 'generic', 'voice');
    expect(selectTemplate([enVoice], query('pt-BR', { channel: 'voice', idpTemplate: idp }))).toBe(enVoice);
    expect(selectTemplate([], query('pt-BR', { channel: 'voice', idpTemplate: idp }))).toBeUndefined();
  });

  it("a user who asked for the default language gets its templates before the IdP's message", () => {
    const enUs = t('en-US', 'catalogue');
    const en = t('en', 'catalogue');
    expect(selectTemplate([en, enUs], query('EN-US', { idpTemplate: idp }))).toBe(enUs);
  });

  it('walks the default language by the same rules', () => {
    const enCat = t('en', 'catalogue', 'verification');
    const enDyn = t('en', 'dynamodb');
    expect(selectTemplate([enCat, enDyn], query('ja'))).toBe(enDyn);
  });

  it('reaches script-keyed Chinese templates', () => {
    const hant = t('zh-Hant', 'catalogue');
    const hans = t('zh-Hans', 'catalogue');
    expect(selectTemplate([hans, hant], query('zh-TW'))).toBe(hant);
    expect(selectTemplate([hans, hant], query('zh-HK'))).toBe(hant);
    expect(selectTemplate([hans, hant], query('zh-CN'))).toBe(hans);
  });

  it('matches locales case-insensitively and through Intl aliases', () => {
    const tl = t('tl', 'catalogue');
    expect(selectTemplate([tl], query('fil-PH'))).toBe(tl);
    const lower = t('pt-br', 'dynamodb');
    expect(selectTemplate([lower], query('PT_BR'))).toBe(lower);
  });

  it('prefers the higher version when two templates tie', () => {
    const v1 = { ...t('de', 'dynamodb'), version: 1 };
    const v2 = { ...t('de', 'dynamodb'), version: 2 };
    expect(selectTemplate([v1, v2], query('de'))).toBe(v2);
  });
});

describe('idpMessageAsTemplate', () => {
  const request: DeliveryRequest = {
    eventId: 'e1',
    idp: 'okta',
    purpose: 'verification',
    channel: 'sms',
    phone: '+14155550123',
    code: '11111',
    expiresAt: new Date(0),
    requestedLocale: 'pt-BR',
    idpMessage: '(HOOK)Your code is 11111',
  };

  it('turns the rendered message back into a template', () => {
    expect(idpMessageAsTemplate(request, 'pt-BR')).toEqual({
      locale: 'pt-BR',
      channel: 'sms',
      purpose: 'generic',
      source: 'idp',
      body: '(HOOK)Your code is {{code}}',
    });
  });

  it('neutralises braces so nothing else acts as a placeholder', () => {
    const out = idpMessageAsTemplate({ ...request, idpMessage: '{{brand}} {code}: 11111 }}' }, 'en');
    expect(out?.body).toBe('((brand)) (code): {{code}} ))');
  });

  it.each([
    ['missing', undefined],
    ['no code', 'Your code is 22222'],
    ['code twice', '11111 is your code: 11111'],
    ['code overlapping itself', 'Your code is 111111'],
    ['code inside a longer number', 'Call 9911111 now'],
    ['too long', `Code 11111 ${'x'.repeat(1600)}`],
  ])('returns undefined when the message is %s', (_label, idpMessage) => {
    expect(idpMessageAsTemplate({ ...request, idpMessage }, 'en')).toBeUndefined();
  });
});
