import { AsyncLocalStorage } from 'node:async_hooks';
import { type AgentOptions, type ClientRequest, type ClientRequestArgs, Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent, type AgentOptions as HttpsAgentOptions } from 'node:https';
import type { Duplex } from 'node:stream';
import { TLSSocket } from 'node:tls';

/**
 * What one provider call did on the wire, as far as its socket can tell: whether the request ever had a
 * connection able to carry it. An error alone cannot say it: the SDK reports a connect timeout and a
 * response that never came with the same TimeoutError, and an abort looks the same before the
 * connection and after the request left.
 */
export class WireObservation {
  /** A socket was handed to the request (a fresh one, or one kept alive from an earlier call). */
  socketAssigned = false;
  /**
   * The socket could carry the request (TCP connected, and for HTTPS the TLS handshake done). From then
   * on the request may have reached the provider, whatever happens next.
   */
  connected = false;
}

const current = new AsyncLocalStorage<WireObservation>();
/** Provider calls under observation right now. */
let observing = 0;

/**
 * Runs one provider call with `observation` collecting what its socket does. The agents below find the
 * observation through the async context the call runs in: the SDK creates the HTTP request
 * synchronously inside the call's own promise chain, so the context is the call's.
 *
 * The storage is switched off again once no call is under observation. On Node.js before 24 (no
 * AsyncContextFrame), an AsyncLocalStorage that has run once keeps a promise hook on for the whole
 * process for good: every promise any code creates afterwards (the SDK makes dozens per DynamoDB call)
 * pays it, about 0.4 ms of CPU per request on the shipped path. `run` switches it back on for the next
 * call; nothing reads an observation outside its call (a socket's connect listener holds its own).
 */
export async function observeWire<T>(observation: WireObservation, call: () => Promise<T>): Promise<T> {
  observing += 1;
  try {
    return await current.run(observation, call);
  } finally {
    observing -= 1;
    if (observing === 0) current.disable();
  }
}

function watchNew(socket: Duplex | null | undefined): void {
  const observation = current.getStore();
  if (!observation || !socket) return;
  observation.socketAssigned = true;
  const ready = socket instanceof TLSSocket ? 'secureConnect' : 'connect';
  socket.once(ready, () => {
    observation.connected = true;
  });
}

function watchReused(): void {
  const observation = current.getStore();
  if (!observation) return;
  // A kept-alive socket is already connected: whatever it is handed may reach the provider.
  observation.socketAssigned = true;
  observation.connected = true;
}

/**
 * HTTP and HTTPS agents that report each call's socket to its WireObservation. Only the agent's
 * documented extension points are used (createConnection for a new socket, reuseSocket for a kept-alive
 * one). Requests queued behind a full pool get their socket outside the call's context, so they report
 * nothing, and their errors are classified by error shape alone (the conservative way).
 */
export function wireObservingAgents(options: AgentOptions = {}): {
  httpAgent: HttpAgent;
  httpsAgent: HttpsAgent;
} {
  const agentOptions = { keepAlive: true, maxSockets: 50, ...options };
  class ObservingHttpAgent extends HttpAgent {
    override createConnection(
      args: ClientRequestArgs,
      callback?: (err: Error | null, stream: Duplex) => void,
    ): Duplex | null | undefined {
      const socket = super.createConnection(args, callback);
      watchNew(socket);
      return socket;
    }
    override reuseSocket(socket: Duplex, request: ClientRequest): void {
      super.reuseSocket(socket, request);
      watchReused();
    }
  }
  class ObservingHttpsAgent extends HttpsAgent {
    override createConnection(
      args: ClientRequestArgs,
      callback?: (err: Error | null, stream: Duplex) => void,
    ): Duplex | null | undefined {
      const socket = super.createConnection(args, callback);
      watchNew(socket);
      return socket;
    }
    override reuseSocket(socket: Duplex, request: ClientRequest): void {
      super.reuseSocket(socket, request);
      watchReused();
    }
  }
  return {
    httpAgent: new ObservingHttpAgent(agentOptions),
    httpsAgent: new ObservingHttpsAgent(agentOptions as HttpsAgentOptions),
  };
}
