import type { TwilioCredentials } from '../../adapters/twilio/twilio-sender';
import { TwilioSender } from '../../adapters/twilio/twilio-sender';
import type { Clock } from '../../ports/clock';
import type { Logger } from '../../ports/logger';
import type { MessageProvider } from '../../ports/message-provider';
import type { SecretSource } from '../../ports/secret-source';
import { CachedSecret } from '../cached-secret';
import { loadRoutingConfig } from '../config/routing-config';
import { parseTwilioSecret, type TwilioConfig } from '../config/twilio-config';
import { ProviderRouter } from '../provider-router';

/**
 * The message sender every entry point uses: the router over the providers this deployment configured,
 * keyed by their name in the route table (config/message-routes.json). Adding a provider is an adapter
 * folder, its entry here where the providers are built, and its name in the route table.
 */
export function routedSender(
  providers: Readonly<Record<string, MessageProvider>>,
  clock: Clock,
  logger: Logger,
  table?: unknown,
): ProviderRouter {
  const routing = loadRoutingConfig(Object.keys(providers), ...(table === undefined ? [] : [table]));
  return new ProviderRouter(
    Object.entries(providers).map(([slot, provider]) => ({
      slot,
      provider,
      policy: routing.policies[slot] as NonNullable<(typeof routing.policies)[string]>,
    })),
    { routes: routing.routes, minAttemptMs: routing.minAttemptMs },
    clock,
    logger,
  );
}

/** How long the Twilio secret may take to arrive, and how soon a failed read is tried again. */
export interface TwilioSecretBounds {
  readonly timeoutMs: number;
  readonly retryAfterMs: number;
}

/**
 * The Twilio provider. Credentials come from the environment (local), or from Secrets Manager through
 * `secrets` — read once per cold start, starting now, bounded, and read again only after a failure.
 */
export function twilioProvider(
  config: TwilioConfig,
  deps: {
    readonly clock: Clock;
    readonly secrets?: () => Promise<SecretSource>;
    readonly secretBounds?: TwilioSecretBounds;
    readonly apiUrl?: string;
    /** Overrides the configured StatusCallback with one known only later (the local stack's port). */
    readonly statusCallbackUrl?: () => string | undefined;
  },
): TwilioSender {
  let credentials: (options: { signal?: AbortSignal }) => Promise<TwilioCredentials>;
  const source = config.credentials;
  if (source.kind === 'environment') {
    const value = source.credentials;
    credentials = async () => value;
  } else {
    const secrets = deps.secrets;
    if (!secrets) throw new Error('Twilio credentials are in Secrets Manager but no secret source was given');
    const bounds = deps.secretBounds ?? { timeoutMs: 1_500, retryAfterMs: 1_000 };
    const cached = new CachedSecret(
      async (signal) => parseTwilioSecret(await (await secrets()).read(source.secretId, { signal })),
      { ...bounds, clock: deps.clock },
    ).prefetch();
    credentials = (options) => cached.get(options);
  }
  return new TwilioSender({
    apiUrl: deps.apiUrl ?? config.apiUrl,
    credentials,
    ...(config.sms ? { sms: config.sms } : {}),
    ...(config.voice ? { voice: config.voice } : {}),
    ...(deps.statusCallbackUrl
      ? { statusCallbackUrl: deps.statusCallbackUrl }
      : config.statusCallbackUrl
        ? { statusCallbackUrl: config.statusCallbackUrl }
        : {}),
    connectTimeoutMs: config.connectTimeoutMs,
    now: () => deps.clock.now(),
  });
}
