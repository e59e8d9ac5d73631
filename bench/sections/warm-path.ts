import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDbTemplateStore } from '../../adapters/dynamodb/dynamodb-template-store';
import { ensureTemplateTable } from '../../adapters/dynamodb/template-table';
import { bundledTemplates } from '../../adapters/i18n/i18next-template-store';
import { AesGcmSecretSealer } from '../../adapters/local/aes-gcm-secret-sealer';
import { HmacFingerprinter } from '../../adapters/local/hmac-fingerprinter';
import { InMemoryIdempotencyStore } from '../../adapters/local/in-memory-idempotency-store';
import { JsonlDeadLetterQueue } from '../../adapters/local/jsonl-dead-letter-queue';
import { SystemClock } from '../../adapters/local/system-clock';
import { PowertoolsLoggerAdapter } from '../../adapters/powertools/powertools-logger';
import { composeAuthorizer } from '../../app/composition/authorizer-composition';
import { buildHookContainer } from '../../app/composition/hook-container';
import { templateSources } from '../../app/composition/template-sources';
import { localDevOAuthConfig } from '../../app/config/authorizer-config';
import { loadDeliveryConfig } from '../../app/config/delivery-config';
import { proxyEvent, tokenAuthorizerEvent } from '../../app/local/api-gateway-events';
import {
  createDevIssuer,
  DEV_AUDIENCE,
  DEV_CLIENT_ID,
  DEV_SCOPE,
  loadOrCreateDevKey,
} from '../../app/local/dev-issuer';
import { startEmbeddedDynamo } from '../../app/local/embedded-dynamodb';
import { TelephonyHookHandler } from '../../app/telephony-hook-handler';
import { countCommands, createLocalClient } from '../../test/support/dynalite';
import { createTraffic } from '../support/hook-traffic';
import { startJwksServer } from '../support/jwks-server';
import { type Distribution, distribution, msSince, round, roundDistribution } from '../support/stats';
import { ZeroLatencySender } from '../support/zero-latency-sender';

export interface WarmPathResult {
  readonly warmup: number;
  readonly iterations: number;
  /** Requests per second with one request in flight on one event loop: the per-core figure. */
  readonly requestsPerSecond: number;
  /** Requests per second of CPU time (user + system, all threads): what a fully busy core would do. */
  readonly requestsPerCpuSecond: number;
  /** Authorizer + hook handler, per request. */
  readonly latencyMs: Distribution;
  readonly authorizerMs: Distribution;
  readonly hookMs: Distribution;
  readonly jwksFetches: number;
  /** DynamoDB calls during the measured iterations: 0 means templates came from the warm cache. */
  readonly dynamoCallsMeasured: number;
  readonly successful: number;
}

// V8 needs a few thousand requests before the whole path is optimised (with 1,000 the figures were ~25 %
// slower); a warm Lambda environment serves far more than that over its life.
const WARMUP = 5_000;
const ITERATIONS = 10_000;
// Okta reuses one access token until it expires; a few distinct ones keep it honest.
const TOKENS = 8;

/**
 * Measurement 1: the Lambda code paths in-process, warm. Real RS256 verification (keys fetched once
 * over local HTTP), real parsing, composition and rendering, templates from the warm cache over
 * DynamoDB (dynalite), in-memory idempotency, HMAC fingerprints, Powertools logging at INFO, and a
 * provider that answers at once — so the figures are the service's own cost per request.
 */
export async function runWarmPath(): Promise<WarmPathResult> {
  const dataDir = await mkdtemp(join(tmpdir(), 'otp-courier-bench-warm-'));
  const dynamo = await startEmbeddedDynamo({});
  const client = createLocalClient(dynamo.endpoint);
  const calls = countCommands(client);
  const key = await loadOrCreateDevKey(undefined);
  const jwks = await startJwksServer({ keys: [key.publicJwk] });
  try {
    const logger = new PowertoolsLoggerAdapter({ serviceName: 'otp-courier-bench', level: 'INFO' });
    const clock = new SystemClock();
    const templateTable = new DynamoDbTemplateStore(client, { tableName: 'templates' }, logger);
    await ensureTemplateTable(client, 'templates');
    await templateTable.putTemplates(bundledTemplates(), { updatedBy: 'bench' });

    const issuer = await createDevIssuer('https://example.okta.com/oauth2/ausBench', key);
    const authorizer = composeAuthorizer(
      localDevOAuthConfig({
        policy: {
          issuer: issuer.issuer,
          audience: DEV_AUDIENCE,
          clientIds: [DEV_CLIENT_ID],
          scope: DEV_SCOPE,
          clockSkewSeconds: 30,
        },
        jwksUrl: jwks.url,
        logLevel: 'INFO',
      }),
      logger,
    );
    const sender = new ZeroLatencySender();
    const { delivery, hook } = loadDeliveryConfig({ BRAND_NAME: 'Acme' });
    const container = buildHookContainer({
      templates: templateSources({ table: templateTable, clock, logger, cacheTtlSeconds: 300 }),
      sender,
      idempotency: new InMemoryIdempotencyStore(),
      deadLetters: new JsonlDeadLetterQueue(join(dataDir, 'dead-letters.jsonl')),
      sealer: new AesGcmSecretSealer(randomBytes(32)),
      fingerprinter: new HmacFingerprinter(randomBytes(32)),
      clock,
      logger,
      delivery,
      hook,
    });
    const handler = container.get(TelephonyHookHandler);

    const tokens = await Promise.all(Array.from({ length: TOKENS }, () => issuer.mint()));
    const traffic = createTraffic();
    // Events are built before timing: API Gateway builds them, not our code.
    const total = WARMUP + ITERATIONS;
    const authEvents = Array.from({ length: total }, (_, i) =>
      tokenAuthorizerEvent(`Bearer ${tokens[i % TOKENS]}`),
    );
    const bodies = Array.from({ length: total }, (_, i) => traffic.body(i));

    const auth: number[] = [];
    const hookTimes: number[] = [];
    const both: number[] = [];
    let successful = 0;
    let callsBefore = 0;
    let cpuBefore = process.cpuUsage();
    let wallStart = process.hrtime.bigint();
    for (let i = 0; i < total; i++) {
      if (i === WARMUP) {
        callsBefore = calls.length;
        cpuBefore = process.cpuUsage();
        wallStart = process.hrtime.bigint();
      }
      const start = process.hrtime.bigint();
      const authorized = await authorizer.handle(authEvents[i] as (typeof authEvents)[number]);
      const afterAuth = process.hrtime.bigint();
      const result = await handler.handle(
        proxyEvent({
          path: '/okta/telephony-hook',
          headers: { 'content-type': 'application/json' },
          body: bodies[i] as string,
          sourceIp: '198.51.100.7',
          receivedAt: Date.now(),
          authorizer: authorized,
        }),
      );
      if (i < WARMUP) continue;
      const end = process.hrtime.bigint();
      auth.push(Number(afterAuth - start) / 1e6);
      hookTimes.push(Number(end - afterAuth) / 1e6);
      both.push(Number(end - start) / 1e6);
      if (result.statusCode === 200 && result.body.includes('"status":"SUCCESSFUL"')) successful += 1;
    }
    const elapsedMs = msSince(wallStart);
    const cpu = process.cpuUsage(cpuBefore);
    return {
      warmup: WARMUP,
      iterations: ITERATIONS,
      requestsPerSecond: round((ITERATIONS / elapsedMs) * 1000, 0),
      requestsPerCpuSecond: round(ITERATIONS / ((cpu.user + cpu.system) / 1e6), 0),
      latencyMs: roundDistribution(distribution(both)),
      authorizerMs: roundDistribution(distribution(auth)),
      hookMs: roundDistribution(distribution(hookTimes)),
      jwksFetches: jwks.fetches(),
      dynamoCallsMeasured: calls.length - callsBefore,
      successful,
    };
  } finally {
    await jwks.close();
    client.destroy();
    await dynamo.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}
