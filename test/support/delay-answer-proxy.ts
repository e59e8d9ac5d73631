/**
 * A TCP proxy in front of a real HTTP service (dynalite, the fake AWS endpoint) that forwards every
 * request at once, so the service applies it, but can hold the service's answer back. A client whose
 * timeout is shorter than the hold gives up and retries: the situation of a write that was applied but
 * whose answer was lost. Requests are told apart by their X-Amz-Target header.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

interface HoldRule {
  readonly operation: string;
  readonly holdMs: number;
  remaining: number;
}

export interface ProxiedRequest {
  /** X-Amz-Target, e.g. "DynamoDB_20120810.PutItem". */
  readonly target: string;
  /** How long its answer was held back (0: passed straight through). */
  readonly heldMs: number;
  readonly at: number;
}

export class DelayAnswerProxy {
  readonly requests: ProxiedRequest[] = [];
  private readonly rules: HoldRule[] = [];
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  /** `upstream`: the service's base URL, e.g. http://127.0.0.1:4567. */
  static async start(upstream: string): Promise<DelayAnswerProxy> {
    const { hostname, port } = new URL(upstream);
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (!address || typeof address === 'string') throw new Error('proxy has no TCP address');
    const proxy = new DelayAnswerProxy(server, `http://127.0.0.1:${address.port}`);
    server.on('connection', (client) => proxy.pipe(client, hostname, Number(port)));
    return proxy;
  }

  /** The answers to the next `times` requests for `operation` ("PutItem") are held `holdMs` each. */
  holdAnswers(operation: string, holdMs: number, times = 1): this {
    this.rules.push({ operation, holdMs, remaining: times });
    return this;
  }

  count(operation: string): number {
    return this.requests.filter((r) => r.target.endsWith(`.${operation}`)).length;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private holdFor(target: string): number {
    const rule = this.rules.find((r) => r.remaining > 0 && target.endsWith(`.${r.operation}`));
    if (!rule) return 0;
    rule.remaining -= 1;
    return rule.holdMs;
  }

  private pipe(client: Socket, host: string, port: number): void {
    const upstream = connect({ host, port });
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    // A client that gave up (its timeout destroyed the socket) takes the upstream side with it; an
    // upstream that closes ends the client's side once what is held has been released.
    client.on('close', () => upstream.destroy());

    // Upstream bytes are released no earlier than this (epoch ms); held ones keep their order.
    let releaseAt = 0;
    let held: Buffer[] = [];
    let timer: NodeJS.Timeout | undefined;
    let upstreamDone = false;
    const flush = () => {
      timer = undefined;
      if (!client.destroyed) for (const chunk of held) client.write(chunk);
      held = [];
      if (upstreamDone) client.end();
    };
    upstream.on('close', () => {
      upstreamDone = true;
      if (!timer) client.end();
    });

    client.on('data', (chunk: Buffer) => {
      // The SDK writes each request's headers in one piece: one X-Amz-Target per request.
      for (const match of chunk.toString('latin1').matchAll(/^x-amz-target:\s*([^\r\n]+)/gim)) {
        const target = (match[1] ?? '').trim();
        const heldMs = this.holdFor(target);
        const at = Date.now();
        this.requests.push({ target, heldMs, at });
        if (heldMs > 0) releaseAt = Math.max(releaseAt, at + heldMs);
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      const wait = releaseAt - Date.now();
      if (wait <= 0 && held.length === 0) {
        client.write(chunk);
        return;
      }
      held.push(chunk);
      timer ??= setTimeout(flush, Math.max(0, wait));
    });
  }
}
