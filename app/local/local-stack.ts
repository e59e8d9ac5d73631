import { mkdir, rm, writeFile } from 'node:fs/promises';
import { Agent } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbIdempotencyStore } from '../../adapters/dynamodb/dynamodb-idempotency-store';
import { DynamoDbTemplateStore } from '../../adapters/dynamodb/dynamodb-template-store';
import { ensureIdempotencyTable } from '../../adapters/dynamodb/idempotency-table';
import { ensureTemplateTable } from '../../adapters/dynamodb/template-table';
import {
  EncryptionSdkDecrypter,
  rawAesKeyring,
} from '../../adapters/encryption-sdk/encryption-sdk-decrypter';
import { bundledTemplates } from '../../adapters/i18n/i18next-template-store';
import { AesGcmSecretSealer } from '../../adapters/local/aes-gcm-secret-sealer';
import { HmacFingerprinter } from '../../adapters/local/hmac-fingerprinter';
import { JsonlDeadLetterQueue } from '../../adapters/local/jsonl-dead-letter-queue';
import { OutboxMessageSender } from '../../adapters/local/outbox-message-sender';
import { SystemClock } from '../../adapters/local/system-clock';
import { PowertoolsLoggerAdapter } from '../../adapters/powertools/powertools-logger';
import type { Logger } from '../../ports/logger';
import type { AuthorizeHookCall } from '../authorize-hook-call';
import { composeAuthorizer } from '../composition/authorizer-composition';
import { boundedClientConfig, EMBEDDED_DYNAMODB_BOUNDS } from '../composition/aws-call-bounds';
import { buildCognitoTrigger } from '../composition/cognito-trigger';
import { buildHookContainer } from '../composition/hook-container';
import { templateSources } from '../composition/template-sources';
import {
  type AuthorizerConfig,
  loadAuthorizerConfig,
  localDevOAuthConfig,
} from '../config/authorizer-config';
import { loadCognitoConfig } from '../config/cognito-config';
import { loadDeliveryConfig } from '../config/delivery-config';
import { type Env, logLevel, readEnv } from '../config/env-readers';
import { type LocalConfig, loadLocalConfig } from '../config/local-config';
import { HTTP_HOOK_ROUTES, HttpHooks } from '../http-hook-routes';
import {
  createDevIssuer,
  DEV_AUDIENCE,
  DEV_CLIENT_ID,
  DEV_ISSUER_PATH,
  DEV_JWKS_PATH,
  DEV_SCOPE,
  type DevIssuer,
  loadOrCreateDevKey,
} from './dev-issuer';
import { loadOrCreateDevSecrets } from './dev-secrets';
import { startEmbeddedDynamo } from './embedded-dynamodb';
import { COGNITO_INVOKE_PATH, cognitoInvokeRoute } from './lambda-invoke-route';
import { createLocalServer, HOOK_PATH, type LocalRoute } from './local-server';

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
}

export interface LocalStack {
  readonly baseUrl: string;
  readonly hookUrl: string;
  /** Where `npm run send -- --idp cognito` invokes the CustomSMSSender trigger (Lambda's Invoke API). */
  readonly cognitoInvokeUrl: string;
  readonly config: LocalConfig;
  /** Present when the stack is its own token issuer (OKTA_ISSUER unset). */
  readonly devIssuer?: DevIssuer;
  readonly dynamoEndpoint: string;
  readonly seededTemplates: number;
  close(): Promise<void>;
}

/**
 * One process stands in for a fleet of Lambdas, each with its own connections: with the SDK's default pool
 * of 50 sockets, a burst of slow writes would hold every socket and starve the claims queued behind them.
 */
const fleetSizedPool = () => ({ httpAgent: new Agent({ keepAlive: true, maxSockets: 1024 }) });

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
  const clock = new SystemClock();

  const dynamo = options.dynamoEndpoint
    ? { endpoint: options.dynamoEndpoint, close: async () => {} }
    : await startEmbeddedDynamo(options.inMemory ? {} : { path: join(config.dataDir, 'dynamodb') });
  const endpointFile = options.inMemory ? undefined : join(config.dataDir, DYNAMO_ENDPOINT_FILE);
  if (endpointFile) {
    await mkdir(config.dataDir, { recursive: true });
    await writeFile(endpointFile, dynamo.endpoint, 'utf8');
  }
  const pool = fleetSizedPool();
  const client = new DynamoDBClient({
    endpoint: dynamo.endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    ...boundedClientConfig(EMBEDDED_DYNAMODB_BOUNDS, pool),
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
  const container = buildHookContainer({
    templates: templateSources({
      table: templateTable,
      clock,
      logger,
      cacheTtlSeconds: config.templateCacheTtlSeconds,
    }),
    sender: new OutboxMessageSender({ file: config.outboxFile, announce }),
    idempotency: new DynamoDbIdempotencyStore(client, { tableName: config.idempotencyTable }, logger, clock),
    deadLetters: new JsonlDeadLetterQueue(config.deadLetterFile),
    sealer: new AesGcmSecretSealer(secrets.sealingKey),
    fingerprinter: new HmacFingerprinter(secrets.fingerprintKey),
    clock,
    logger,
    delivery,
    hook,
  });

  // Cognito's trigger on the same core; a raw AES key from the data dir stands in for the pool's KMS key.
  const cognitoTrigger = buildCognitoTrigger(
    container,
    { hook, cognito: loadCognitoConfig(options.env, { requireKey: false }) },
    new EncryptionSdkDecrypter(rawAesKeyring(secrets.cognitoKey)),
  );
  const hooks = container.get(HttpHooks);
  const routes: LocalRoute[] = [
    ...HTTP_HOOK_ROUTES.map((route) => ({
      path: route.path,
      authorized: true as const,
      handle: (event: Parameters<HttpHooks['handle']>[0]) => hooks.handle(event),
    })),
    cognitoInvokeRoute(cognitoTrigger, logger),
  ];

  // The authorizer needs the port (the dev issuer's URL names it), so it is plugged in after listen.
  let authorizer: AuthorizeHookCall | undefined;
  // With no authentication configured at all, the stack is its own issuer (the explicit local mode);
  // anything configured goes through the same checks as the Lambda authorizer, AUTH_MODE included.
  const devKey =
    options.env.AUTH_MODE || options.env.OKTA_ISSUER || options.env.OKTA_HOOK_SECRET
      ? undefined
      : await loadOrCreateDevKey(options.inMemory ? undefined : config.dataDir);
  let devIssuer: DevIssuer | undefined;
  const server = createLocalServer({
    authorizer: {
      handle: (event) => {
        if (!authorizer) throw new Error('Unauthorized');
        return authorizer.handle(event);
      },
    },
    routes,
    logger,
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
  authorizer = composeAuthorizer(authorizerConfig, logger);

  return {
    baseUrl,
    hookUrl: `${baseUrl}${HOOK_PATH}`,
    cognitoInvokeUrl: `${baseUrl}${COGNITO_INVOKE_PATH}`,
    config,
    ...(devIssuer ? { devIssuer } : {}),
    dynamoEndpoint: dynamo.endpoint,
    seededTemplates,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      client.destroy();
      // The pool is ours, not the client's: the SDK leaves an agent it was given running.
      pool.httpAgent.destroy();
      await dynamo.close();
      if (endpointFile) await rm(endpointFile, { force: true });
    },
  };
}
