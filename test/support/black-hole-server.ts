/**
 * A TCP endpoint that accepts every connection, reads whatever is sent, and never answers: the failure
 * a hung load balancer, a half-dead host or a stalled service shows a client. Unlike an HTTP server told
 * to hang, nothing above TCP is ever spoken, so the only thing that can end a call is the client's own
 * timeout or abort.
 */
import { createServer, type Server, type Socket } from 'node:net';

export interface SwallowedRequest {
  /** The X-Amz-Target header of the request, if any ("DynamoDB_20120810.PutItem"). */
  readonly target: string;
  /** Epoch ms when its first bytes arrived. */
  readonly at: number;
}

export class BlackHoleServer {
  /** One entry per connection that sent something (an SDK client sends one request per connection while it waits). */
  readonly requests: SwallowedRequest[] = [];
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<BlackHoleServer> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (!address || typeof address === 'string') throw new Error('black hole has no TCP address');
    const hole = new BlackHoleServer(server, `http://127.0.0.1:${address.port}`);
    server.on('connection', (socket) => hole.swallow(socket));
    return hole;
  }

  /** How many requests for this operation ("PutItem") or target arrived. */
  count(operation: string): number {
    return this.requests.filter((r) => r.target === operation || r.target.endsWith(`.${operation}`)).length;
  }

  /** Connections still open: a client that gave up closes its socket. */
  get openConnections(): number {
    return this.sockets.size;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private swallow(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
    let head = '';
    let recorded = false;
    socket.on('data', (chunk: Buffer) => {
      if (recorded) return;
      const at = Date.now();
      head += chunk.toString('latin1');
      const target = /^x-amz-target:\s*([^\r\n]+)/im.exec(head)?.[1]?.trim();
      // Headers complete (or the target seen): one request, whatever else follows on this socket.
      if (target !== undefined || head.includes('\r\n\r\n')) {
        recorded = true;
        this.requests.push({ target: target ?? '', at });
      }
    });
  }
}
