import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbTemplateStore } from '../adapters/dynamodb/dynamodb-template-store';
import { ensureIdempotencyTable } from '../adapters/dynamodb/idempotency-table';
import { ensureMessageTable } from '../adapters/dynamodb/message-table';
import { ensureTemplateTable } from '../adapters/dynamodb/template-table';
import { bundledTemplates } from '../adapters/i18n/i18next-template-store';
import { proxyEvent } from '../app/local/api-gateway-events';
import { cognitoSampleEvent } from '../app/local/cognito-sample-event';
import { DEV_CLIENT_ID } from '../app/local/dev-issuer';
import { startEmbeddedDynamo } from '../app/local/embedded-dynamodb';
import { oktaSamplePayload } from '../app/local/okta-sample-payload';
import { buildLambdas, type LambdaBundle } from '../scripts/build-lambdas';
import { FakeAwsEndpoint } from '../test/support/fake-aws-endpoint';
import { DEPLOYED_MESSAGES_TABLE, deployedHookEnvironment } from '../test/support/local-lambda-environment';
import { COGNITO_KEY_ARN, encryptUnderFakeKms } from './support/cognito-ciphertext';
import { type ProbeReport, probeColdStart } from './support/probe-cold-start';
import { median, round } from './support/stats';

const FUNCTIONS = ['TelephonyHookFunction', 'CognitoSmsSenderFunction'];

const { values } = parseArgs({
  options: {
    before: { type: 'string' },
    after: { type: 'string', default: fileURLToPath(new URL('../template.yaml', import.meta.url)) },
    function: { type: 'string', default: 'TelephonyHookFunction' },
    rounds: { type: 'string', default: '20' },
  },
});
if (!values.before || !FUNCTIONS.includes(values.function)) {
  console.error(
    `usage: --before <template.yaml> [--after <template.yaml>] [--function ${FUNCTIONS.join('|')}]`,
  );
  process.exit(2);
}
const functionName = values.function;
const rounds = Number(values.rounds);

const outRoot = await mkdtemp(join(tmpdir(), 'otp-courier-cold-start-pairs-'));
const dynamo = await startEmbeddedDynamo({});
const fake = await FakeAwsEndpoint.start();
const client = new DynamoDBClient({
  endpoint: dynamo.endpoint,
  region: 'local',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});
const loadBefore = loadavg()[0] ?? 0;
try {
  const variants: [string, LambdaBundle][] = [];
  for (const [label, templatePath] of [
    ['before', values.before],
    ['after', values.after],
  ] as const) {
    const [bundle] = await buildLambdas({
      outRoot: join(outRoot, label),
      templatePath,
      only: [functionName],
    });
    if (!bundle) throw new Error(`${functionName} is not in ${templatePath}`);
    variants.push([label, bundle]);
  }
  await ensureTemplateTable(client, 'templates');
  await ensureIdempotencyTable(client, 'idempotency');
  await ensureMessageTable(client, DEPLOYED_MESSAGES_TABLE);
  const silent = { debug() {}, info() {}, warn() {}, error() {} };
  await new DynamoDbTemplateStore(client, { tableName: 'templates' }, silent).putTemplates(
    bundledTemplates(),
  );

  const samples = new Map<string, ProbeReport[]>(variants.map(([label]) => [label, []]));
  let n = 0;
  for (let i = 0; i < rounds; i++) {
    for (const [label, bundle] of variants) {
      n += 1;
      samples.get(label)?.push(await probe(bundle, n));
    }
  }

  const load = `load average ${loadBefore.toFixed(2)} before, ${(loadavg()[0] ?? 0).toFixed(2)} after`;
  console.log(`${functionName}: ${rounds} rounds, a fresh process each, alternating; ${load}`);
  const figures: [string, (s: ProbeReport) => number][] = [
    ['CPU init', (s) => s.initCpuMs],
    ['CPU init + first', (s) => s.initCpuMs + s.firstInvokeCpuMs],
    ['wall init', (s) => s.initMs],
    ['wall init + first', (s) => s.initMs + s.firstInvokeMs],
  ];
  const before = samples.get('before') ?? [];
  const after = samples.get('after') ?? [];
  for (const [name, of] of figures) {
    const diffs = after.map((s, i) => of(s) - of(before[i] as ProbeReport));
    console.log(
      `  ${name.padEnd(18)} before ${round(median(before.map(of)), 1)} ms, after ${round(median(after.map(of)), 1)} ms; ` +
        `after − before, paired: ${round(median(diffs), 1)} ms (${diffs.filter((d) => d < 0).length} of ${diffs.length} rounds lower)`,
    );
  }
  const outcomes = [...before, ...after].map((s) => s.outcome);
  console.log(`  first events: ${[...new Set(outcomes)].join(', ')}`);
} finally {
  client.destroy();
  await fake.close();
  await dynamo.close();
  await rm(outRoot, { recursive: true, force: true });
}

async function probe(bundle: LambdaBundle, n: number): Promise<ProbeReport> {
  const event = functionName === 'CognitoSmsSenderFunction' ? await cognitoEvent(n) : hookEvent(n);
  return probeColdStart(bundle, event, {
    env: {
      ...deployedHookEnvironment({ fakeAws: fake.url, dynamo: dynamo.endpoint }),
      ...(functionName === 'CognitoSmsSenderFunction' ? { COGNITO_KMS_KEY_ARN: COGNITO_KEY_ARN } : {}),
    },
  });
}

// As in sections/cold-start.ts: a different user and phone per run (the brakes count every request).
function hookEvent(n: number) {
  const payload = oktaSamplePayload({
    code: String(20_000_000 + n),
    locale: 'de-DE',
    phone: `+49151123456${String(n % 100).padStart(2, '0')}`,
    channel: 'sms',
  });
  payload.data.userProfile.userId = `00uColdPairs${n}`;
  return proxyEvent({
    path: '/okta/telephony-hook',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(payload),
    sourceIp: '198.51.100.7',
    receivedAt: Date.now(),
    authorizer: { principalId: DEV_CLIENT_ID, policyDocument: { Version: '2012-10-17', Statement: [] } },
  });
}

async function cognitoEvent(n: number) {
  return cognitoSampleEvent({
    trigger: 'CustomSMSSender_ForgotPassword',
    ciphertext: await encryptUnderFakeKms(String(20_000_000 + n), fake.url),
    locale: 'de-DE',
    phone: `+49151123457${String(n % 100).padStart(2, '0')}`,
  });
}
