import { DynamoDbTemplateStore } from '../../adapters/dynamodb/dynamodb-template-store';
import { ensureIdempotencyTable } from '../../adapters/dynamodb/idempotency-table';
import { ensureTemplateTable } from '../../adapters/dynamodb/template-table';
import { bundledTemplates } from '../../adapters/i18n/i18next-template-store';
import { awsHookAdapters } from '../../app/composition/aws-hook-adapters';
import { buildHookContainer } from '../../app/composition/hook-container';
import { loadAwsConfig } from '../../app/config/aws-config';
import { loadDeliveryConfig } from '../../app/config/delivery-config';
import { proxyEvent } from '../../app/local/api-gateway-events';
import { startEmbeddedDynamo } from '../../app/local/embedded-dynamodb';
import { TelephonyHookHandler } from '../../app/telephony-hook-handler';
import { createLocalClient } from '../../test/support/dynalite';
import { FakeAwsEndpoint, type FaultAction } from '../../test/support/fake-aws-endpoint';
import { localHookEnvironment } from '../../test/support/local-lambda-environment';
import { createTraffic } from '../support/hook-traffic';
import { type Distribution, distribution, roundDistribution } from '../support/stats';

export interface StressScenario {
  readonly provider: string;
  readonly requests: number;
  readonly replyMs: Distribution;
  /** Replies by status: SUCCESSFUL, PENDING, or FAILED (an Okta error object; Okta then sends itself). */
  readonly statuses: Readonly<Record<string, number>>;
  readonly overBudget: number;
  /** Provider calls made: a timed-out send is never retried (it may have gone through). */
  readonly providerCalls: number;
  /** Dead letters parked in SQS: every request not sent must be there. */
  readonly deadLetters: number;
}

export interface ProviderStressResult {
  readonly budgetMs: number;
  readonly scenarios: readonly StressScenario[];
}

const REQUESTS = 30;
// A Lambda instance serves one request at a time; ten at once here only shortens the run (dynalite, shared
// by all ten, adds some queueing of its own).
const CONCURRENCY = 10;
const SCENARIOS: readonly { readonly provider: string; readonly fault?: FaultAction }[] = [
  { provider: 'answers at once' },
  { provider: 'answers in 200 ms', fault: { type: 'delay', ms: 200 } },
  { provider: 'answers in 1 s', fault: { type: 'delay', ms: 1_000 } },
  { provider: 'never answers', fault: { type: 'hang' } },
];

/**
 * Measurement 5: the hook as deployed — the production composition (awsHookAdapters) with the real
 * SDK clients, End User Messaging, SQS and KMS on the fake endpoint, DynamoDB on dynalite — while the
 * provider is slow or silent. Reply time runs from API Gateway's arrival stamp to the handler's answer.
 */
export async function runProviderStress(): Promise<ProviderStressResult> {
  const dynamo = await startEmbeddedDynamo({});
  const fake = await FakeAwsEndpoint.start();
  const admin = createLocalClient(dynamo.endpoint);
  try {
    await ensureTemplateTable(admin, 'templates');
    await ensureIdempotencyTable(admin, 'idempotency');
    await new DynamoDbTemplateStore(admin, { tableName: 'templates' }, silent).putTemplates(
      bundledTemplates(),
    );
    // What template.yaml gives the function; the SDK reads region, credentials and endpoints from here.
    Object.assign(process.env, localHookEnvironment({ fakeAws: fake.url, dynamo: dynamo.endpoint }));
    const { delivery, hook } = loadDeliveryConfig(process.env);
    const handler = buildHookContainer(
      awsHookAdapters(loadAwsConfig(process.env), { delivery, hook, logLevel: 'INFO' }),
    ).get(TelephonyHookHandler);
    const traffic = createTraffic();
    let next = 0;

    async function deliver(): Promise<{ ms: number; status: string }> {
      const i = next++;
      const receivedAt = Date.now();
      const start = process.hrtime.bigint();
      const result = await handler.handle(
        proxyEvent({
          path: '/okta/telephony-hook',
          headers: { 'content-type': 'application/json' },
          body: traffic.body(i),
          sourceIp: '198.51.100.7',
          receivedAt,
          authorizer: { principalId: 'bench', policyDocument: { Version: '2012-10-17', Statement: [] } },
        }),
      );
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      const body = JSON.parse(result.body) as {
        commands?: { value?: { status?: string }[] }[];
        error?: unknown;
      };
      const status =
        body.commands?.[0]?.value?.[0]?.status ?? (body.error ? 'FAILED' : `HTTP ${result.statusCode}`);
      return { ms, status };
    }

    // Warm: SDK clients connected, the KMS-derived fingerprint key fetched, templates cached.
    for (let i = 0; i < 5; i++) await deliver();

    const scenarios: StressScenario[] = [];
    for (const scenario of SCENARIOS) {
      fake.reset();
      if (scenario.fault) fake.failRandomly(scenario.fault, 1, { target: 'PinpointSMSVoiceV2' });
      const replies: { ms: number; status: string }[] = [];
      for (let wave = 0; wave < REQUESTS / CONCURRENCY; wave++) {
        replies.push(...(await Promise.all(Array.from({ length: CONCURRENCY }, () => deliver()))));
      }
      const statuses: Record<string, number> = {};
      for (const r of replies) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
      scenarios.push({
        provider: scenario.provider,
        requests: replies.length,
        replyMs: roundDistribution(distribution(replies.map((r) => r.ms)), 1),
        statuses,
        overBudget: replies.filter((r) => r.ms > hook.deadlineMs).length,
        providerCalls: fake.requests.filter((r) => r.target.startsWith('PinpointSMSVoiceV2.')).length,
        deadLetters: fake.sqsMessages().length,
      });
    }
    return { budgetMs: hook.deadlineMs, scenarios };
  } finally {
    admin.destroy();
    await fake.close();
    await dynamo.close();
  }
}

const silent = { debug() {}, info() {}, warn() {}, error() {} };
