/**
 * `npx tsx bench/sdk-config-spread.ts [iterations] [rounds]`: what the SDK's per-call copies of the client
 * configuration cost. Each call of a hook client copies its whole resolved configuration three times: the
 * endpoint middleware (`{ ...config }`), schema serialisation (`{ ...config, ...context, endpoint }`) and
 * schema deserialisation (`{ ...config, ...context }`), in @smithy/core. The configuration is a
 * dictionary-mode object (the SDK redefines `credentials` as an accessor after building it), so each copy
 * takes V8's slow path. Measured on the tuned DynamoDB client as the hook builds it (compare with one
 * whole call, `bench/sdk-call-cost.ts`), and on a plain-object copy of the same configuration: if that
 * were much cheaper, making the configuration a fast-properties object would pay; it is not (about 50
 * keys make a large object either way), so only fewer copies would. Run with
 * `node --allow-natives-syntax --import tsx bench/sdk-config-spread.ts` to see the dictionary mode.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { boundedClientConfig } from '../app/composition/aws-call-bounds';
import { tuneClient } from '../app/composition/aws-client-tuning';
import { loadHookCallBounds } from '../app/config/aws-call-bounds-config';

const iterations = Number(process.argv[2] ?? 20_000);
const rounds = Number(process.argv[3] ?? 5);
Object.assign(process.env, {
  AWS_ACCESS_KEY_ID: 'AKIDBENCH',
  AWS_SECRET_ACCESS_KEY: 'bench-secret',
  AWS_REGION: 'us-east-1',
});
const client = tuneClient(
  new DynamoDBClient({
    ...boundedClientConfig(loadHookCallBounds({}).dynamodb),
    endpoint: 'http://127.0.0.1:1',
    accountIdEndpointMode: 'disabled',
  }),
);
const config = client.config as unknown as Record<string, unknown>;
// A handler context as a call has it by serialisation time (keys the SDK sets; values do not matter).
const context: Record<string, unknown> = {
  logger: {},
  clientName: 'DynamoDBClient',
  commandName: 'UpdateItemCommand',
  inputFilterSensitiveLog: () => undefined,
  outputFilterSensitiveLog: () => undefined,
  __smithy_context: { service: 'DynamoDB_20120810', operation: 'UpdateItem' },
  endpointV2: { url: new URL('http://127.0.0.1:1') },
  authSchemes: undefined,
  userAgent: undefined,
};
const endpoint = async () => ({});
let sink: unknown;
const spreads = () => {
  sink = { ...config };
  sink = { ...config, ...context, endpoint };
  sink = { ...config, ...context };
};
const plain = { ...config };
const spreadsOfPlainCopy = () => {
  sink = { ...plain };
  sink = { ...plain, ...context, endpoint };
  sink = { ...plain, ...context };
};
function measure(work: () => void): number {
  const before = process.cpuUsage();
  for (let i = 0; i < iterations; i++) work();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / iterations;
}
measure(spreads);
measure(spreadsOfPlainCopy);
const results: Record<string, number[]> = { config: [], plain: [] };
for (let r = 0; r < rounds; r++) {
  results.config?.push(measure(spreads));
  results.plain?.push(measure(spreadsOfPlainCopy));
}
const med = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
console.log(
  `client configuration: ${Object.keys(config).length} keys; dictionary mode: ${!hasFastProperties(config)}`,
);
console.log(
  `three copies per call, the client's configuration: median ${med(results.config ?? []).toFixed(1)} µs CPU (${(results.config ?? []).map((v) => v.toFixed(1)).join(' ')})`,
);
console.log(
  `the same three of a plain-object copy of it: median ${med(results.plain ?? []).toFixed(1)} µs CPU (${(results.plain ?? []).map((v) => v.toFixed(1)).join(' ')})`,
);
void sink;
client.destroy();

/** V8's own answer, when run with --allow-natives-syntax; otherwise unknown (reported as fast). */
function hasFastProperties(object: object): boolean {
  try {
    return new Function('o', 'return %HasFastProperties(o)')(object) as boolean;
  } catch {
    return true;
  }
}
