import type { SenderTable, TwilioCredentials } from '../../adapters/twilio/twilio-sender';
import { ConfigError, type Env, integer, readEnv, text } from './env-readers';

/** Where the Twilio credentials come from: Secrets Manager in AWS, the environment locally. */
export type TwilioCredentialSource =
  | { readonly kind: 'secrets-manager'; readonly secretId: string }
  | { readonly kind: 'environment'; readonly credentials: TwilioCredentials };

export interface TwilioConfig {
  readonly credentials: TwilioCredentialSource;
  readonly apiUrl: string;
  readonly sms?: SenderTable;
  readonly voice?: SenderTable;
  readonly statusCallbackUrl?: string;
  readonly connectTimeoutMs: number;
}

export const TWILIO_API_URL = 'https://api.twilio.com';

const ACCOUNT_SID = /^AC[0-9a-fA-F]{32}$/;
const API_KEY_SID = /^SK[0-9a-fA-F]{32}$/;
const LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost']);

/**
 * Twilio's settings, or undefined when Twilio is not configured (neither TWILIO_CREDENTIALS_SECRET_ARN nor
 * TWILIO_ACCOUNT_SID set): then it is left out of every route. Credentials come from exactly one place;
 * both set is refused, as is plain http anywhere but loopback (the credentials travel in every request).
 * Problems never quote a credential.
 */
export function loadTwilioConfig(env: Env): TwilioConfig | undefined {
  const raw = readEnv(env, {
    TWILIO_CREDENTIALS_SECRET_ARN: text(),
    TWILIO_ACCOUNT_SID: text(),
    TWILIO_AUTH_TOKEN: text(),
    TWILIO_API_KEY_SID: text(),
    TWILIO_API_KEY_SECRET: text(),
    TWILIO_SMS_FROM: text(),
    TWILIO_VOICE_FROM: text(),
    TWILIO_API_URL: text(TWILIO_API_URL),
    TWILIO_STATUS_CALLBACK_URL: text(),
    TWILIO_CONNECT_TIMEOUT_MS: integer(500, 50, 2_000),
  });
  const fromEnvironment = raw.TWILIO_ACCOUNT_SID !== undefined;
  if (!raw.TWILIO_CREDENTIALS_SECRET_ARN && !fromEnvironment) return undefined;
  const problems: string[] = [];
  if (raw.TWILIO_CREDENTIALS_SECRET_ARN && fromEnvironment) {
    problems.push(
      'Twilio credentials are configured twice: set TWILIO_CREDENTIALS_SECRET_ARN (AWS) or TWILIO_ACCOUNT_SID with its token (local), not both',
    );
  }
  let credentials: TwilioCredentialSource | undefined;
  if (raw.TWILIO_CREDENTIALS_SECRET_ARN) {
    credentials = { kind: 'secrets-manager', secretId: raw.TWILIO_CREDENTIALS_SECRET_ARN };
  } else {
    try {
      credentials = {
        kind: 'environment',
        credentials: checkCredentials({
          accountSid: raw.TWILIO_ACCOUNT_SID,
          authToken: raw.TWILIO_AUTH_TOKEN,
          apiKeySid: raw.TWILIO_API_KEY_SID,
          apiKeySecret: raw.TWILIO_API_KEY_SECRET,
        }),
      };
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.problems.map((p) => `TWILIO_* environment: ${p}`));
    }
  }
  const sms = sendersOf('TWILIO_SMS_FROM', raw.TWILIO_SMS_FROM, problems);
  const voice = sendersOf('TWILIO_VOICE_FROM', raw.TWILIO_VOICE_FROM, problems);
  if (!sms && !voice)
    problems.push('Twilio is configured but neither TWILIO_SMS_FROM nor TWILIO_VOICE_FROM is set');
  const callerIds = voice
    ? [...Object.values(voice.byCountry), ...(voice.fallback ? [voice.fallback] : [])]
    : [];
  if (callerIds.some((sender) => !/^\+[1-9]\d{6,14}$/.test(sender))) {
    problems.push('TWILIO_VOICE_FROM senders must be phone numbers (E.164): calls need a caller id');
  }
  const apiUrl = raw.TWILIO_API_URL ?? TWILIO_API_URL;
  if (!isSafeUrl(apiUrl))
    problems.push('TWILIO_API_URL must be https:// (http:// only on 127.0.0.1, ::1 or localhost)');
  if (raw.TWILIO_STATUS_CALLBACK_URL && !isSafeUrl(raw.TWILIO_STATUS_CALLBACK_URL)) {
    problems.push('TWILIO_STATUS_CALLBACK_URL must be https:// (http:// only on loopback)');
  }
  if (problems.length > 0 || !credentials) throw new ConfigError([...new Set(problems)]);
  return {
    credentials,
    apiUrl,
    ...(sms ? { sms } : {}),
    ...(voice ? { voice } : {}),
    ...(raw.TWILIO_STATUS_CALLBACK_URL ? { statusCallbackUrl: raw.TWILIO_STATUS_CALLBACK_URL } : {}),
    connectTimeoutMs: raw.TWILIO_CONNECT_TIMEOUT_MS,
  };
}

/**
 * The credentials in a Secrets Manager secret's JSON: {"accountSid", "authToken"} or {"accountSid",
 * "apiKeySid", "apiKeySecret"}. Throws ConfigError naming the fields that are wrong, never their values.
 */
export function parseTwilioSecret(secret: string): TwilioCredentials {
  const fields = secretFields(secret);
  const str = (key: string) => (typeof fields[key] === 'string' ? (fields[key] as string) : undefined);
  return checkCredentials({
    accountSid: str('accountSid'),
    authToken: str('authToken'),
    apiKeySid: str('apiKeySid'),
    apiKeySecret: str('apiKeySecret'),
  });
}

/**
 * The token Twilio signs webhooks with (X-Twilio-Signature): the account's auth token, from the same secret
 * as the credentials. A secret that holds an API key for the REST calls (Twilio's advice) adds the auth
 * token as "webhookAuthToken": an API key cannot check a signature. Never quoted in an error.
 */
export function parseTwilioSigningToken(secret: string): string {
  const fields = secretFields(secret);
  const token = fields.webhookAuthToken ?? fields.authToken;
  if (typeof token !== 'string' || token === '') {
    throw new ConfigError([
      'the Twilio secret has no auth token to check status callback signatures with: add "webhookAuthToken" (or use "authToken")',
    ]);
  }
  return token;
}

function checkCredentials(fields: {
  accountSid?: string | undefined;
  authToken?: string | undefined;
  apiKeySid?: string | undefined;
  apiKeySecret?: string | undefined;
}): TwilioCredentials {
  const problems: string[] = [];
  if (!fields.accountSid || !ACCOUNT_SID.test(fields.accountSid)) {
    problems.push('the account SID must be "AC" and 32 hex digits');
  }
  const apiKey = fields.apiKeySid !== undefined || fields.apiKeySecret !== undefined;
  if (apiKey && fields.authToken) problems.push('give an auth token or an API key, not both');
  if (apiKey) {
    if (!fields.apiKeySid || !API_KEY_SID.test(fields.apiKeySid))
      problems.push('the API key SID must be "SK" and 32 hex digits');
    if (!fields.apiKeySecret) problems.push('the API key secret is missing');
  } else if (!fields.authToken) {
    problems.push('the auth token (or an API key SID and secret) is missing');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return apiKey
    ? {
        accountSid: fields.accountSid as string,
        apiKeySid: fields.apiKeySid as string,
        apiKeySecret: fields.apiKeySecret as string,
      }
    : { accountSid: fields.accountSid as string, authToken: fields.authToken as string };
}

/** "US=+15005550006,GB=Acme,*=MG…" → per-country senders and a fallback ("*"). */
function sendersOf(name: string, value: string | undefined, problems: string[]): SenderTable | undefined {
  if (!value) return undefined;
  const byCountry: Record<string, string> = {};
  let fallback: string | undefined;
  for (const pair of value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)) {
    const match = /^([A-Za-z]{2}|\*)=(\S+)$/.exec(pair);
    if (!match?.[1] || !match[2]) {
      problems.push(
        `${name} entries must look like US=+15005550006 or *=MG0123… (one per country, * for the rest)`,
      );
      continue;
    }
    if (match[1] === '*') fallback = match[2];
    else byCountry[match[1].toUpperCase()] = match[2];
  }
  return { byCountry, ...(fallback ? { fallback } : {}) };
}

function isSafeUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname));
  } catch {
    return false;
  }
}

/** The Twilio secret's JSON object; a secret that is not JSON is a ConfigError that never quotes it. */
function secretFields(secret: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(secret);
  } catch {
    throw new ConfigError(['the Twilio secret is not JSON']);
  }
  return (value ?? {}) as Record<string, unknown>;
}
