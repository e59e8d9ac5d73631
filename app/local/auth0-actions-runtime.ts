import { createRequire } from 'node:module';

/**
 * What Auth0 hands a custom-phone-provider Action, built the way Auth0 documents it, so the shipped
 * Action source runs in Node exactly as pasted (`npm run send -- --idp auth0`, and the tests): the real file is loaded with require (it is CommonJS,
 * like an Action), given an `event` shaped like Auth0's sample event and an `api` whose cache keeps
 * Auth0's documented limits (key ≤ 64 bytes, string value ≤ 4 kB, ≤ 20 entries, ≤ 8 kB in all, lifetime
 * ≤ 24 h, 15 min by default).
 */
export type CustomPhoneProviderAction = (
  event: Auth0PhoneEvent,
  api: CustomPhoneProviderApi,
) => Promise<void>;

export const AUTH0_ACTION_FILE = new URL(
  '../../adapters/auth0/action/otp-courier-phone-provider.cjs',
  import.meta.url,
);

export function loadAuth0Action(): CustomPhoneProviderAction {
  const require = createRequire(import.meta.url);
  const module = require(AUTH0_ACTION_FILE.pathname) as {
    onExecuteCustomPhoneProvider?: CustomPhoneProviderAction;
  };
  if (typeof module.onExecuteCustomPhoneProvider !== 'function') {
    throw new Error('the Action file does not export onExecuteCustomPhoneProvider');
  }
  return module.onExecuteCustomPhoneProvider;
}

export interface CacheRecord {
  readonly value: string;
  readonly expires_at: number;
}

export type CacheWriteResult = { type: 'success' } | { type: 'error'; code: string };

const KEY_MAX_BYTES = 64;
const VALUE_MAX_BYTES = 4096;
const MAX_ENTRIES = 20;
const TOTAL_MAX_BYTES = 8192;
const MAX_LIFETIME_MS = 24 * 60 * 60 * 1000;
const DEFAULT_LIFETIME_MS = 15 * 60 * 1000;

/** api.cache as the Actions runtime documents it; time comes from `now`, so tests can move it. */
export class ActionsCache {
  private readonly entries = new Map<string, CacheRecord>();
  readonly writes: string[] = [];

  constructor(private readonly now: () => number = Date.now) {}

  get(key: string): CacheRecord | undefined {
    const record = this.entries.get(key);
    if (record && record.expires_at <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return record;
  }

  set(key: string, value: string, options: { ttl?: number; expires_at?: number } = {}): CacheWriteResult {
    if (typeof value !== 'string') return { type: 'error', code: 'INVALID_VALUE' };
    if (Buffer.byteLength(key) > KEY_MAX_BYTES) return { type: 'error', code: 'KEY_TOO_LARGE' };
    if (Buffer.byteLength(value) > VALUE_MAX_BYTES) return { type: 'error', code: 'VALUE_TOO_LARGE' };
    const now = this.now();
    const candidates = [now + MAX_LIFETIME_MS];
    if (options.ttl !== undefined) candidates.push(now + options.ttl);
    if (options.expires_at !== undefined) candidates.push(options.expires_at);
    if (options.ttl === undefined && options.expires_at === undefined)
      candidates.push(now + DEFAULT_LIFETIME_MS);
    const next = new Map(this.entries);
    next.set(key, { value, expires_at: Math.min(...candidates) });
    const total = [...next].reduce(
      (sum, [k, r]) => sum + Buffer.byteLength(k) + Buffer.byteLength(r.value),
      0,
    );
    if (next.size > MAX_ENTRIES || total > TOTAL_MAX_BYTES) return { type: 'error', code: 'LIMIT_EXCEEDED' };
    this.entries.set(key, next.get(key) as CacheRecord);
    this.writes.push(key);
    return { type: 'success' };
  }

  delete(key: string): CacheWriteResult {
    this.entries.delete(key);
    return { type: 'success' };
  }

  get size(): number {
    return this.entries.size;
  }

  /** The live entries, to keep between processes as Auth0 keeps its cache between executions. */
  toJSON(): Record<string, CacheRecord> {
    const now = this.now();
    return Object.fromEntries([...this.entries].filter(([, record]) => record.expires_at > now));
  }

  /** A cache holding what `toJSON` kept; anything malformed is left out. */
  static from(saved: unknown, now: () => number = Date.now): ActionsCache {
    const cache = new ActionsCache(now);
    if (typeof saved !== 'object' || saved === null) return cache;
    for (const [key, record] of Object.entries(saved as Record<string, unknown>)) {
      const r = record as Partial<CacheRecord> | null;
      if (typeof r?.value === 'string' && typeof r.expires_at === 'number') {
        cache.set(key, r.value, { expires_at: r.expires_at });
      }
    }
    cache.writes.length = 0;
    return cache;
  }
}

export interface CustomPhoneProviderApi {
  readonly cache: ActionsCache;
  readonly notification: { drop(reason?: string): void; retry(reason?: string): void };
}

/** The api object plus what the Action told Auth0 through api.notification (the last call counts). */
export function actionApi(cache = new ActionsCache()): CustomPhoneProviderApi & {
  readonly told: { intent: 'drop' | 'retry'; reason: string }[];
} {
  const told: { intent: 'drop' | 'retry'; reason: string }[] = [];
  return {
    cache,
    told,
    notification: {
      drop: (reason = '') => void told.push({ intent: 'drop', reason }),
      retry: (reason = '') => void told.push({ intent: 'retry', reason }),
    },
  };
}

export interface Auth0PhoneEvent {
  notification: {
    recipient: string;
    code?: string;
    delivery_method: string;
    message_type: string;
    locale?: string;
    as_text?: string;
    as_voice?: string;
    from?: string;
  };
  secrets: Record<string, string>;
  tenant: { id: string; friendly_name?: string };
  client: { client_id: string; name: string; metadata: Record<string, string> };
  user: Record<string, unknown>;
  request: Record<string, unknown>;
  [other: string]: unknown;
}

/**
 * Auth0's sample custom-phone-provider event (the @auth0/actions package's example), with the code,
 * number and secrets a test chooses. Auth0's sample recipient is "+1-808-555-5555": not bare E.164.
 */
export function auth0PhoneEvent(
  overrides: {
    /** `null`: a notification without a code, as Auth0 sends blocked_account and password_breach. */
    code?: string | null;
    recipient?: string;
    deliveryMethod?: string;
    messageType?: string;
    locale?: string;
    secrets?: Record<string, string>;
    tenant?: string;
    user?: Record<string, unknown>;
    requestLanguage?: string;
  } = {},
): Auth0PhoneEvent {
  if (overrides.code === null) {
    const event = auth0PhoneEvent({ ...overrides, code: '000000' });
    delete event.notification.code;
    event.notification.as_text = 'Your account was blocked after too many failed attempts.';
    event.notification.as_voice = 'Hello. Your account was blocked after too many failed attempts.';
    return event;
  }
  const code = overrides.code ?? '123456';
  const spoken = code.split('').join('. ');
  return {
    client: { name: 'All Applications', client_id: 'gmOWNgklfRm4tyl5YYnl3JDSJy19h1bR', metadata: {} },
    notification: {
      as_text: `${code} is your verification code for Friendly Tenant. Please enter this code to verify your enrollment.`,
      as_voice: `Hello. Your verification code for Friendly Tenant is ${spoken}. I repeat, ${spoken}.`,
      delivery_method: overrides.deliveryMethod ?? 'text',
      message_type: overrides.messageType ?? 'otp_verify',
      recipient: overrides.recipient ?? '+1-808-555-5555',
      code,
      locale: overrides.locale ?? 'en-US',
      from: '+1-808-555-2222',
    },
    request: {
      ip: '13.33.86.47',
      method: 'POST',
      hostname: 'tenant.auth0.com',
      language: overrides.requestLanguage ?? 'en',
      user_agent: 'curl/7.64.1',
      geoip: { countryCode: 'US', countryName: 'United States of America' },
    },
    tenant: { id: overrides.tenant ?? 'dev-tenant', friendly_name: 'Friendly Tenant' },
    transaction: { correlation_id: 'abcefg123' },
    user: overrides.user ?? {
      user_id: 'auth0|5f7c8ec7c33c6c004bbafe82',
      email: 'j+smith@example.com',
      given_name: 'John',
      family_name: 'Smith',
      phone_number: '+18085555555',
      phone_verified: true,
      app_metadata: {},
      user_metadata: {},
    },
    connection: { id: 'con_example', name: 'sms', strategy: 'sms', metadata: {} },
    secrets: overrides.secrets ?? {},
  };
}
