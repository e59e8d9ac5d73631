import {
  type ClientRequest,
  Agent as HttpAgent,
  request as httpRequest,
  type IncomingMessage,
} from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';

/**
 * How far one request got, as its own socket and stream tell it. That, not the error's text, decides
 * whether Twilio may have received it: a request whose last byte never left this process cannot have
 * been acted on (Twilio reads a whole form body before creating anything), one that left whole may have.
 */
export interface WireProgress {
  /** The socket could carry the request (TCP connected, TLS handshake done, or a kept-alive socket). */
  connected: boolean;
  /** The whole request, body included, was handed to the operating system. */
  written: boolean;
  /** Twilio's status line arrived. */
  answered: boolean;
}

/** A request that ended without a whole answer. `code` is the socket error code, when there is one. */
export class TwilioWireError extends Error {
  override readonly name = 'TwilioWireError';
  constructor(
    readonly progress: Readonly<WireProgress>,
    readonly code: string | undefined,
    /** What cut it: our abort (deadline), our connect timeout, the network, or an answer we could not read. */
    readonly why: 'abort' | 'connect-timeout' | 'network' | 'answer-unreadable',
    /** The HTTP status, when the status line arrived before the failure. */
    readonly status?: number,
  ) {
    super(`Twilio request failed (${why}${code ? ` ${code}` : ''})`);
  }
}

export interface TwilioAnswer {
  readonly status: number;
  /** The parsed JSON body; undefined when it was not JSON. */
  readonly body: unknown;
}

export interface PostFormOptions {
  readonly signal: AbortSignal;
  /** A TCP (and TLS) connection not made within this is abandoned, surely before anything was sent. */
  readonly connectTimeoutMs: number;
  readonly agents: TwilioAgents;
}

export interface TwilioAgents {
  readonly http: HttpAgent;
  readonly https: HttpsAgent;
}

// Twilio's answers are a few KB; anything much larger is not Twilio.
const MAX_ANSWER_BYTES = 256 * 1024;

/**
 * Kept-alive agents: a new TLS connection to Twilio costs a round trip or two. Idle sockets are closed
 * after 30 s, before a load balancer would drop them silently (a request written into a dead kept-alive
 * socket cannot be told from one Twilio read and then lost, so it would count as uncertain).
 */
export function twilioAgents(): TwilioAgents {
  const options = { keepAlive: true, maxSockets: 50, timeout: 30_000 };
  return { http: new HttpAgent(options), https: new HttpsAgent(options) };
}

/**
 * POSTs a form to Twilio with Basic authentication and reads its JSON answer, watching the request's
 * progress on the wire. Resolves with any HTTP answer (2xx or not); rejects with TwilioWireError when no
 * whole answer came. Neither the form, the credentials nor the answer's text reach an error.
 */
export function postForm(
  url: URL,
  form: URLSearchParams,
  auth: { readonly username: string; readonly password: string },
  options: PostFormOptions,
): Promise<TwilioAnswer> {
  const body = Buffer.from(form.toString(), 'utf8');
  const progress: WireProgress = { connected: false, written: false, answered: false };
  const secure = url.protocol === 'https:';
  return new Promise<TwilioAnswer>((resolve, reject) => {
    let settled = false;
    let connectTimer: NodeJS.Timeout | undefined;
    let cause: TwilioWireError['why'] = 'network';
    let status: number | undefined;
    const fail = (code: string | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(connectTimer);
      reject(new TwilioWireError({ ...progress }, code, cause, status));
    };
    const send = secure ? httpsRequest : httpRequest;
    const req: ClientRequest = send(url, {
      method: 'POST',
      agent: secure ? options.agents.https : options.agents.http,
      headers: {
        authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`, 'utf8').toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
        'content-length': body.length,
        accept: 'application/json',
        'user-agent': 'otp-courier',
      },
    });
    const onAbort = () => {
      cause = 'abort';
      req.destroy();
    };
    if (options.signal.aborted) onAbort();
    else options.signal.addEventListener('abort', onAbort, { once: true });
    req.on('close', () => {
      options.signal.removeEventListener('abort', onAbort);
      // A request destroyed before it had a socket closes without an error event.
      if (!settled && progress.answered && cause === 'network') cause = 'answer-unreadable';
      fail(undefined);
    });

    req.on('socket', (socket: Socket) => {
      const ready = secure ? 'secureConnect' : 'connect';
      // A kept-alive socket is connected already (a fresh one is still connecting when it is handed over);
      // a fresh one is connected once its TCP, and for https its TLS, handshake is done.
      if (!socket.connecting) {
        progress.connected = true;
        return;
      }
      connectTimer = setTimeout(() => {
        if (progress.connected) return;
        cause = 'connect-timeout';
        req.destroy();
      }, options.connectTimeoutMs);
      socket.once(ready, () => {
        progress.connected = true;
        clearTimeout(connectTimer);
      });
    });
    req.on('finish', () => {
      progress.written = true;
    });
    req.on('error', (error: NodeJS.ErrnoException) =>
      fail(typeof error.code === 'string' ? error.code : undefined),
    );
    req.on('response', (res: IncomingMessage) => {
      progress.answered = true;
      status = res.statusCode ?? 0;
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_ANSWER_BYTES) {
          cause = 'answer-unreadable';
          res.destroy();
          req.destroy();
          return;
        }
        chunks.push(chunk);
      });
      res.on('error', () => {
        if (cause === 'network') cause = 'answer-unreadable';
        fail(undefined);
      });
      res.on('aborted', () => {
        if (cause === 'network') cause = 'answer-unreadable';
        fail(undefined);
      });
      res.on('end', () => {
        if (settled) return;
        settled = true;
        clearTimeout(connectTimer);
        resolve({ status: status ?? 0, body: parseJson(Buffer.concat(chunks).toString('utf8')) });
      });
    });
    req.end(body);
  });
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}
