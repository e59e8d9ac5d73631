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
  // Requests dynalite has not answered yet. Its close waits for the LevelDB operations it has started, not
  // for requests still queued behind its item locks: those would run on a closed database ("Database is
  // closed", thrown where nobody can catch it). Answered = it called end(), even on a socket already gone.
  let unanswered = 0;
  server.prependListener('request', (_req, res) => {
    unanswered += 1;
    const end = res.end.bind(res) as (...args: unknown[]) => typeof res;
    let answered = false;
    res.end = ((...args: unknown[]) => {
      if (!answered) {
        answered = true;
        unanswered -= 1;
      }
      return end(...args);
    }) as typeof res.end;
  });
  let closing: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close() {
      closing ??= (async () => {
        // Bounded: a request dynalite never answers must not hold the stack open forever.
        const until = Date.now() + 5_000;
        while (unanswered > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
        await new Promise<void>((resolve, reject) => {
          server.close((err) => (err ? reject(err) : resolve()));
          // Keep-alive sockets from SDK clients would otherwise hold close() open until they time out.
          server.closeAllConnections();
        });
      })();
      return closing;
    },
  };
}
