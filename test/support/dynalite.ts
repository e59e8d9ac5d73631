import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { startEmbeddedDynamo } from '../../app/local/embedded-dynamodb';

export interface TestDynamo {
  readonly endpoint: string;
  readonly client: DynamoDBClient;
  /** Every DynamoDB operation name the client has sent, in order (one entry per command, not per retry). */
  readonly calls: string[];
  close(): Promise<void>;
}

/** A real DynamoDB SDK client against a fresh in-memory dynalite; call `close()` in afterAll. */
export async function startTestDynamo(): Promise<TestDynamo> {
  const dynamo = await startEmbeddedDynamo({});
  const client = createLocalClient(dynamo.endpoint);
  const calls = countCommands(client);
  return {
    endpoint: dynamo.endpoint,
    client,
    calls,
    async close() {
      client.destroy();
      await dynamo.close();
    },
  };
}

export function createLocalClient(endpoint: string, options: { maxAttempts?: number } = {}): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: options.maxAttempts ?? 1,
  });
}

/** Records the operation name of each command sent through `client` (initialize step: once per command). */
export function countCommands(client: DynamoDBClient): string[] {
  const calls: string[] = [];
  client.middlewareStack.add(
    (next, context) => (args) => {
      calls.push(String(context.commandName ?? 'unknown').replace(/Command$/, ''));
      return next(args);
    },
    { step: 'initialize', name: 'testCommandCounter' },
  );
  return calls;
}
