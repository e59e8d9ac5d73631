import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { acceptsGenericTemplate, CHANNELS, PURPOSES } from '../../domain/delivery-request';
import { localeFallbackChain } from '../../domain/locale';
import type { MessageTemplate } from '../../domain/message-template';
import { selectTemplate } from '../../domain/template-selection';

const locale = fc.constantFrom(
  'en',
  'en-US',
  'pt',
  'pt-BR',
  'fr',
  'fr-CA',
  'zh-Hant',
  'zh-Hans',
  'ja',
  'x!',
  '',
);
const template: fc.Arbitrary<MessageTemplate> = fc.record({
  locale,
  channel: fc.constantFrom(...CHANNELS),
  purpose: fc.constantFrom(...PURPOSES, 'generic' as const),
  source: fc.constantFrom('dynamodb' as const, 'catalogue' as const, 'idp' as const),
  body: fc.constant('{{code}}'),
  version: fc.option(fc.nat(), { nil: undefined }),
});
const query = fc.record({
  requested: fc.oneof(locale, fc.string()),
  defaultLocale: fc.constantFrom('en', 'en-GB', 'fr'),
  purpose: fc.constantFrom(...PURPOSES),
  channel: fc.constantFrom(...CHANNELS),
  idpTemplate: fc.option(template, { nil: undefined }),
});

describe('selectTemplate properties', () => {
  it('returns one of the candidates or the IdP template, of the right channel and purpose', () => {
    fc.assert(
      fc.property(fc.array(template, { maxLength: 12 }), query, (candidates, q) => {
        const picked = selectTemplate(candidates, {
          ...q,
          locales: localeFallbackChain(q.requested, q.defaultLocale),
        });
        if (picked === undefined) return;
        expect(candidates.includes(picked) || picked === q.idpTemplate).toBe(true);
        expect(picked.channel).toBe(q.channel);
        if (picked !== q.idpTemplate) expect([q.purpose, 'generic']).toContain(picked.purpose);
      }),
      { numRuns: 2000 },
    );
  });

  it('finds something whenever a usable default-language template exists', () => {
    fc.assert(
      fc.property(fc.array(template, { maxLength: 12 }), query, (candidates, q) => {
        // Usable: a generic one, or for a purpose no generic text may serve (temporary passwords), its own.
        const fallback: MessageTemplate = {
          locale: q.defaultLocale,
          channel: q.channel,
          purpose: acceptsGenericTemplate(q.purpose) ? 'generic' : q.purpose,
          source: 'catalogue',
          body: '{{code}}',
        };
        const locales = localeFallbackChain(q.requested, q.defaultLocale);
        expect(selectTemplate([...candidates, fallback], { ...q, locales })).toBeDefined();
      }),
    );
  });

  it('never serves a temporary password with a generic ("verification code") template', () => {
    fc.assert(
      fc.property(fc.array(template, { maxLength: 12 }), query, (candidates, q) => {
        const locales = localeFallbackChain(q.requested, q.defaultLocale);
        const chosen = selectTemplate(candidates, { ...q, purpose: 'temporary-password', locales });
        expect(chosen === undefined || chosen.purpose === 'temporary-password').toBe(true);
      }),
    );
  });

  it('does not depend on the order of the candidates (ties aside)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(template, {
          maxLength: 8,
          selector: (t) => `${t.locale}|${t.channel}|${t.purpose}|${t.source}`,
        }),
        query,
        (candidates, q) => {
          const locales = localeFallbackChain(q.requested, q.defaultLocale);
          const a = selectTemplate(candidates, { ...q, locales });
          const b = selectTemplate([...candidates].reverse(), { ...q, locales });
          expect(a).toBe(b);
        },
      ),
    );
  });
});
