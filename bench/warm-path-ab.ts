/**
 * The warm path of two checkouts in ONE process, alternating: on a shared machine whose speed swings 2×
 * from one minute to the next, two `npm run bench -- --only warm-path` runs taken a minute apart cannot
 * resolve a change of a few percent; batches of the same requests through A's and B's handlers, back to
 * back, see the same load. Each side is set up as bench/sections/warm-path.ts sets it up (dynalite
 * templates behind the warm cache, in-memory idempotency, HMAC fingerprints, Powertools at INFO, a
 * provider that answers at once, the RS256 authorizer), then 5,000 warm-up requests each, then `rounds`
 * pairs of `batch` requests, the order swapped every round. It prints CPU µs per request (authorizer +
 * hook + building the event and body, the same on both sides): each side's median, the median of the
 * paired differences (B − A) and how many rounds B was faster in. Run A against A to see the noise.
 *
 *   TSX_TSCONFIG_PATH=bench/warm-path-ab.tsconfig.json node --import tsx bench/warm-path-ab.ts <A> <B> [rounds] [batch] >/dev/null
 *
 * A and B are checkout roots (e.g. a `git worktree add /tmp/before main` with a `node_modules` link). The
 * tsconfig named above is the project's, applied to files outside this checkout too (tsx compiles only the
 * files its tsconfig includes, and the others' parameter decorators need `experimentalDecorators`).
 * The handlers' log lines go to stdout: send it to /dev/null.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface Side {
  one(i: number): Promise<void>;
  successful(): number;
}

// Another checkout's modules: their types are this checkout's, but TypeScript cannot know it.
// biome-ignore lint/suspicious/noExplicitAny: modules loaded by path at run time.
type AnyModule = any;

async function setUp(root: string): Promise<Side> {
  const load = (path: string): Promise<AnyModule> => import(join(root, `${path}.ts`));
  const [
    dynamoStore,
    templateTable,
    catalogue,
    sealer,
    fingerprinter,
    idempotency,
    deadLetters,
    clocks,
    logs,
  ] = await Promise.all([
    load('adapters/dynamodb/dynamodb-template-store'),
    load('adapters/dynamodb/template-table'),
    load('adapters/i18n/i18next-template-store'),
    load('adapters/local/aes-gcm-secret-sealer'),
    load('adapters/local/hmac-fingerprinter'),
    load('adapters/local/in-memory-idempotency-store'),
    load('adapters/local/jsonl-dead-letter-queue'),
    load('adapters/local/system-clock'),
    load('adapters/powertools/powertools-logger'),
  ]);
  const [
    authorizers,
    containers,
    sources,
    authorizerConfig,
    deliveryConfig,
    events,
    devIssuer,
    dynamo,
    hooks,
  ] = await Promise.all([
    load('app/composition/authorizer-composition'),
    load('app/composition/hook-container'),
    load('app/composition/template-sources'),
    load('app/config/authorizer-config'),
    load('app/config/delivery-config'),
    load('app/local/api-gateway-events'),
    load('app/local/dev-issuer'),
    load('app/local/embedded-dynamodb'),
    load('app/telephony-hook-handler'),
  ]);
  const [dynalite, traffics, jwksServers, senders] = await Promise.all([
    load('test/support/dynalite'),
    load('bench/support/hook-traffic'),
    load('bench/support/jwks-server'),
    load('bench/support/zero-latency-sender'),
  ]);

  const dataDir = await mkdtemp(join(tmpdir(), 'otp-courier-bench-ab-'));
  const embedded = await dynamo.startEmbeddedDynamo({});
  const client = dynalite.createLocalClient(embedded.endpoint);
  const key = await devIssuer.loadOrCreateDevKey(undefined);
  const jwks = await jwksServers.startJwksServer({ keys: [key.publicJwk] });
  const logger = new logs.PowertoolsLoggerAdapter({ serviceName: 'otp-courier-bench', level: 'INFO' });
  const clock = new clocks.SystemClock();
  const table = new dynamoStore.DynamoDbTemplateStore(client, { tableName: 'templates' }, logger);
  await templateTable.ensureTemplateTable(client, 'templates');
  await table.putTemplates(catalogue.bundledTemplates(), { updatedBy: 'bench' });
  const issuer = await devIssuer.createDevIssuer('https://example.okta.com/oauth2/ausBench', key);
  const authorizer = authorizers.composeAuthorizer(
    authorizerConfig.localDevOAuthConfig({
      policy: {
        issuer: issuer.issuer,
        audience: devIssuer.DEV_AUDIENCE,
        clientIds: [devIssuer.DEV_CLIENT_ID],
        scope: devIssuer.DEV_SCOPE,
        clockSkewSeconds: 30,
      },
      jwksUrl: jwks.url,
      logLevel: 'INFO',
    }),
    logger,
  );
  const { delivery, hook } = deliveryConfig.loadDeliveryConfig({ BRAND_NAME: 'Acme' });
  const container = containers.buildHookContainer({
    templates: sources.templateSources({ table, clock, logger, cacheTtlSeconds: 300 }),
    sender: new senders.ZeroLatencySender(),
    idempotency: new idempotency.InMemoryIdempotencyStore(),
    deadLetters: new deadLetters.JsonlDeadLetterQueue(join(dataDir, 'dead-letters.jsonl')),
    sealer: new sealer.AesGcmSecretSealer(randomBytes(32)),
    fingerprinter: new fingerprinter.HmacFingerprinter(randomBytes(32)),
    clock,
    logger,
    delivery,
    hook,
  });
  const handler = container.get(hooks.TelephonyHookHandler);
  const tokens: string[] = await Promise.all(Array.from({ length: 8 }, () => issuer.mint()));
  // Codes that stay valid for the whole run (bodies are built as the requests go).
  const traffic = traffics.createTraffic({ expiresInSeconds: 3_600 });
  let successful = 0;
  return {
    successful: () => successful,
    async one(i) {
      const authorized = await authorizer.handle(events.tokenAuthorizerEvent(`Bearer ${tokens[i % 8]}`));
      const result = await handler.handle(
        events.proxyEvent({
          path: '/okta/telephony-hook',
          headers: { 'content-type': 'application/json' },
          body: traffic.body(i),
          sourceIp: '198.51.100.7',
          receivedAt: Date.now(),
          authorizer: authorized,
        }),
      );
      if (result.statusCode === 200 && result.body.includes('"status":"SUCCESSFUL"')) successful += 1;
    },
  };
}

const [rootA, rootB, roundsArg = '40', batchArg = '500'] = process.argv.slice(2);
if (!rootA || !rootB) {
  console.error('usage: warm-path-ab.ts <checkout A> <checkout B> [rounds] [batch]');
  process.exit(2);
}
const rounds = Number(roundsArg);
const batch = Number(batchArg);
const a = await setUp(rootA);
const b = await setUp(rootB);
// One request counter for both: every request of the run is distinct (event id, code, user, phone).
let next = 0;
async function cpuPerRequest(side: Side): Promise<number> {
  const before = process.cpuUsage();
  for (let k = 0; k < batch; k += 1) await side.one(next++);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / batch;
}
for (let warm = 0; warm < Math.ceil(5_000 / batch); warm += 1) {
  await cpuPerRequest(a);
  await cpuPerRequest(b);
}
const usA: number[] = [];
const usB: number[] = [];
for (let round = 0; round < rounds; round += 1) {
  if (round % 2 === 0) {
    usA.push(await cpuPerRequest(a));
    usB.push(await cpuPerRequest(b));
  } else {
    usB.push(await cpuPerRequest(b));
    usA.push(await cpuPerRequest(a));
  }
}
const median = (xs: readonly number[]) =>
  [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? Number.NaN;
const differences = usA.map((x, i) => (usB[i] ?? Number.NaN) - x);
console.error(
  JSON.stringify({
    rounds,
    batch,
    cpuUsPerRequestA: Math.round(median(usA) * 10) / 10,
    cpuUsPerRequestB: Math.round(median(usB) * 10) / 10,
    medianDifferenceUs: Math.round(median(differences) * 10) / 10,
    roundsBFaster: differences.filter((d) => d < 0).length,
    successfulA: a.successful(),
    successfulB: b.successful(),
  }),
);
process.exit(0);
