import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { DynamoDbTemplateStore } from '../../adapters/dynamodb/dynamodb-template-store';
import { ensureIdempotencyTable } from '../../adapters/dynamodb/idempotency-table';
import { ensureTemplateTable } from '../../adapters/dynamodb/template-table';
import { bundledTemplates } from '../../adapters/i18n/i18next-template-store';
import { SystemClock } from '../../adapters/local/system-clock';
import { awsHookAdapters, messagingProviders } from '../../app/composition/aws-hook-adapters';
import { buildHookContainer } from '../../app/composition/hook-container';
import { routedSender } from '../../app/composition/messaging';
import { loadAwsConfig } from '../../app/config/aws-config';
import { loadDeliveryConfig } from '../../app/config/delivery-config';
import { proxyEvent } from '../../app/local/api-gateway-events';
import { startEmbeddedDynamo } from '../../app/local/embedded-dynamodb';
import { TwilioStandIn } from '../../app/local/twilio-stand-in';
import { TelephonyHookHandler } from '../../app/telephony-hook-handler';
import shippedRoutes from '../../config/message-routes.json';
import { createLocalClient } from '../../test/support/dynalite';
import { FakeAwsEndpoint } from '../../test/support/fake-aws-endpoint';
import { localHookEnvironment } from '../../test/support/local-lambda-environment';
import { createTraffic } from '../support/hook-traffic';
import { type Distribution, distribution, roundDistribution } from '../support/stats';

export interface FailoverScenario {
  readonly primary: string;
  readonly circuit: string;
  readonly requests: number;
  readonly replyMs: Distribution;
  /** Replies by status and the provider that carried them ("SUCCESSFUL twilio", "FAILED"). */
  readonly replies: Readonly<Record<string, number>>;
  /** Calls that reached End User Messaging (refused at once: none is counted by the fake). */
  readonly primaryCalls: number;
  readonly twilioCalls: number;
}

export interface FailoverResult {
  readonly budgetMs: number;
  readonly attemptTimeoutMs: number;
  readonly scenarios: readonly FailoverScenario[];
}

const ACCOUNT_SID = `AC${'be'.repeat(16)}`;
const AUTH_TOKEN = 'bench-token-not-a-secret';
const SECRET_ID = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:otp-courier/twilio-AbCdEf';

type Table = typeof shippedRoutes;

/**
 * The failover row of `npm run bench`: the hook as deployed with Twilio configured — the production
 * composition, End User Messaging's SDK client, Twilio's credentials read from Secrets Manager (the fake
 * endpoint) and its REST calls to the Twilio stand-in — while End User Messaging refuses every connection
 * at once, or accepts and never answers. One request at a time, as a Lambda instance serves them. Each
 * case with the circuit kept closed (every request pays for the primary) and as shipped (it opens).
 */
export async function runFailover(): Promise<FailoverResult> {
  const dynamo = await startEmbeddedDynamo({});
  const fake = await FakeAwsEndpoint.start();
  const standIn = await TwilioStandIn.start({
    credentials: { accountSid: ACCOUNT_SID, username: ACCOUNT_SID, password: AUTH_TOKEN },
  });
  const admin = createLocalClient(dynamo.endpoint);
  try {
    await ensureTemplateTable(admin, 'templates');
    await ensureIdempotencyTable(admin, 'idempotency');
    await new DynamoDbTemplateStore(admin, { tableName: 'templates' }, silent).putTemplates(
      bundledTemplates(),
    );
    fake.secrets.set(SECRET_ID, JSON.stringify({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN }));
    const refused = await closedPort();
    const base = {
      ...localHookEnvironment({ fakeAws: fake.url, dynamo: dynamo.endpoint }),
      TWILIO_CREDENTIALS_SECRET_ARN: SECRET_ID,
      TWILIO_SMS_FROM: '*=+15005550006',
      TWILIO_VOICE_FROM: '*=+15005550006',
      TWILIO_API_URL: standIn.url,
    };
    const traffic = createTraffic();
    let next = 0;

    /** A hook built by the production composition, with `tune` applied to the route table. */
    function hook(env: Record<string, string>, tune: (table: Table) => void): TelephonyHookHandler {
      Object.assign(process.env, env);
      const { delivery, hook: hookSettings } = loadDeliveryConfig(process.env);
      const config = loadAwsConfig(process.env);
      const adapters = awsHookAdapters(config, { delivery, hook: hookSettings, logLevel: 'WARN' });
      const table = structuredClone(shippedRoutes);
      tune(table);
      const clock = new SystemClock();
      const sender = routedSender(messagingProviders(config, clock), clock, adapters.logger, table);
      return buildHookContainer({ ...adapters, sender }).get(TelephonyHookHandler);
    }

    async function deliver(handler: TelephonyHookHandler): Promise<{ ms: number; reply: string }> {
      const receivedAt = Date.now();
      const start = process.hrtime.bigint();
      const result = await handler.handle(
        proxyEvent({
          path: '/okta/telephony-hook',
          headers: { 'content-type': 'application/json' },
          body: traffic.body(next++),
          sourceIp: '198.51.100.7',
          receivedAt,
          authorizer: { principalId: 'bench', policyDocument: { Version: '2012-10-17', Statement: [] } },
        }),
      );
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      const body = JSON.parse(result.body) as {
        commands?: { value?: { status?: string; provider?: string }[] }[];
      };
      const value = body.commands?.[0]?.value?.[0];
      return { ms, reply: value ? `${value.status} ${value.provider}` : 'FAILED' };
    }

    const closedCircuit = (table: Table) => {
      for (const policy of Object.values(table.providers)) {
        Object.assign(policy, { breaker: { consecutiveFailures: 100, halfOpenAfterMs: 600_000 } });
      }
    };
    const optIn = (table: Table) => {
      (table.routes[0] as { failoverOnUncertain?: boolean }).failoverOnUncertain = true;
    };
    const cases: {
      primary: string;
      circuit: string;
      env: Record<string, string>;
      hang: boolean;
      tune: (t: Table) => void;
      requests: number;
      warmUp?: number;
    }[] = [
      {
        primary: 'refuses at once',
        circuit: 'kept closed',
        env: { AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2: refused },
        hang: false,
        tune: closedCircuit,
        requests: 20,
      },
      {
        primary: 'refuses at once',
        circuit: 'as shipped, open',
        env: { AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2: refused },
        hang: false,
        tune: () => {},
        requests: 20,
        warmUp: 6,
      },
      {
        primary: 'hangs (default route)',
        circuit: 'kept closed',
        env: {},
        hang: true,
        tune: closedCircuit,
        requests: 8,
      },
      {
        primary: 'hangs (route fails over uncertain)',
        circuit: 'kept closed',
        env: {},
        hang: true,
        tune: (t) => {
          closedCircuit(t);
          optIn(t);
        },
        requests: 8,
      },
      {
        primary: 'hangs',
        circuit: 'as shipped, open',
        env: {},
        hang: true,
        tune: () => {},
        requests: 20,
        warmUp: 6,
      },
    ];

    const scenarios: FailoverScenario[] = [];
    for (const c of cases) {
      fake.reset();
      fake.secrets.set(SECRET_ID, JSON.stringify({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN }));
      standIn.reset();
      delete process.env.AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2;
      const handler = hook({ ...base, ...c.env }, c.tune);
      // Warm: SDK clients connected, the Twilio secret read, templates cached (and, where asked, the circuit opened).
      if (!c.hang) for (let i = 0; i < 2; i++) await deliver(handler);
      if (c.hang) {
        await deliver(handler);
        fake.failRandomly({ type: 'hang' }, 1, { target: 'PinpointSMSVoiceV2' });
      }
      for (let i = 0; i < (c.warmUp ?? 0); i++) await deliver(handler);
      const primaryBefore = fake.requests.filter((r) => r.target.startsWith('PinpointSMSVoiceV2.')).length;
      const twilioBefore = standIn.requests.length;
      const replies: { ms: number; reply: string }[] = [];
      for (let i = 0; i < c.requests; i++) replies.push(await deliver(handler));
      const counts: Record<string, number> = {};
      for (const r of replies) counts[r.reply] = (counts[r.reply] ?? 0) + 1;
      scenarios.push({
        primary: c.primary,
        circuit: c.circuit,
        requests: replies.length,
        replyMs: roundDistribution(distribution(replies.map((r) => r.ms)), 1),
        replies: counts,
        primaryCalls:
          fake.requests.filter((r) => r.target.startsWith('PinpointSMSVoiceV2.')).length - primaryBefore,
        twilioCalls: standIn.requests.length - twilioBefore,
      });
    }
    return {
      budgetMs: loadDeliveryConfig(process.env).hook.deadlineMs,
      attemptTimeoutMs: shippedRoutes.providers['aws-end-user-messaging'].attemptTimeoutMs,
      scenarios,
    };
  } finally {
    admin.destroy();
    await standIn.close();
    await fake.close();
    await dynamo.close();
  }
}

/** The section's table, for bench/support/report.ts. */
export function renderFailover(result: FailoverResult): string[] {
  const header = [
    'End User Messaging',
    'its circuit',
    'requests',
    'p50 ms',
    'p99 ms',
    'max ms',
    'replies',
    'EUM calls',
    'Twilio calls',
  ];
  const rows = result.scenarios.map((s) => [
    s.primary,
    s.circuit,
    String(s.requests),
    s.replyMs.p50.toFixed(0),
    s.replyMs.p99.toFixed(0),
    s.replyMs.max.toFixed(0),
    Object.entries(s.replies)
      .map(([reply, n]) => `${n} ${reply}`)
      .join(', '),
    String(s.primaryCalls),
    String(s.twilioCalls),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const left = new Set([0, 1, 6]);
  const line = (cells: string[]) =>
    `  ${cells
      .map((c, i) => (left.has(i) ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd()}`;
  return [
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    `  deadline ${result.budgetMs} ms, send window ${result.budgetMs - 300} ms; End User Messaging's per-call bound ` +
      `${result.attemptTimeoutMs} ms applies only on routes that fail over uncertain failures; one request at a time`,
  ];
}

async function closedPort(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

const silent = { debug() {}, info() {}, warn() {}, error() {} };
