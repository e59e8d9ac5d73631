/**
 * A TCP proxy in front of a local endpoint (the fake AWS endpoint, dynalite) that misbehaves the way a
 * network does between a client and a provider: it can let a request through to the provider, let the
 * provider act on it, and cut the connection before the answer gets back, or hold the answer back for a
 * while. The client is the real SDK over a real socket; only the wire in between is scripted.
 */

import type { AddressInfo } from 'node:net';
import { connect, createServer, type Server, type Socket } from 'node:net';

export type AnswerFault =
  /** The provider's answer is dropped and the client's connection reset (RST): ECONNRESET. */
  | { readonly type: 'reset' }
  /** The provider's answer is dropped and the client's connection closed (FIN): "socket hang up". */
  | { readonly type: 'close' }
  /** The provider's answer reaches the client `ms` later. */
  | { readonly type: 'delay'; readonly ms: number };

export class CuttingTcpProxy {
  /** How many answers were cut (reset or closed) so far. */
  cut = 0;
  /** How many delayed answers the client stopped waiting for (it closed the connection first). */
  abandoned = 0;
  private readonly faults: AnswerFault[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly matchers: ((request: string) => boolean)[] = [];

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(target: string): Promise<CuttingTcpProxy> {
    const { hostname, port } = new URL(target);
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const proxy = new CuttingTcpProxy(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    server.on('connection', (client) => proxy.relay(client, hostname, Number(port)));
    return proxy;
  }

  /**
   * The next `times` answers to requests whose raw text (request line, headers, body) matches `when`
   * (default: any) get `fault`. The request itself always reaches the provider whole.
   */
  faultNextAnswers(
    fault: AnswerFault,
    options: { times?: number; when?: (request: string) => boolean } = {},
  ) {
    for (let i = 0; i < (options.times ?? 1); i++) {
      this.faults.push(fault);
      this.matchers.push(options.when ?? (() => true));
    }
    return this;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private relay(client: Socket, host: string, port: number): void {
    const upstream = connect(port, host);
    this.sockets.add(client).add(upstream);
    // The fault chosen for the answer to the request last seen on this connection (keep-alive: one at a time).
    let pending: AnswerFault | undefined;
    client.on('data', (chunk: Buffer) => {
      const text = chunk.toString('latin1');
      const i = this.matchers.findIndex((match) => match(text));
      if (i >= 0 && /^[A-Z]+ \S+ HTTP\/1\.1\r\n/.test(text)) {
        pending = this.faults.splice(i, 1)[0];
        this.matchers.splice(i, 1);
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      const fault = pending;
      if (!fault) return void client.write(chunk);
      if (fault.type === 'delay') {
        upstream.pause();
        const gaveUp = () => {
          this.abandoned += 1;
        };
        client.once('close', gaveUp);
        setTimeout(() => {
          client.off('close', gaveUp);
          pending = undefined;
          if (!client.destroyed) client.write(chunk);
          upstream.resume();
        }, fault.ms);
        return;
      }
      // The provider has answered, so it has read and acted on the whole request: cut it off here.
      this.cut += 1;
      pending = undefined;
      upstream.destroy();
      if (fault.type === 'reset') client.resetAndDestroy();
      else client.destroy();
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', () => {
      this.sockets.delete(client);
      upstream.destroy();
    });
    upstream.on('error', end).on('close', () => {
      this.sockets.delete(upstream);
      client.destroy();
    });
  }
}
