/**
 * `npx tsx bench/sdk-call-cost.ts [calls] [rounds]`: CPU per DynamoDB UpdateItem through the SDK v3 client,
 * as main builds it and as the hook builds it now (aws-client-tuning.ts), against a server in another
 * process that answers at once; and the same request over plain node:http, the floor under any client.
 * The variants alternate round by round, so a shared machine's load falls on each alike; the medians are
 * compared, not the absolute figures. Issue 10's "what moved it" evidence.
 */
import { fork } from 'node:child_process';
import { Agent, request } from 'node:http';
import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { boundedClientConfig } from '../app/composition/aws-call-bounds';
import { tuneClient } from '../app/composition/aws-client-tuning';
import { loadHookCallBounds } from '../app/config/aws-call-bounds-config';

const calls = Number(process.argv[2] ?? 2_000);
const rounds = Number(process.argv[3] ?? 7);
Object.assign(process.env, {
  AWS_ACCESS_KEY_ID: 'AKIDBENCH',
  AWS_SECRET_ACCESS_KEY: 'bench-secret',
  AWS_REGION: 'us-east-1',
});

const SERVER = `
const http = require('node:http');
const body = JSON.stringify({ Attributes: { total: { N: '1' } } });
http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'r', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
}).listen(0, '127.0.0.1', function () { process.send(this.address().port); });
`;
const server = fork('-e', [SERVER], { execArgv: ['-e', SERVER], stdio: 'inherit' });
// A failed run must not leave the server holding the terminal.
process.once('exit', () => server.kill());
const port = await new Promise<number>((resolve) => server.once('message', (p) => resolve(Number(p))));
const endpoint = `http://127.0.0.1:${port}`;
const bounds = loadHookCallBounds({}).dynamodb;

const tunedConfig = () => ({
  ...boundedClientConfig(bounds),
  endpoint,
  accountIdEndpointMode: 'disabled' as const,
});
const tuned = () => tuneClient(new DynamoDBClient(tunedConfig()));

// Candidates measured for issue 10 (README, "Performance"); kept only what paid for itself.
// Not a variant: without the SDK's retry middleware no call can be made at all (its signing middleware
// is placed relative to it: "retryMiddleware is not found when adding httpSigningMiddleware").
// `endpointProvider` is documented client configuration: the endpoint resolved once, returned as is.
const probe = new DynamoDBClient(tunedConfig());
const resolvedOnce = await probe.config.endpointProvider({ Region: 'us-east-1', Endpoint: endpoint });
probe.destroy();

type Call = () => Promise<unknown>;
const viaSdk =
  (client: DynamoDBClient): Call =>
  () =>
    client.send(command(), { abortSignal: signal });
const signal = new AbortController().signal;

const allVariants: Record<string, Call> = {
  'as on main (bounded)': viaSdk(new DynamoDBClient({ ...boundedClientConfig(bounds), endpoint })),
  'tuned (aws-client-tuning)': viaSdk(tuned()),
  'tuned, endpoint resolved once': viaSdk(
    tuneClient(new DynamoDBClient({ ...tunedConfig(), endpointProvider: () => resolvedOnce })),
  ),
  // The floor under any client: the same request body and headers over a keep-alive node:http agent,
  // unsigned, the response parsed as JSON. What is above it is the SDK's pipeline.
  'node:http, no SDK (floor)': plainHttpCall(),
};

const command = () =>
  new UpdateItemCommand({
    TableName: 'idempotency',
    Key: { pk: { S: 'counter#phone#+14155550123#2026-11-29T07' } },
    UpdateExpression: 'ADD #f0 :a0 SET #expiresAt = if_not_exists(#expiresAt, :expiresAt)',
    ExpressionAttributeNames: { '#f0': 'total', '#expiresAt': 'expiresAt' },
    ExpressionAttributeValues: { ':a0': { N: '1' }, ':expiresAt': { N: '1800000000' } },
    ReturnValues: 'UPDATED_NEW',
  });

function plainHttpCall(): Call {
  const agent = new Agent({ keepAlive: true });
  const { port: serverPort } = new URL(endpoint);
  return () => {
    const input = command().input;
    const body = JSON.stringify(input);
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: serverPort,
          method: 'POST',
          path: '/',
          agent,
          headers: {
            'content-type': 'application/x-amz-json-1.0',
            'x-amz-target': 'DynamoDB_20120810.UpdateItem',
            'content-length': Buffer.byteLength(body),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  };
}

async function measure(call: Call, n: number): Promise<number> {
  const before = process.cpuUsage();
  for (let i = 0; i < n; i++) await call();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / n;
}

// ONLY=<words> keeps the variants whose name contains them (for a --cpu-prof of one).
const variants = Object.fromEntries(
  Object.entries(allVariants).filter(([name]) => !process.env.ONLY || name.includes(process.env.ONLY)),
);
for (const call of Object.values(variants)) await measure(call, 500);
const samples: Record<string, number[]> = {};
for (let round = 0; round < rounds; round++) {
  for (const [name, call] of Object.entries(variants)) {
    const own = samples[name] ?? [];
    own.push(await measure(call, calls));
    samples[name] = own;
  }
}
for (const [name, values] of Object.entries(samples)) {
  const sorted = [...values].sort((a, b) => a - b);
  console.log(
    `${name.padEnd(30)} median ${sorted[Math.floor(sorted.length / 2)]?.toFixed(0)} µs CPU/call  (${sorted.map((v) => v.toFixed(0)).join(' ')})`,
  );
}
server.kill();
