import { acceptsGenericTemplate, type Channel, type DeliveryRequest, type Purpose } from './delivery-request';
import { localeLanguage, normaliseLocale } from './locale';
import type { MessageTemplate, TemplateSource } from './message-template';
import { templateProblems } from './template-validation';

export interface TemplateSelectionQuery {
  /** The locale fallback chain, most specific first (see localeFallbackChain). */
  readonly locales: readonly string[];
  readonly defaultLocale: string;
  readonly purpose: Purpose;
  readonly channel: Channel;
  /**
   * The IdP's own rendered message as a template (SMS only), tried before the default language. May be
   * given as a function: it is then built only when selection gets that far, which is rare.
   */
  readonly idpTemplate?: MessageTemplate | (() => MessageTemplate | undefined);
  /**
   * The same, as the request whose message it is and the locale to give it (idpMessageAsTemplate): built
   * only when selection gets that far, without a closure per request from the caller.
   */
  readonly idpMessageOf?: { readonly request: DeliveryRequest; readonly locale: string };
}

// Operators' DynamoDB templates override the bundled catalogue.
const SOURCE_RANK: Readonly<Record<TemplateSource, number>> = { dynamodb: 0, catalogue: 1, idp: 2 };

function localeKey(locale: string): string {
  return (normaliseLocale(locale) ?? locale).toLowerCase();
}

function rank(t: MessageTemplate, purpose: Purpose): [number, number, number] {
  return [SOURCE_RANK[t.source] ?? 3, t.purpose === purpose ? 0 : 1, -(t.version ?? 0)];
}

function compareRanks(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i += 1) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function bestFor(
  locale: string,
  candidates: readonly MessageTemplate[],
  purpose: Purpose,
): MessageTemplate | undefined {
  const key = localeKey(locale);
  let best: MessageTemplate | undefined;
  for (const t of candidates) {
    if (localeKey(t.locale) !== key) continue;
    if (best === undefined || compareRanks(rank(t, purpose), rank(best, purpose)) < 0) best = t;
  }
  return best;
}

/**
 * Picks the template to send: the user's own locales first (DynamoDB over catalogue, purpose-specific over
 * generic), then the IdP's rendered message (it is at least in the user's language), and only then the
 * default language. When the user asked for the default language itself, its entries count as the
 * user's own and come before the IdP's message.
 */
export function selectTemplate(
  candidates: readonly MessageTemplate[],
  q: TemplateSelectionQuery,
): MessageTemplate | undefined {
  const generic = acceptsGenericTemplate(q.purpose);
  const usable = candidates.filter(
    (t) => t.channel === q.channel && ((generic && t.purpose === 'generic') || t.purpose === q.purpose),
  );
  const defaultLanguage = localeLanguage(q.defaultLocale) ?? 'en';
  const askedForDefault = q.locales.length > 0 && localeLanguage(q.locales[0] ?? '') === defaultLanguage;
  // The chain walked twice (the user's own languages, then the default one) without a filtered copy
  // or a closure each: this runs on every request.
  for (const locale of q.locales) {
    if (isDefaultLanguage(locale, askedForDefault, defaultLanguage)) continue;
    const found = bestFor(locale, usable, q.purpose);
    if (found) return found;
  }
  const idp = idpTemplateOf(q);
  if (q.channel === 'sms' && idp?.channel === 'sms' && generic) return idp;
  for (const locale of q.locales) {
    if (!isDefaultLanguage(locale, askedForDefault, defaultLanguage)) continue;
    const found = bestFor(locale, usable, q.purpose);
    if (found) return found;
  }
  return undefined;
}

function isDefaultLanguage(locale: string, askedForDefault: boolean, defaultLanguage: string): boolean {
  return !askedForDefault && localeLanguage(locale) === defaultLanguage;
}

function idpTemplateOf(q: TemplateSelectionQuery): MessageTemplate | undefined {
  if (q.idpMessageOf) return idpMessageAsTemplate(q.idpMessageOf.request, q.idpMessageOf.locale);
  return typeof q.idpTemplate === 'function' ? q.idpTemplate() : q.idpTemplate;
}

/**
 * Okta's msgTemplate arrives already rendered ("Your code is 11111"). When it contains the request's code
 * exactly once, turning the code back into {{code}} makes it a last-resort SMS template in the user's
 * language. Braces are neutralised so nothing else in it can act as a placeholder.
 */
export function idpMessageAsTemplate(request: DeliveryRequest, locale: string): MessageTemplate | undefined {
  const message = request.idpMessage;
  const code = request.code;
  if (typeof message !== 'string' || typeof code !== 'string' || !/^\d+$/.test(code)) return undefined;
  const at = message.indexOf(code);
  // Exactly one occurrence, counting overlaps ("1111" in "11111"), and not part of a longer number.
  if (at < 0 || message.indexOf(code, at + 1) >= 0) return undefined;
  const before = message.charAt(at - 1);
  const after = message.charAt(at + code.length);
  if (/\d/.test(before) || /\d/.test(after)) return undefined;

  const neutralise = (s: string) => s.replaceAll('{', '(').replaceAll('}', ')');
  const template: MessageTemplate = {
    locale,
    channel: 'sms',
    purpose: 'generic',
    source: 'idp',
    body: `${neutralise(message.slice(0, at))}{{code}}${neutralise(message.slice(at + code.length))}`,
  };
  return templateProblems(template).length === 0 ? template : undefined;
}
