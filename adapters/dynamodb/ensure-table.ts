import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';

/**
 * Creates the table if it does not exist and waits until it is ACTIVE. Polls by hand because the
 * SDK's waiter starts at a 20 s delay, far too slow for the local stack and tests.
 */
export async function ensureTable(
  client: DynamoDBClient,
  definition: CreateTableCommandInput,
  options: { timeoutMs?: number; pollMs?: number } = {},
): Promise<{ created: boolean }> {
  const tableName = definition.TableName;
  let created = false;
  if ((await describeStatus(client, tableName)) === undefined) {
    try {
      await client.send(new CreateTableCommand(definition));
      created = true;
    } catch (err) {
      // Another process (a second local start, a parallel test) created it first: fine.
      if (!(err instanceof ResourceInUseException)) throw err;
    }
  }
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    const status = await describeStatus(client, tableName);
    if (status === 'ACTIVE') return { created };
    if (Date.now() > deadline)
      throw new Error(`table ${tableName} not ACTIVE (status ${status ?? 'missing'})`);
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 250));
  }
}

async function describeStatus(
  client: DynamoDBClient,
  tableName: string | undefined,
): Promise<string | undefined> {
  try {
    const out = await client.send(new DescribeTableCommand({ TableName: tableName }));
    return out.Table?.TableStatus ?? 'UNKNOWN';
  } catch (err) {
    if (err instanceof ResourceNotFoundException) return undefined;
    throw err;
  }
}
