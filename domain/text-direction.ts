import { localeLanguage } from './locale';

export type TextDirection = 'ltr' | 'rtl';

// Used when the runtime's Intl has no text info (Node before 20): the right-to-left scripts' languages.
const RTL_LANGUAGES: ReadonlySet<string> = new Set([
  'ar',
  'arc',
  'ckb',
  'dv',
  'fa',
  'he',
  'iw',
  'ps',
  'sd',
  'ug',
  'ur',
  'yi',
]);

interface TextInfoLocale {
  readonly textInfo?: { readonly direction?: string };
  getTextInfo?(): { readonly direction?: string };
}

/**
 * The direction text in this locale is written in, so an editor and a phone preview show Arabic and
 * Hebrew right to left. CLDR knows the script (e.g. "az-Arab" is RTL, "az" is not); the list is the fallback.
 */
export function textDirection(locale: string): TextDirection {
  try {
    const intl = new Intl.Locale(locale).maximize() as unknown as TextInfoLocale;
    const direction = intl.getTextInfo?.().direction ?? intl.textInfo?.direction;
    if (direction === 'rtl' || direction === 'ltr') return direction;
  } catch {
    // Not a locale: fall through to the list.
  }
  return RTL_LANGUAGES.has(localeLanguage(locale) ?? '') ? 'rtl' : 'ltr';
}
