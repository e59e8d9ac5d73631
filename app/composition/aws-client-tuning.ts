/**
 * What the hook's SDK clients leave out on the request path, measured with `npm run bench` and
 * `node --cpu-prof` (README, "Performance"). The clients stay the official ones; only their documented
 * configuration and their middleware stack are touched.
 */

/** Middleware a hook client does without, by the names the SDK registers them under. */
export const UNNEEDED_MIDDLEWARE = [
  // Builds and sets the user-agent headers on every call: AWS's usage metrics, which no API needs.
  'getUserAgentMiddleware',
  // Copies the X-Ray trace id into a header, to stop Lambda → SQS → Lambda loops: none of these calls
  // can start one, and the functions run without X-Ray. (The dead-letter client keeps it.)
  'recursionDetectionMiddleware',
  // Filters every input and output for a logger the clients are never given.
  'loggerMiddleware',
] as const;

type UnneededMiddleware = (typeof UNNEEDED_MIDDLEWARE)[number];

/** The parts of an SDK v3 client (and of its request handler) that tuning touches. */
interface TunableClient {
  readonly middlewareStack: {
    remove(name: string): boolean;
    addRelativeTo(middleware: never, options: never): void;
  };
  readonly config: object;
  send(...args: never[]): Promise<unknown>;
}

interface RequestHandlerLike {
  handle(request: unknown, options?: { abortSignal?: AbortSignal }): Promise<unknown>;
  updateHttpClientConfig?(key: never, value: never): void;
  httpHandlerConfigs?(): unknown;
  destroy?(): void;
  readonly metadata?: unknown;
}

type SignerProvider = (authScheme?: { signingName?: string; signingRegion?: string }) => Promise<unknown>;

/**
 * Trims `client` for the request path:
 * - removes UNNEEDED_MIDDLEWARE (`except` keeps some);
 * - builds the SigV4 signer once per signing name and region: the SDK's default builds a new
 *   SignatureV4 for every request, copying the whole client configuration into it. A signer holds no
 *   per-request state (credentials are asked of the client's own provider at every signature, so
 *   rotation still applies), so one per scope signs every request the same;
 * - resolves the middleware stack once per command (`cacheMiddleware`) even for calls that carry an
 *   abort signal (see shareMiddlewareAcrossAbortableCalls).
 */
export function tuneClient<C extends TunableClient>(
  client: C,
  options: { readonly except?: readonly UnneededMiddleware[] } = {},
): C {
  for (const name of UNNEEDED_MIDDLEWARE) {
    if (!options.except?.includes(name)) client.middlewareStack.remove(name);
  }
  const config = client.config as { signer?: SignerProvider };
  const build = config.signer;
  if (typeof build === 'function') {
    const signers = new Map<string, Promise<unknown>>();
    config.signer = (authScheme) => {
      const scope = `${authScheme?.signingName ?? ''}\u0000${authScheme?.signingRegion ?? ''}`;
      let signer = signers.get(scope);
      if (!signer) {
        signer = build(authScheme);
        // A failed build (credentials not yet resolvable) is not kept: the next request tries again.
        signer.catch(() => signers.delete(scope));
        signers.set(scope, signer);
      }
      return signer;
    };
  }
  return shareMiddlewareAcrossAbortableCalls(client);
}

/** The abort signal a call was sent with, by its command input, then by its signed HTTP request. */
const signalOfInput = new WeakMap<object, AbortSignal>();
const signalOfRequest = new WeakMap<object, AbortSignal>();

/**
 * With `cacheMiddleware`, a client resolves each command's middleware stack once (the SDK documents it:
 * "0–1 ms per request"), but only for calls sent without options — and every call here carries the
 * request's abort signal, so every call paid for a fresh stack: about a third of an SDK call's CPU.
 *
 * Here a call's signal travels beside the call instead of through the stack: `send` keeps it by the
 * command's input and sends without options; a middleware placed after signing hands it on to the
 * signed request; the request handler gives it to the HTTP request, exactly where the SDK would have.
 * So an abort still destroys the socket at once and the call rejects with the handler's AbortError.
 * One difference: the SDK's retry loop no longer sees the signal, so an abort that lands during a
 * backoff wait (≤ 50 ms after a timeout, longer after throttling) takes effect when the wait ends: the
 * next attempt is refused by the handler before anything is written. The caller itself never waits
 * for it (DeliverOtp races every call against its own signal).
 *
 * Calls with other options (a request timeout, a callback) take the SDK's own path, uncached.
 */
function shareMiddlewareAcrossAbortableCalls<C extends TunableClient>(client: C): C {
  const config = client.config as { cacheMiddleware?: boolean; requestHandler?: RequestHandlerLike };
  const inner = config.requestHandler;
  if (!inner || typeof inner.handle !== 'function') return client;
  config.cacheMiddleware = true;
  config.requestHandler = signalFromRequest(inner);
  const stack = client.middlewareStack as unknown as {
    addRelativeTo(
      middleware: (
        next: (args: { input: object; request: object }) => Promise<unknown>,
      ) => (args: { input: object; request: object }) => Promise<unknown>,
      options: { name: string; relation: 'after'; toMiddleware: string; override: boolean },
    ): void;
  };
  stack.addRelativeTo(
    (next) => (args) => {
      const signal = signalOfInput.get(args.input);
      if (signal) signalOfRequest.set(args.request, signal);
      return next(args);
    },
    // After signing: the signer returns a copy of the request, and that copy is what the handler gets.
    {
      name: 'otpCourierCallSignal',
      relation: 'after',
      toMiddleware: 'httpSigningMiddleware',
      override: true,
    },
  );
  const send = client.send as unknown as (command: unknown, ...rest: unknown[]) => Promise<unknown>;
  const sharedSend = function (this: C, command: { input?: object }, ...rest: unknown[]): Promise<unknown> {
    const [options, callback] = rest;
    if (callback === undefined && isSignalOnly(options) && command.input) {
      if (options?.abortSignal) signalOfInput.set(command.input, options.abortSignal);
      return send.call(this, command);
    }
    return send.call(this, command, ...rest);
  };
  Object.defineProperty(client, 'send', { value: sharedSend, writable: true, configurable: true });
  return client;
}

function isSignalOnly(options: unknown): options is { abortSignal?: AbortSignal } | undefined {
  if (options === undefined) return true;
  if (typeof options !== 'object' || options === null) return false;
  for (const key of Object.keys(options)) if (key !== 'abortSignal') return false;
  return true;
}

/** The client's request handler, given each call's abort signal from the request it sends. */
function signalFromRequest(inner: RequestHandlerLike): RequestHandlerLike {
  return {
    handle(request, options = {}) {
      const abortSignal = signalOfRequest.get(request as object);
      if (!abortSignal || abortSignal === options.abortSignal) return inner.handle(request, options);
      return inner.handle(request, { ...options, abortSignal });
    },
    updateHttpClientConfig(key, value) {
      inner.updateHttpClientConfig?.(key, value);
    },
    httpHandlerConfigs() {
      return inner.httpHandlerConfigs?.() ?? {};
    },
    destroy() {
      inner.destroy?.();
    },
    get metadata() {
      return inner.metadata;
    },
  };
}
