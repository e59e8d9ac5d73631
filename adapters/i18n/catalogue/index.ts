/**
 * The bundled catalogue: one i18next resource (namespace "otp") per locale, imported statically so
 * esbuild bundles every language into the Lambda and no file is read at run time.
 * The `satisfies` below makes a JSON file with a missing generic template fail the type-check.
 * Shape and conventions: ../README.md.
 */
import ar from './ar.json' with { type: 'json' };
import bg from './bg.json' with { type: 'json' };
import bn from './bn.json' with { type: 'json' };
import ca from './ca.json' with { type: 'json' };
import cs from './cs.json' with { type: 'json' };
import da from './da.json' with { type: 'json' };
import de from './de.json' with { type: 'json' };
import el from './el.json' with { type: 'json' };
import en from './en.json' with { type: 'json' };
import enAU from './en-AU.json' with { type: 'json' };
import enGB from './en-GB.json' with { type: 'json' };
import enIN from './en-IN.json' with { type: 'json' };
import es from './es.json' with { type: 'json' };
import esMX from './es-MX.json' with { type: 'json' };
import esUS from './es-US.json' with { type: 'json' };
import et from './et.json' with { type: 'json' };
import fi from './fi.json' with { type: 'json' };
import fr from './fr.json' with { type: 'json' };
import frCA from './fr-CA.json' with { type: 'json' };
import he from './he.json' with { type: 'json' };
import hi from './hi.json' with { type: 'json' };
import hr from './hr.json' with { type: 'json' };
import hu from './hu.json' with { type: 'json' };
import id from './id.json' with { type: 'json' };
import it from './it.json' with { type: 'json' };
import ja from './ja.json' with { type: 'json' };
import ko from './ko.json' with { type: 'json' };
import lt from './lt.json' with { type: 'json' };
import lv from './lv.json' with { type: 'json' };
import ms from './ms.json' with { type: 'json' };
import nb from './nb.json' with { type: 'json' };
import nl from './nl.json' with { type: 'json' };
import pl from './pl.json' with { type: 'json' };
import pt from './pt.json' with { type: 'json' };
import ptBR from './pt-BR.json' with { type: 'json' };
import ro from './ro.json' with { type: 'json' };
import ru from './ru.json' with { type: 'json' };
import sk from './sk.json' with { type: 'json' };
import sl from './sl.json' with { type: 'json' };
import sr from './sr.json' with { type: 'json' };
import srLatn from './sr-Latn.json' with { type: 'json' };
import sv from './sv.json' with { type: 'json' };
import ta from './ta.json' with { type: 'json' };
import th from './th.json' with { type: 'json' };
import tl from './tl.json' with { type: 'json' };
import tr from './tr.json' with { type: 'json' };
import uk from './uk.json' with { type: 'json' };
import vi from './vi.json' with { type: 'json' };
import zhHans from './zh-Hans.json' with { type: 'json' };
import zhHant from './zh-Hant.json' with { type: 'json' };

/**
 * The `{{expiry}}` phrases in i18next's own plural format (JSON v4): `<unit>_<CLDR category>` keys,
 * e.g. "minutes_one", "minutes_few", "hours_other", so `t("sms.expiry.minutes", { lng, count })` works.
 */
export type CatalogueExpiry = Readonly<Record<string, string>>;

export interface CatalogueChannel {
  readonly generic: string;
  readonly expiry: CatalogueExpiry;
  readonly enrollment?: string;
  readonly verification?: string;
  readonly 'account-unlock'?: string;
  readonly 'password-reset'?: string;
  /**
   * A temporary password (Cognito's AdminCreateUser), not a code: shown as issued, never called a code.
   * Never served by `generic`: a locale without it falls back to the default language's (see README).
   */
  readonly 'temporary-password'?: string;
}

/** Where Polly has no voice for the language, the call is spoken in `locale` instead, for `reason`. */
export interface VoiceFallback {
  readonly locale: string;
  readonly reason: string;
}

export interface CatalogueVoice extends CatalogueChannel {
  readonly voiceId: string;
  readonly voiceFallback?: VoiceFallback;
}

export interface CatalogueResource {
  readonly sms: CatalogueChannel;
  readonly voice: CatalogueVoice;
}

/** Keyed by canonical BCP 47 tag ("pt-BR", "zh-Hant"), the keys the locale fallback chain produces. */
export const CATALOGUE = {
  ar,
  bg,
  bn,
  ca,
  cs,
  da,
  de,
  el,
  en,
  'en-AU': enAU,
  'en-GB': enGB,
  'en-IN': enIN,
  es,
  'es-MX': esMX,
  'es-US': esUS,
  et,
  fi,
  fr,
  'fr-CA': frCA,
  he,
  hi,
  hr,
  hu,
  id,
  it,
  ja,
  ko,
  lt,
  lv,
  ms,
  nb,
  nl,
  pl,
  pt,
  'pt-BR': ptBR,
  ro,
  ru,
  sk,
  sl,
  sr,
  'sr-Latn': srLatn,
  sv,
  ta,
  th,
  tl,
  tr,
  uk,
  vi,
  'zh-Hans': zhHans,
  'zh-Hant': zhHant,
} as const satisfies Readonly<Record<string, CatalogueResource>>;

export type CatalogueLocale = keyof typeof CATALOGUE;
