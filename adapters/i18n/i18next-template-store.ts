import i18next, { type i18n } from 'i18next';
import { injectable } from 'inversify';
import { CHANNELS, type Channel, PURPOSES } from '../../domain/delivery-request';
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
      // The domain owns fallback (locale chain × purpose); i18next must not substitute another language.
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

function readTemplate(
  i18n: i18n,
  locale: string,
  channel: Channel,
  purpose: TemplatePurpose,
): MessageTemplate | undefined {
  const body: unknown = i18n.getResource(locale, NAMESPACE, `${channel}.${purpose}`);
  if (typeof body !== 'string') return undefined;
  if (channel === 'sms') return { locale, channel, purpose, body, source: 'catalogue' };
  const voiceId: unknown = i18n.getResource(locale, NAMESPACE, 'voice.voiceId');
  return {
    locale,
    channel,
    purpose,
    body,
    source: 'catalogue',
    ...(typeof voiceId === 'string' ? { voiceId } : {}),
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
 * The language a bundled voice template is written and spoken in: its own locale, or the declared
 * fallback (e.g. "hi" voice calls are in Indian English).
 */
export function spokenLocale(template: MessageTemplate): string {
  if (template.channel !== 'voice' || template.source !== 'catalogue') return template.locale;
  return bundledVoiceFallback(template.locale)?.locale ?? template.locale;
}
