import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbTemplateStore } from '../../adapters/dynamodb/dynamodb-template-store';
import { ensureTemplateTable } from '../../adapters/dynamodb/template-table';
import { PowertoolsLoggerAdapter } from '../../adapters/powertools/powertools-logger';
import { boundedClientConfig, OPERATOR_CALL_BOUNDS } from '../composition/aws-call-bounds';
import { loadLocalConfig } from '../config/local-config';
import { startEmbeddedDynamo } from '../local/embedded-dynamodb';
import { DYNAMO_ENDPOINT_FILE } from '../local/local-stack';

export interface TemplateTable {
  readonly store: DynamoDbTemplateStore;
  readonly description: string;
  /** The running local stack's dynalite, when that is what was opened. */
  readonly localEndpoint?: string;
  close(): Promise<void>;
}

export interface OpenTemplateTableOptions {
  /**
   * When no local stack is running, open its data dir in this process (the default, for one-shot CLI
   * commands) or, with false, throw NoLocalStackError: a long-running tool such as the console must not
   * hold LevelDB's one-process lock and stop `npm start` from starting.
   */
  readonly embedded?: boolean;
}

export class NoLocalStackError extends Error {
  override readonly name = 'NoLocalStackError';
}

/**
 * Finds the templates table an operator command should act on:
 *   --endpoint / DYNAMODB_ENDPOINT → that DynamoDB API (table TEMPLATE_TABLE);
 *   AWS_REGION with TEMPLATE_TABLE → the deployed table in AWS (credentials from the usual chain);
 *   otherwise the local stack's table: the running `npm start`'s dynalite if there is one, else the
 *   data dir opened directly.
 */
export async function openTemplateTable(
  env: NodeJS.ProcessEnv,
  endpoint?: string,
  options: OpenTemplateTableOptions = {},
): Promise<TemplateTable> {
  const config = loadLocalConfig(env);
  const logger = new PowertoolsLoggerAdapter({ serviceName: 'otp-courier-templates', level: 'WARN' });
  const explicit = endpoint ?? env.DYNAMODB_ENDPOINT;
  if (explicit || (env.AWS_REGION && env.TEMPLATE_TABLE)) {
    const client = new DynamoDBClient({
      ...(explicit ? { endpoint: explicit } : {}),
      ...boundedClientConfig(OPERATOR_CALL_BOUNDS),
    });
    return {
      store: new DynamoDbTemplateStore(client, { tableName: config.templateTable }, logger),
      description: `${config.templateTable} at ${explicit ?? `AWS ${env.AWS_REGION}`}`,
      close: async () => client.destroy(),
    };
  }
  const running = await runningLocalEndpoint(config.dataDir);
  if (!running && options.embedded === false) {
    throw new NoLocalStackError(
      `no local stack is running for ${config.dataDir}: start it with npm start (same DATA_DIR), ` +
        'or set AWS_REGION and TEMPLATE_TABLE for the deployed table',
    );
  }
  const embedded = running
    ? undefined
    : await startEmbeddedDynamo({ path: join(config.dataDir, 'dynamodb') });
  const client = new DynamoDBClient({
    endpoint: running ?? embedded?.endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    ...boundedClientConfig(OPERATOR_CALL_BOUNDS),
  });
  await ensureTemplateTable(client, config.templateTable);
  return {
    store: new DynamoDbTemplateStore(client, { tableName: config.templateTable }, logger),
    description: `${config.templateTable} in the local stack (${running ? 'running npm start' : config.dataDir})`,
    ...(running ? { localEndpoint: running } : {}),
    async close() {
      client.destroy();
      await embedded?.close();
    },
  };
}

/** The dynalite endpoint a running `npm start` advertises in its data dir, if it answers. */
export async function runningLocalEndpoint(dataDir: string): Promise<string | undefined> {
  try {
    const endpoint = (await readFile(join(dataDir, DYNAMO_ENDPOINT_FILE), 'utf8')).trim();
    const response = await fetch(endpoint, { method: 'GET', signal: AbortSignal.timeout(500) });
    await response.body?.cancel();
    return endpoint;
  } catch {
    return undefined;
  }
}
