import i18next, { type i18n } from 'i18next';
import { injectable } from 'inversify';
import { CHANNELS, type Channel, PURPOSES } from '../../domain/delivery-request';
import type { ExpiryForms } from '../../domain/expiry-phrase';
import type { MessageTemplate, TemplatePurpose } from '../../domain/message-template';
import type { TemplateQuery, TemplateStore } from '../../ports/template-store';
import { CATALOGUE, type CatalogueResource, type VoiceFallback } from './catalogue/index';

const NAMESPACE = 'otp';
const TEMPLATE_PURPOSES: readonly TemplatePurpose[] = ['generic', ...PURPOSES];

// Built once per process (per warm Lambda): init with bundled resources and initAsync false is synchronous.
let instance: i18n | undefined;

function catalogueI18n(): i18n {
  if (instance === undefined) {
    const created = i18next.createInstance();
    created.init({
      resources: Object.fromEntries(
        Object.entries(CATALOGUE).map(([locale, resource]) => [locale, { [NAMESPACE]: resource }]),
      ),
      ns: [NAMESPACE],
      defaultNS: NAMESPACE,
      // One fallback mechanism: the domain's locale chain (domain/locale.ts). It spans every template
      // source (DynamoDB, this catalogue, the IdP's own text), knows scripts (zh-TW → zh-Hant, never
      // sr-Latn → sr) and aliases (tl/fil, nb/no), and ranks purpose-specific over generic per locale;
      // i18next's fallbackLng would only see this catalogue. So i18next never substitutes a language.
      fallbackLng: false,
      initAsync: false,
      // Placeholders are rendered by the domain, which escapes for SSML; i18next only stores text.
      interpolation: { escapeValue: false },
    });
    instance = created;
  }
  return instance;
}

// Chains are canonical already; matching case-insensitively also tolerates "pt-br" from an operator.
const CANONICAL_LOCALE: ReadonlyMap<string, string> = new Map(
  Object.keys(CATALOGUE).map((locale) => [locale.toLowerCase(), locale]),
);

/**
 * i18next's plural keys ("minutes_one", "hours_few") as the domain's phrases per unit and category
 * ({ minutes: { one }, hours: { few } }). Keys are split, not filtered: a typo such as "minutes_fwe"
 * reaches validation (and fails the catalogue lint) instead of silently vanishing.
 */
export function expiryFromI18nextKeys(resource: unknown): ExpiryForms | undefined {
  if (typeof resource !== 'object' || resource === null) return undefined;
  const forms: Record<string, Record<string, unknown>> = {};
  for (const [key, phrase] of Object.entries(resource)) {
    const separator = key.lastIndexOf('_');
    const unit = separator < 0 ? key : key.slice(0, separator);
    const category = separator < 0 ? '' : key.slice(separator + 1);
    forms[unit] = { ...forms[unit], [category]: phrase };
  }
  // The shape is the domain's to check (expiryProblems); this only regroups the keys.
  return forms as ExpiryForms;
}

function readTemplate(
  i18n: i18n,
  locale: string,
  channel: Channel,
  purpose: TemplatePurpose,
): MessageTemplate | undefined {
  const body: unknown = i18n.getResource(locale, NAMESPACE, `${channel}.${purpose}`);
  if (typeof body !== 'string') return undefined;
  const expiry = expiryFromI18nextKeys(i18n.getResource(locale, NAMESPACE, `${channel}.expiry`));
  const common = {
    locale,
    channel,
    purpose,
    body,
    source: 'catalogue' as const,
    ...(expiry ? { expiry } : {}),
  };
  if (channel === 'sms') return common;
  const voiceId: unknown = i18n.getResource(locale, NAMESPACE, 'voice.voiceId');
  const fallback = bundledVoiceFallback(locale);
  return {
    ...common,
    ...(typeof voiceId === 'string' ? { voiceId } : {}),
    // Plural forms and spoken numbers follow the language the call is spoken in.
    ...(fallback ? { language: fallback.locale } : {}),
  };
}

/** Templates bundled with the code: the last store consulted before the IdP's own text. */
@injectable()
export class I18nextTemplateStore implements TemplateStore {
  private readonly i18n = catalogueI18n();

  async find(query: TemplateQuery): Promise<readonly MessageTemplate[]> {
    const found: MessageTemplate[] = [];
    const locales = new Set(query.locales.flatMap((l) => CANONICAL_LOCALE.get(l.toLowerCase()) ?? []));
    const purposes = new Set(query.purposes);
    for (const locale of locales) {
      for (const purpose of purposes) {
        const template = this.read(locale, query.channel, purpose);
        if (template !== undefined) found.push(template);
      }
    }
    return found;
  }

  // The catalogue never changes while the process runs and has a few hundred entries: each one is
  // read from i18next once, and every later request gets the same frozen object.
  private readonly read = (() => {
    const memo = new Map<string, MessageTemplate | undefined>();
    return (locale: string, channel: Channel, purpose: TemplatePurpose): MessageTemplate | undefined => {
      const key = `${locale}|${channel}|${purpose}`;
      if (!memo.has(key)) {
        const template = readTemplate(this.i18n, locale, channel, purpose);
        memo.set(key, template && Object.freeze(template));
      }
      return memo.get(key);
    };
  })();
}

/** The locales the catalogue holds, canonical BCP 47. */
export function bundledLocales(): string[] {
  return Object.keys(CATALOGUE);
}

/** Every bundled template, every locale × channel × purpose present: for seeding a table and for linting. */
export function bundledTemplates(): MessageTemplate[] {
  const i18n = catalogueI18n();
  return bundledLocales().flatMap((locale) =>
    CHANNELS.flatMap((channel) =>
      TEMPLATE_PURPOSES.flatMap((purpose) => readTemplate(i18n, locale, channel, purpose) ?? []),
    ),
  );
}

/** The declared voice fallback of a bundled locale, when Polly has no voice for its language. */
export function bundledVoiceFallback(locale: string): VoiceFallback | undefined {
  const key = CANONICAL_LOCALE.get(locale.toLowerCase());
  if (key === undefined) return undefined;
  return (CATALOGUE as Readonly<Record<string, CatalogueResource>>)[key]?.voice.voiceFallback;
}

/**
 * The language a voice template is written and spoken in: its declared language (bundled templates
 * declare their voice fallback, e.g. "hi" voice calls are in Indian English), else its locale.
 */
export function spokenLocale(template: MessageTemplate): string {
  return template.language ?? template.locale;
}
