import type { CountryCode } from 'libphonenumber-js';
import type { DeliverySettings } from '../delivery-settings';
import type { HookSettings } from '../hook-settings';
import { ConfigError, type Env, integer, localeTag, phoneRegion, readEnv, text } from './env-readers';

/** Settings shared by the Lambda and the local stack: branding, language, deadline. */
export function loadDeliveryConfig(env: Env): { delivery: DeliverySettings; hook: HookSettings } {
  const raw = readEnv(env, {
    BRAND_NAME: text('otp-courier'),
    DEFAULT_LOCALE: localeTag('en'),
    DEFAULT_PHONE_REGION: phoneRegion(),
    DEADLINE_MS: integer(2500, 500, 2900),
    FAILURE_PATH_RESERVE_MS: integer(300, 50, 1000),
    MAX_BODY_BYTES: integer(16 * 1024, 1024, 256 * 1024),
    AUTH0_CODE_VALIDITY_MINUTES: integer(5, 1, 60),
  });
  const brand = raw.BRAND_NAME ?? 'otp-courier';
  // Any numeral (² ① Ⅻ too): the rendered brand drops them, so a brand with one would not read as configured.
  if (brand.length > 20 || /[\p{N}{}<>&]/u.test(brand)) {
    throw new ConfigError([
      'BRAND_NAME must be at most 20 characters (it costs SMS characters), without digits or other numerals, braces or <>&',
    ]);
  }
  if (raw.FAILURE_PATH_RESERVE_MS >= raw.DEADLINE_MS) {
    throw new ConfigError(['FAILURE_PATH_RESERVE_MS must be smaller than DEADLINE_MS']);
  }
  return {
    delivery: {
      brand,
      defaultLocale: Intl.getCanonicalLocales(raw.DEFAULT_LOCALE ?? 'en')[0] ?? 'en',
      failurePathReserveMs: raw.FAILURE_PATH_RESERVE_MS,
      expirySkewMs: 30_000,
    },
    hook: {
      defaultPhoneRegion: raw.DEFAULT_PHONE_REGION as CountryCode,
      maxBodyBytes: raw.MAX_BODY_BYTES,
      deadlineMs: raw.DEADLINE_MS,
      auth0CodeValidityMinutes: raw.AUTH0_CODE_VALIDITY_MINUTES,
    },
  };
}
