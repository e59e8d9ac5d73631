import { mkdir, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbIdempotencyStore } from '../../adapters/dynamodb/dynamodb-idempotency-store';
import { DynamoDbRateCounterStore } from '../../adapters/dynamodb/dynamodb-rate-counter-store';
import { DynamoDbTemplateStore } from '../../adapters/dynamodb/dynamodb-template-store';
import { ensureIdempotencyTable } from '../../adapters/dynamodb/idempotency-table';
import { ensureTemplateTable } from '../../adapters/dynamodb/template-table';
import { bundledTemplates } from '../../adapters/i18n/i18next-template-store';
import { AesGcmSecretSealer } from '../../adapters/local/aes-gcm-secret-sealer';
import { HmacFingerprinter } from '../../adapters/local/hmac-fingerprinter';
import { JsonlDeadLetterQueue } from '../../adapters/local/jsonl-dead-letter-queue';
import { OutboxMessageSender } from '../../adapters/local/outbox-message-sender';
import { SystemClock } from '../../adapters/local/system-clock';
import { PowertoolsLoggerAdapter } from '../../adapters/powertools/powertools-logger';
import type { Clock } from '../../ports/clock';
import type { Logger } from '../../ports/logger';
import type { AuthorizeHookCall } from '../authorize-hook-call';
import { composeAuthorizer } from '../composition/authorizer-composition';
import { boundedClientConfig, EMBEDDED_DYNAMODB_BOUNDS } from '../composition/aws-call-bounds';
import { buildHookContainer } from '../composition/hook-container';
import { templateSources } from '../composition/template-sources';
import {
  type AuthorizerConfig,
  loadAuthorizerConfig,
  localDevOAuthConfig,
} from '../config/authorizer-config';
import { loadBrakesConfig } from '../config/brakes-config';
import { loadDeliveryConfig } from '../config/delivery-config';
import { type Env, logLevel, readEnv } from '../config/env-readers';
import { type LocalConfig, loadLocalConfig } from '../config/local-config';
import { TelephonyHookHandler } from '../telephony-hook-handler';
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
import { createLocalServer, HOOK_PATH } from './local-server';

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
  readonly config: LocalConfig;
  /** Present when the stack is its own token issuer (OKTA_ISSUER unset). */
  readonly devIssuer?: DevIssuer;
  readonly dynamoEndpoint: string;
  readonly seededTemplates: number;
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
    // Counters live in the idempotency table, as in the AWS deployment.
    brakes: {
      counters: new DynamoDbRateCounterStore(client, { tableName: config.idempotencyTable }),
      settings: brakes,
    },
  });

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
    hook: container.get(TelephonyHookHandler),
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
      await dynamo.close();
      if (endpointFile) await rm(endpointFile, { force: true });
    },
  };
}
