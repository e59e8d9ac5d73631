import type { Channel, Purpose } from './delivery-request';
import { localeFallbackChain, normaliseLocale } from './locale';
import type { MessageTemplate } from './message-template';
import { selectTemplate } from './template-selection';

/**
 * How a request in one locale is served, from the user's point of view:
 *   exact     a template written for that very locale;
 *   related   one of the same language further up the chain ("pt" for "pt-BR");
 *   idp       SMS only: nothing in the language, so the IdP's own text if it sent one, else `fallback`;
 *   fallback  nothing in the language: the default language's template;
 *   none      nothing at all: the request cannot be served.
 * The last three are missing coverage.
 */
export type CoverageKind = 'exact' | 'related' | 'idp' | 'fallback' | 'none';

export interface CoverageCell {
  readonly locale: string;
  readonly channel: Channel;
  readonly purpose: Purpose;
  readonly kind: CoverageKind;
  /** The template that would be sent (for `idp`: the one sent when the IdP sends no text of its own). */
  readonly template?: MessageTemplate;
  /** The locale fallback chain that was searched, most specific first. */
  readonly chain: readonly string[];
}

export function isMissingCoverage(kind: CoverageKind): boolean {
  return kind === 'idp' || kind === 'fallback' || kind === 'none';
}

// Stands for whatever localised text the IdP sends; selectTemplate only looks at its channel.
const IDP_STAND_IN: MessageTemplate = {
  locale: 'und',
  channel: 'sms',
  purpose: 'generic',
  source: 'idp',
  body: '{{code}}',
};

/** What a request for `locale` on `channel` for `purpose` is served, by the same selection the hook runs. */
export function coverageOf(
  candidates: readonly MessageTemplate[],
  request: { readonly locale: string; readonly channel: Channel; readonly purpose: Purpose },
  defaultLocale: string,
): CoverageCell {
  const chain = localeFallbackChain(request.locale, defaultLocale);
  const query = { locales: chain, defaultLocale, purpose: request.purpose, channel: request.channel };
  const withIdp = selectTemplate(candidates, { ...query, idpTemplate: IDP_STAND_IN });
  const template = withIdp?.source === 'idp' ? selectTemplate(candidates, query) : withIdp;
  const base = { ...request, chain, ...(template ? { template } : {}) };
  if (withIdp === undefined) return { ...base, kind: 'none' };
  if (withIdp.source === 'idp') return { ...base, kind: 'idp' };
  const asked = (normaliseLocale(request.locale) ?? request.locale).toLowerCase();
  if (withIdp.locale.toLowerCase() === asked) return { ...base, kind: 'exact' };
  // The locale's own chain, without the default language's: "nb" for "no", "zh-Hant" for "zh-TW".
  const own = new Set(
    normaliseLocale(request.locale) === undefined
      ? []
      : localeFallbackChain(request.locale, request.locale).map((l) => l.toLowerCase()),
  );
  return { ...base, kind: own.has(withIdp.locale.toLowerCase()) ? 'related' : 'fallback' };
}
