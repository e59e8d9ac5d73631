import { describe, expect, it } from 'vitest';
import { bundledTemplates } from '../../adapters/i18n/i18next-template-store';
import { templateOverview } from '../../app/template-overview';
import type { MessageTemplate } from '../../domain/message-template';
import { coverageOf, isMissingCoverage } from '../../domain/template-coverage';

const t = (
  locale: string,
  channel: MessageTemplate['channel'],
  purpose: MessageTemplate['purpose'],
  source: MessageTemplate['source'] = 'catalogue',
): MessageTemplate => ({
  locale,
  channel,
  purpose,
  source,
  body: channel === 'sms' ? '{{code}}' : '{{code}} {{code}}',
  ...(channel === 'voice' ? { voiceId: 'JOANNA' } : {}),
});

describe("coverageOf: what a request is served, by the hook's own selection", () => {
  const candidates = [
    t('en', 'sms', 'generic'),
    t('en', 'voice', 'generic'),
    t('pt', 'sms', 'generic'),
    t('pt-BR', 'sms', 'verification', 'dynamodb'),
    t('nb', 'sms', 'generic'),
  ];

  it('its own locale, from DynamoDB before the catalogue, purpose-specific before generic', () => {
    const cell = coverageOf(candidates, { locale: 'pt-BR', channel: 'sms', purpose: 'verification' }, 'en');
    expect(cell).toMatchObject({
      kind: 'exact',
      template: { locale: 'pt-BR', source: 'dynamodb', purpose: 'verification' },
    });
    expect(cell.chain).toEqual(['pt-BR', 'pt', 'en']);
  });

  it('the same language further up the chain, including equivalent languages', () => {
    expect(
      coverageOf(candidates, { locale: 'pt-BR', channel: 'sms', purpose: 'enrollment' }, 'en'),
    ).toMatchObject({
      kind: 'related',
      template: { locale: 'pt' },
    });
    expect(
      coverageOf(candidates, { locale: 'no', channel: 'sms', purpose: 'enrollment' }, 'en'),
    ).toMatchObject({
      kind: 'related',
      template: { locale: 'nb' },
    });
  });

  it('SMS in another language: the IdP text first, then the default language; voice: the default language', () => {
    const sms = coverageOf(candidates, { locale: 'de-AT', channel: 'sms', purpose: 'verification' }, 'en');
    expect(sms).toMatchObject({ kind: 'idp', template: { locale: 'en' } });
    const voice = coverageOf(
      candidates,
      { locale: 'pt-BR', channel: 'voice', purpose: 'verification' },
      'en',
    );
    expect(voice).toMatchObject({ kind: 'fallback', template: { locale: 'en' } });
    expect([sms.kind, voice.kind].every(isMissingCoverage)).toBe(true);
  });

  it("the default language's own variants are covered by it", () => {
    expect(
      coverageOf(candidates, { locale: 'en-GB', channel: 'voice', purpose: 'enrollment' }, 'en'),
    ).toMatchObject({
      kind: 'related',
    });
  });

  it('nothing at all', () => {
    const cell = coverageOf(
      [t('fr', 'voice', 'generic')],
      { locale: 'de', channel: 'voice', purpose: 'enrollment' },
      'en',
    );
    expect(cell).toMatchObject({ kind: 'none' });
    expect(cell.template).toBeUndefined();
  });
});

describe('templateOverview', () => {
  const catalogue = bundledTemplates();

  it('the bundled catalogue covers every locale it holds, in every cell; temporary passwords fall back to English', () => {
    const overview = templateOverview([], catalogue, { defaultLocale: 'en' });
    expect(overview.rows).toHaveLength(50);
    // Four purposes by SMS and voice, and temporary passwords by SMS only.
    expect(overview.columns).toHaveLength(9);
    const missing = overview.rows.flatMap((r) => r.cells.filter((c) => isMissingCoverage(c.kind)));
    // Only the temporary-password cells of the languages without a text of their own: the default
    // language's serves them (never a generic "code" text); English and its regions are covered.
    expect(missing.every((c) => c.purpose === 'temporary-password' && c.kind === 'fallback')).toBe(true);
    expect(missing.every((c) => c.template?.locale === 'en')).toBe(true);
    expect(overview.counts.missingCells).toBe(46);
    // Hindi calls are spoken in Indian English, as the catalogue declares.
    const hi = overview.rows.find((r) => r.locale === 'hi');
    expect(hi?.cells.find((c) => c.channel === 'voice')?.spokenLocale).toBe('en-IN');
    expect(overview.rows.find((r) => r.locale === 'he')?.direction).toBe('rtl');
  });

  it('adds a checked locale as a row and counts its gaps; a DynamoDB template wins its cells', () => {
    const overview = templateOverview([t('cy', 'sms', 'generic', 'dynamodb')], catalogue, {
      defaultLocale: 'en',
      extraLocales: ['CY', '12'],
    });
    const cy = overview.rows.find((r) => r.locale === 'cy');
    expect(cy?.languageName).toBe('Welsh');
    expect(
      cy?.cells
        .filter((c) => c.channel === 'sms' && c.purpose !== 'temporary-password')
        .every((c) => c.kind === 'exact' && c.template?.source === 'dynamodb'),
    ).toBe(true);
    // Four voice cells, and the temporary password, which a generic template never serves.
    expect(cy?.missing).toBe(5);
    expect(overview.rows).toHaveLength(51);
  });
});
