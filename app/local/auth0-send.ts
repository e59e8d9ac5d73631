import { randomInt } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Channel } from '../../domain/delivery-request';
import { ActionsCache, actionApi, auth0PhoneEvent, loadAuth0Action } from './auth0-actions-runtime';
import { DEV_AUTH0_AUDIENCE, DEV_AUTH0_CLIENT_ID, DEV_AUTH0_CLIENT_SECRET } from './dev-issuer';

/** Where `npm run send -- --idp auth0` keeps the Action's api.cache between runs, as Auth0 keeps it. */
export const AUTH0_ACTION_CACHE_FILE = 'auth0-action-cache.json';

export const AUTH0_MESSAGE_TYPES = [
  'otp_verify',
  'otp_enroll',
  'change_password',
  'blocked_account',
  'password_breach',
] as const;

export interface Auth0SendOptions {
  /** The local stack's base URL: both the Auth0 tenant stand-in and otp-courier. */
  readonly base: string;
  readonly dataDir: string;
  readonly channel: Channel;
  readonly messageType: string;
  readonly locale: string;
  readonly phone: string;
  readonly code?: string;
  readonly firstName?: string;
  /** OTP_COURIER_BUDGET_MS for the Action. */
  readonly budgetMs?: number;
  /** Overrides, e.g. another OTP_COURIER_URL or real tenant credentials. */
  readonly secrets?: Readonly<Record<string, string>>;
}

export interface Auth0SendResult {
  readonly ok: boolean;
  readonly ms: number;
  readonly token: 'cached' | 'fetched' | 'none';
  /** What the Action told Auth0 through api.notification, when it did. */
  readonly told?: { readonly intent: 'drop' | 'retry'; readonly reason: string };
  readonly error?: string;
}

/**
 * Plays Auth0: runs the shipped Action file, as pasted into Auth0, with an Auth0-shaped event and api
 * object, against the local stack (its /oauth/token stands in for the tenant, its /auth0/phone-message
 * is the route behind the Auth0 authorizer). api.cache is kept in the data dir between runs, so a second
 * run reuses the token as Auth0 would.
 */
export async function sendAsAuth0(options: Auth0SendOptions): Promise<Auth0SendResult> {
  const cacheFile = join(options.dataDir, AUTH0_ACTION_CACHE_FILE);
  const cache = ActionsCache.from(await readJson(cacheFile));
  const hadToken = cache.size > 0;
  const api = actionApi(cache);
  // Auth0 sends these two as notices, without a code: otp-courier refuses them, as it would in production.
  const codeless = options.messageType === 'blocked_account' || options.messageType === 'password_breach';
  const event = auth0PhoneEvent({
    code: options.code ?? (codeless ? null : String(randomInt(0, 1_000_000)).padStart(6, '0')),
    recipient: options.phone,
    deliveryMethod: options.channel === 'voice' ? 'voice' : 'text',
    messageType: options.messageType,
    locale: options.locale,
    user: { given_name: options.firstName ?? 'Alex', user_metadata: {} },
    secrets: {
      AUTH0_DOMAIN: options.base,
      AUTH0_CLIENT_ID: DEV_AUTH0_CLIENT_ID,
      AUTH0_CLIENT_SECRET: DEV_AUTH0_CLIENT_SECRET,
      OTP_COURIER_AUDIENCE: DEV_AUTH0_AUDIENCE,
      OTP_COURIER_URL: options.base,
      ...(options.budgetMs !== undefined ? { OTP_COURIER_BUDGET_MS: String(options.budgetMs) } : {}),
      ...options.secrets,
    },
  });
  const action = loadAuth0Action();
  const started = performance.now();
  let error: string | undefined;
  try {
    await action(event, api);
  } catch (thrown) {
    error = thrown instanceof Error ? thrown.message : String(thrown);
  }
  const ms = Math.round(performance.now() - started);
  await mkdir(options.dataDir, { recursive: true });
  await writeFile(cacheFile, JSON.stringify(cache), { mode: 0o600 });
  const told = api.told.at(-1);
  return {
    ok: error === undefined,
    ms,
    token: cache.writes.length > 0 ? 'fetched' : hadToken && cache.size > 0 ? 'cached' : 'none',
    ...(told ? { told } : {}),
    ...(error !== undefined ? { error } : {}),
  };
}

async function readJson(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8'));
  } catch {
    return undefined;
  }
}
