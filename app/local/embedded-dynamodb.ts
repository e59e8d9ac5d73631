import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';

export interface EmbeddedDynamo {
  /** http://127.0.0.1:<port>, for a DynamoDBClient's `endpoint`. */
  readonly endpoint: string;
  close(): Promise<void>;
}

/**
 * Starts dynalite (a DynamoDB API server on LevelDB) inside this process, on 127.0.0.1 only and on a
 * free port, so the local stack and tests need no Docker and no AWS account.
 */
export async function startEmbeddedDynamo(
  options: { /** LevelDB directory; omit for an in-memory store. */ path?: string } = {},
): Promise<EmbeddedDynamo> {
  // Table state transitions are instant: the local stack should not wait for a simulated CREATING.
  const server = dynalite({
    ...(options.path ? { path: options.path } : {}),
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close() {
      // Keep-alive sockets from SDK clients would otherwise hold close() open until they time out.
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
