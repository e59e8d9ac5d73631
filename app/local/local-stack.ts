import { mkdir, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbIdempotencyStore } from '../../adapters/dynamodb/dynamodb-idempotency-store';
import { DynamoDbRateCounterStore } from '../../adapters/dynamodb/dynamodb-rate-counter-store';
import { DynamoDbTemplateStore } from '../../adapters/dynamodb/dynamodb-template-store';
import { ensureIdempotencyTable } from '../../adapters/dynamodb/idempotency-table';
import { ensureTemplateTable } from '../../adapters/dynamodb/template-table';
import {
  EncryptionSdkDecrypter,
  rawAesKeyring,
} from '../../adapters/encryption-sdk/encryption-sdk-decrypter';
import { END_USER_MESSAGING_PROVIDER } from '../../adapters/end-user-messaging/end-user-messaging-sender';
import { bundledTemplates } from '../../adapters/i18n/i18next-template-store';
import { AesGcmSecretSealer } from '../../adapters/local/aes-gcm-secret-sealer';
import { HmacFingerprinter } from '../../adapters/local/hmac-fingerprinter';
import { JsonlDeadLetterQueue } from '../../adapters/local/jsonl-dead-letter-queue';
import { OutboxMessageSender } from '../../adapters/local/outbox-message-sender';
import { SystemClock } from '../../adapters/local/system-clock';
import { PowertoolsLoggerAdapter } from '../../adapters/powertools/powertools-logger';
import type { Clock } from '../../ports/clock';
import type { Logger } from '../../ports/logger';
import type { MessageProvider } from '../../ports/message-provider';
import type { AuthorizeHookCall } from '../authorize-hook-call';
import { composeAuthorizer } from '../composition/authorizer-composition';
import { boundedClientConfig, EMBEDDED_DYNAMODB_BOUNDS } from '../composition/aws-call-bounds';
import { buildCognitoTrigger } from '../composition/cognito-trigger';
import { buildHookContainer } from '../composition/hook-container';
import { routedSender, twilioProvider } from '../composition/messaging';
import { templateSources } from '../composition/template-sources';
import {
  type AuthorizerConfig,
  loadAuthorizerConfig,
  localDevOAuthConfig,
} from '../config/authorizer-config';
import { loadBrakesConfig } from '../config/brakes-config';
import { loadCognitoConfig } from '../config/cognito-config';
import { loadDeliveryConfig } from '../config/delivery-config';
import { ConfigError, type Env, logLevel, readEnv, text } from '../config/env-readers';
import { type LocalConfig, loadLocalConfig } from '../config/local-config';
import type { TokenProfileName } from '../config/token-profiles';
import { TOKEN_PROFILES } from '../config/token-profiles';
import { loadTwilioConfig, type TwilioConfig } from '../config/twilio-config';
import { AUTH0_PHONE_MESSAGE_PATH, HTTP_HOOK_ROUTES, HttpHooks } from '../http-hook-routes';
import { AUTH0_TOKEN_PATH, answerClientCredentials } from './auth0-token-endpoint';
import {
  createDevAuth0Issuer,
  createDevIssuer,
  DEV_AUDIENCE,
  DEV_AUTH0_AUDIENCE,
  DEV_AUTH0_CLIENT_ID,
  DEV_AUTH0_CLIENT_SECRET,
  DEV_AUTH0_SCOPE,
  DEV_CLIENT_ID,
  DEV_ISSUER_PATH,
  DEV_JWKS_PATH,
  DEV_SCOPE,
  type DevAuth0Issuer,
  type DevIssuer,
  loadOrCreateDevKey,
} from './dev-issuer';
import { loadOrCreateDevSecrets } from './dev-secrets';
import { startEmbeddedDynamo } from './embedded-dynamodb';
import { COGNITO_INVOKE_PATH, cognitoInvokeRoute } from './lambda-invoke-route';
import { createLocalServer, HOOK_PATH, type LocalRoute } from './local-server';
import { parseStandInFaults, TwilioStandIn } from './twilio-stand-in';
import { UnreachableProvider } from './unreachable-provider';

/**
 * Where a running local stack says its dynalite listens, so `npm run templates` can edit the table
 * while `npm start` runs (LevelDB allows one process per data dir).
 */
export const DYNAMO_ENDPOINT_FILE = 'dynamodb.endpoint';

export interface LocalStackOptions {
  readonly env: Env;
  /** Keep DynamoDB data in memory instead of under the data dir (tests, benchmarks, `--in-memory`). */
  readonly inMemory?: boolean;
  /** Overrides PORT; 0 picks a free port. */
  readonly port?: number;
  /** Where the outbox's one-line summaries go (default: stdout). */
  readonly announce?: (line: string) => void;
  readonly logger?: Logger;
  /**
   * A DynamoDB API that is already running (DynamoDB Local, another dynalite, a proxy in front of one),
   * used instead of starting dynalite; it is left running on close.
   */
  readonly dynamoEndpoint?: string;
  /** The hook's clock (default: the system's); simulations drive a fake one. */
  readonly clock?: Clock;
}

export interface LocalStack {
  readonly baseUrl: string;
  readonly hookUrl: string;
  /** Where `npm run send -- --idp cognito` invokes the CustomSMSSender trigger (Lambda's Invoke API). */
  readonly cognitoInvokeUrl: string;
  readonly config: LocalConfig;
  /** Present when the stack is its own token issuer (OKTA_ISSUER unset). */
  readonly devIssuer?: DevIssuer;
  /** Where Auth0's Action posts (behind the Auth0 authorizer). */
  readonly auth0PhoneMessageUrl: string;
  /**
   * With the dev issuer, the stack also stands in for an Auth0 tenant: POST /oauth/token grants the dev
   * M2M application (DEV_AUTH0_CLIENT_ID / _SECRET) tokens for DEV_AUTH0_AUDIENCE, signed with the same
   * dev key; the tenant URL is `baseUrl`.
   */
  readonly devAuth0Issuer?: DevAuth0Issuer;
  readonly dynamoEndpoint: string;
  readonly seededTemplates: number;
  /** Running when Twilio is configured locally (TWILIO_ACCOUNT_SID) and TWILIO_API_URL does not point elsewhere. */
  readonly twilioStandIn?: TwilioStandIn;
  /** The providers on the route, in the route table's slots (local stand-ins included). */
  readonly providers: readonly string[];
  close(): Promise<void>;
}

/**
 * Everything `npm start` runs, in one process on 127.0.0.1: dynalite for templates and
 * idempotency, the outbox for messages, a JSONL file for dead letters, local keys for sealing and
 * fingerprints, and an HTTP server that plays API Gateway in front of the real handlers.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const config = loadLocalConfig(options.env);
  const { delivery, hook } = loadDeliveryConfig(options.env);
  const { LOG_LEVEL } = readEnv(options.env, { LOG_LEVEL: logLevel() });
  const logger =
    options.logger ?? new PowertoolsLoggerAdapter({ serviceName: 'otp-courier-local', level: LOG_LEVEL });
  const brakes = loadBrakesConfig(options.env);
  const clock = options.clock ?? new SystemClock();

  const dynamo = options.dynamoEndpoint
    ? { endpoint: options.dynamoEndpoint, close: async () => {} }
    : await startEmbeddedDynamo(options.inMemory ? {} : { path: join(config.dataDir, 'dynamodb') });
  const endpointFile = options.inMemory ? undefined : join(config.dataDir, DYNAMO_ENDPOINT_FILE);
  if (endpointFile) {
    await mkdir(config.dataDir, { recursive: true });
    await writeFile(endpointFile, dynamo.endpoint, 'utf8');
  }
  const client = new DynamoDBClient({
    endpoint: dynamo.endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    // One process stands in for a fleet of Lambdas, each with its own connections: with the SDK's default
    // pool of 50 sockets, a burst of slow writes would hold every socket and starve the claims behind them.
    ...boundedClientConfig(EMBEDDED_DYNAMODB_BOUNDS, { httpAgent: { keepAlive: true, maxSockets: 1024 } }),
  });
  const templateTable = new DynamoDbTemplateStore(client, { tableName: config.templateTable }, logger);
  await ensureTemplateTable(client, config.templateTable);
  await ensureIdempotencyTable(client, config.idempotencyTable);
  // Seed only an empty table: operators' local edits survive a restart.
  const seededTemplates =
    (await templateTable.listAllTemplates()).length === 0
      ? await templateTable.putTemplates(bundledTemplates(), { updatedBy: 'otp-courier seed' })
      : 0;

  const secrets = await loadOrCreateDevSecrets(options.inMemory ? undefined : config.dataDir);
  const announce = options.announce ?? ((line: string) => process.stdout.write(`${line}\n`));
  const messaging = await localProviders(options.env, config, announce, clock);
  const container = buildHookContainer({
    templates: templateSources({
      table: templateTable,
      clock,
      logger,
      cacheTtlSeconds: config.templateCacheTtlSeconds,
    }),
    sender: routedSender(messaging.providers, clock, logger),
    idempotency: new DynamoDbIdempotencyStore(client, { tableName: config.idempotencyTable }, logger, clock),
    deadLetters: new JsonlDeadLetterQueue(config.deadLetterFile),
    sealer: new AesGcmSecretSealer(secrets.sealingKey),
    fingerprinter: new HmacFingerprinter(secrets.fingerprintKey),
    clock,
    logger,
    delivery,
    hook,
    // Counters live in the idempotency table, as in the AWS deployment.
    brakes: {
      counters: new DynamoDbRateCounterStore(client, { tableName: config.idempotencyTable }),
      settings: brakes,
    },
  });

  // Cognito's trigger on the same core; a raw AES key from the data dir stands in for the pool's KMS key.
  const cognitoTrigger = buildCognitoTrigger(
    container,
    { hook, cognito: loadCognitoConfig(options.env, { requireKey: false }) },
    new EncryptionSdkDecrypter(rawAesKeyring(secrets.cognitoKey)),
  );
  const hooks = container.get(HttpHooks);
  // The authorizers need the port (the dev issuers' URLs name it), so they are plugged in after listen:
  // one per token profile, as template.yaml gives each IdP's route its own.
  const authorizers: Partial<Record<TokenProfileName, AuthorizeHookCall>> = {};
  const authorizerOf = (profile: TokenProfileName) => ({
    handle: (event: Parameters<AuthorizeHookCall['handle']>[0]) => {
      const authorizer = authorizers[profile];
      if (!authorizer) throw new Error('Unauthorized');
      return authorizer.handle(event);
    },
  });
  // With no authentication configured at all, the stack is its own issuer (the explicit local mode);
  // anything configured goes through the same checks as the Lambda authorizer, AUTH_MODE included.
  const devKey =
    options.env.AUTH_MODE || options.env.OKTA_ISSUER || options.env.OKTA_HOOK_SECRET
      ? undefined
      : await loadOrCreateDevKey(options.inMemory ? undefined : config.dataDir);
  let devIssuer: DevIssuer | undefined;
  let devAuth0Issuer: DevAuth0Issuer | undefined;
  const routes: LocalRoute[] = [
    ...HTTP_HOOK_ROUTES.map((route) => ({
      path: route.path,
      authorized: true as const,
      authorizer: authorizerOf(route.tokenProfile),
      handle: (event: Parameters<HttpHooks['handle']>[0]) => hooks.handle(event),
    })),
    cognitoInvokeRoute(cognitoTrigger, logger),
    // The Auth0 tenant stand-in's token endpoint (client-credentials grant), with the dev issuer.
    ...(devKey
      ? [
          {
            path: AUTH0_TOKEN_PATH,
            authorized: false as const,
            async handle(body: string, headers: Record<string, string | string[] | undefined>) {
              if (!devAuth0Issuer) return { statusCode: 503, body: '{}' };
              const contentType = headers['content-type'];
              const reply = await answerClientCredentials(
                body,
                typeof contentType === 'string' ? contentType : undefined,
                [
                  {
                    clientId: DEV_AUTH0_CLIENT_ID,
                    clientSecret: DEV_AUTH0_CLIENT_SECRET,
                    audience: DEV_AUTH0_AUDIENCE,
                    scope: DEV_AUTH0_SCOPE,
                  },
                ],
                devAuth0Issuer,
              );
              return { statusCode: reply.statusCode, body: JSON.stringify(reply.body) };
            },
          },
        ]
      : []),
  ];

  const server = createLocalServer({
    authorizer: authorizerOf('okta'),
    routes,
    logger,
    // API Gateway's arrival stamp on the hook's own clock: a simulated clock must not make requests stale.
    now: () => clock.now(),
    ...(devKey ? { jwks: { path: DEV_JWKS_PATH, keys: { keys: [devKey.publicJwk] } } } : {}),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // A deep accept queue: a burst of connections larger than Node's default backlog (511) would otherwise
    // see resets from the kernel while the process is busy, before any of our code runs.
    server.listen({ port: options.port ?? config.port, host: config.host, backlog: 4096 }, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
  const baseUrl = `http://${host}:${port}`;

  let authorizerConfig: AuthorizerConfig;
  let auth0AuthorizerConfig: AuthorizerConfig;
  if (devKey) {
    devAuth0Issuer = await createDevAuth0Issuer(baseUrl, devKey);
    const auth0 = TOKEN_PROFILES.auth0;
    auth0AuthorizerConfig = localDevOAuthConfig({
      policy: {
        issuer: devAuth0Issuer.issuer,
        audience: DEV_AUTH0_AUDIENCE,
        clientIds: [DEV_AUTH0_CLIENT_ID],
        scope: DEV_AUTH0_SCOPE,
        clockSkewSeconds: 30,
        clientClaim: auth0.clientClaim,
        scopeClaim: auth0.scopeClaim,
        grantType: auth0.grantType,
      },
      // The stand-in signs with the dev key, served at the dev issuer's JWKS path.
      jwksUrl: `${baseUrl}${DEV_JWKS_PATH}`,
      logLevel: LOG_LEVEL,
    });
  } else {
    // A real Auth0 tenant when AUTH0_ISSUER is set (checked as the Lambda authorizer checks it);
    // otherwise the Auth0 route is switched off, as EnableAuth0=false deploys it.
    auth0AuthorizerConfig = options.env.AUTH0_ISSUER
      ? loadAuthorizerConfig({ ...options.env, TOKEN_PROFILE: 'auth0', AUTH_MODE: 'oauth' })
      : { mode: 'disabled', profile: 'auth0', logLevel: LOG_LEVEL };
  }
  if (devKey) {
    devIssuer = await createDevIssuer(`${baseUrl}${DEV_ISSUER_PATH}`, devKey);
    authorizerConfig = localDevOAuthConfig({
      policy: {
        issuer: devIssuer.issuer,
        audience: DEV_AUDIENCE,
        clientIds: [DEV_CLIENT_ID],
        scope: DEV_SCOPE,
        clockSkewSeconds: 30,
      },
      jwksUrl: `${baseUrl}${DEV_JWKS_PATH}`,
      logLevel: LOG_LEVEL,
    });
  } else {
    authorizerConfig = loadAuthorizerConfig(options.env);
  }
  authorizers.okta = composeAuthorizer(authorizerConfig, logger);
  authorizers.auth0 = composeAuthorizer(auth0AuthorizerConfig, logger);

  return {
    baseUrl,
    hookUrl: `${baseUrl}${HOOK_PATH}`,
    auth0PhoneMessageUrl: `${baseUrl}${AUTH0_PHONE_MESSAGE_PATH}`,
    cognitoInvokeUrl: `${baseUrl}${COGNITO_INVOKE_PATH}`,
    config,
    ...(devIssuer ? { devIssuer } : {}),
    ...(devAuth0Issuer ? { devAuth0Issuer } : {}),
    dynamoEndpoint: dynamo.endpoint,
    seededTemplates,
    ...(messaging.standIn ? { twilioStandIn: messaging.standIn } : {}),
    providers: Object.entries(messaging.providers).map(([slot, p]) =>
      slot === p.name ? slot : `${slot} ← ${p.name}`,
    ),
    async close() {
      await messaging.standIn?.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      client.destroy();
      await dynamo.close();
      if (endpointFile) await rm(endpointFile, { force: true });
    },
  };
}

/**
 * The providers `npm start` routes over, in the route table's slots: the outbox in End User Messaging's
 * place (or, with LOCAL_PRIMARY=down, a provider that refuses every call), and Twilio when it is configured
 * locally (TWILIO_ACCOUNT_SID with its token, TWILIO_SMS_FROM and/or TWILIO_VOICE_FROM) — pointed at a
 * Twilio stand-in started here, unless TWILIO_API_URL names another endpoint.
 */
async function localProviders(
  env: Env,
  config: LocalConfig,
  announce: (line: string) => void,
  clock: SystemClock,
): Promise<{ providers: Record<string, MessageProvider>; standIn?: TwilioStandIn }> {
  const { LOCAL_PRIMARY } = readEnv(env, { LOCAL_PRIMARY: text('up') });
  if (LOCAL_PRIMARY !== 'up' && LOCAL_PRIMARY !== 'down')
    throw new ConfigError(['LOCAL_PRIMARY must be up or down']);
  const providers: Record<string, MessageProvider> = {
    [END_USER_MESSAGING_PROVIDER]:
      LOCAL_PRIMARY === 'down'
        ? new UnreachableProvider('local-outbox')
        : new OutboxMessageSender({ file: config.outboxFile, announce }),
  };
  const twilio: TwilioConfig | undefined = loadTwilioConfig(env);
  if (!twilio) return { providers };
  if (twilio.credentials.kind !== 'environment') {
    throw new ConfigError([
      'locally, Twilio credentials come from the environment (TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN, or an API key), not TWILIO_CREDENTIALS_SECRET_ARN',
    ]);
  }
  let standIn: TwilioStandIn | undefined;
  if (!env.TWILIO_API_URL?.trim()) {
    const c = twilio.credentials.credentials;
    standIn = await TwilioStandIn.start({
      credentials: {
        accountSid: c.accountSid,
        username: c.apiKeySid ?? c.accountSid,
        password: c.apiKeySecret ?? c.authToken ?? '',
      },
      outboxFile: config.outboxFile,
      announce,
      faults: parseStandInFaults(env.TWILIO_STAND_IN_FAULTS),
    });
  }
  // A status callback that names the event, as production would point at its receipts endpoint: the
  // stand-in reads the event id from it, so the outbox line says which event Twilio "sent".
  const configured: TwilioConfig =
    standIn && !twilio.statusCallbackUrl
      ? { ...twilio, statusCallbackUrl: `${standIn.url}/status-callback` }
      : twilio;
  const sender = twilioProvider(configured, { clock, ...(standIn ? { apiUrl: standIn.url } : {}) });
  providers[sender.name] = sender;
  return { providers, ...(standIn ? { standIn } : {}) };
}
