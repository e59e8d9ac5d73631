import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { DynamoDbMessageLedger } from '../../adapters/dynamodb/dynamodb-message-ledger';
import { type ClaimRecord, readEventClaim } from '../../adapters/dynamodb/idempotency-claim-reader';
import { ensureMessageTable } from '../../adapters/dynamodb/message-table';
import { KmsDerivedFingerprinter } from '../../adapters/kms/kms-derived-fingerprinter';
import { HmacFingerprinter } from '../../adapters/local/hmac-fingerprinter';
import { SystemClock } from '../../adapters/local/system-clock';
import type { Fingerprinter } from '../../ports/fingerprinter';
import type { MessageHistory } from '../../ports/message-history';
import { boundedClientConfig, OPERATOR_CALL_BOUNDS } from '../composition/aws-call-bounds';
import { loadLocalConfig } from '../config/local-config';
import { loadOrCreateDevSecrets } from '../local/dev-secrets';
import { startEmbeddedDynamo } from '../local/embedded-dynamodb';
import { runningLocalEndpoint } from './template-table';

/** Where an operator reads messages from: the ledger, and each event's claim when it can be keyed. */
export interface MessageSources {
  readonly history: MessageHistory;
  /** The claim of an IdP event; undefined when no fingerprint key is at hand. */
  claimOf(idp: string, eventId: string): Promise<ClaimRecord | undefined>;
  readonly description: string;
  close(): Promise<void>;
}

/**
 * AWS_REGION with MESSAGES_TABLE → the deployed tables (IDEMPOTENCY_TABLE and FINGERPRINT_KMS_KEY_ID,
 * when set, add each event's claim: the operator then needs kms:GenerateMac on the fingerprint key);
 * otherwise the local stack: the running `npm start`'s dynalite, or its data dir opened directly.
 */
export async function openMessageSources(env: NodeJS.ProcessEnv): Promise<MessageSources> {
  const clock = new SystemClock();
  if (env.AWS_REGION && env.MESSAGES_TABLE) {
    const client = new DynamoDBClient(boundedClientConfig(OPERATOR_CALL_BOUNDS));
    const kms = env.FINGERPRINT_KMS_KEY_ID
      ? new KMSClient(boundedClientConfig(OPERATOR_CALL_BOUNDS))
      : undefined;
    const fingerprinter =
      kms && env.FINGERPRINT_KMS_KEY_ID
        ? new KmsDerivedFingerprinter(kms, { keyId: env.FINGERPRINT_KMS_KEY_ID, clock })
        : undefined;
    return {
      history: new DynamoDbMessageLedger(client, { tableName: env.MESSAGES_TABLE }, clock),
      claimOf: claims(client, env.IDEMPOTENCY_TABLE, fingerprinter),
      description: `${env.MESSAGES_TABLE} in AWS ${env.AWS_REGION}`,
      async close() {
        client.destroy();
        kms?.destroy();
      },
    };
  }
  const config = loadLocalConfig(env);
  const running = await runningLocalEndpoint(config.dataDir);
  const embedded = running
    ? undefined
    : await startEmbeddedDynamo({ path: join(config.dataDir, 'dynamodb') });
  const client = new DynamoDBClient({
    endpoint: running ?? embedded?.endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    ...boundedClientConfig(OPERATOR_CALL_BOUNDS),
  });
  await ensureMessageTable(client, config.messagesTable);
  const secrets = await loadOrCreateDevSecrets(config.dataDir);
  return {
    history: new DynamoDbMessageLedger(client, { tableName: config.messagesTable }, clock),
    claimOf: claims(client, config.idempotencyTable, new HmacFingerprinter(secrets.fingerprintKey)),
    description: `the local stack (${running ? 'running npm start' : config.dataDir})`,
    async close() {
      client.destroy();
      await embedded?.close();
    },
  };
}

function claims(client: DynamoDBClient, table: string | undefined, fingerprinter: Fingerprinter | undefined) {
  return async (idp: string, eventId: string) => {
    if (!table || !fingerprinter) return undefined;
    const key = await fingerprinter.fingerprint(['event', idp, eventId]);
    return readEventClaim(client, table, key);
  };
}
