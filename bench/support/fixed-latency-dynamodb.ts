import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in DynamoDB that answers every call after exactly `delayMs` and does no work: every claim is
 * free, every counter reads 1. Against it, a request's latency is its client-side work plus its round
 * trips on the critical path, which is what the brakes must not lengthen (dynalite, doing the real work
 * in the same process, adds its own CPU to every call).
 */
export async function startFixedLatencyDynamo(
  delayMs: number,
): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const operation = String(req.headers['x-amz-target'] ?? '')
        .split('.')
        .pop();
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as {
        Key?: { pk?: { S?: string } };
      };
      const counter = operation === 'UpdateItem' && body.Key?.pk?.S?.startsWith('rate#');
      const answer = counter ? { Attributes: { total: { N: '1' } } } : {};
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(JSON.stringify(answer));
      }, delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
