import { NodeHttpHandler, type NodeHttpHandlerOptions } from '@smithy/node-http-handler';

/** How long one AWS SDK call may take, attempts included. */
export interface AwsCallBounds {
  /** TCP (and TLS) connect, DNS included. */
  readonly connectTimeoutMs: number;
  /** One attempt: from the request's start to the response headers, and the longest silence after. */
  readonly requestTimeoutMs: number;
  /** Attempts the SDK makes, the first included. */
  readonly maxAttempts: number;
}

export type AwsService = 'dynamodb' | 'kms' | 'sqs' | 'smsVoice';

/** One bound per client, so a slow service cannot borrow another's share of the deadline. */
export type AwsClientBounds = { readonly [S in AwsService]: AwsCallBounds };

/**
 * The smithy standard retry strategy waits up to 50·2^i ms (full jitter) before retry i+1 of a transient
 * error such as a timeout. Throttling waits longer (base 1 s); callers on a deadline also pass an abort
 * signal, which the retry loop honours during that wait.
 */
const RETRY_BACKOFF_BASE_MS = 50;

/**
 * The request-handler options that make `bounds` real. With @smithy/node-http-handler 4.x,
 * `requestTimeout` alone only logs a warning and leaves the call pending; `throwOnRequestTimeout` makes it
 * destroy the socket and reject with a TimeoutError, which the SDK then retries within `maxAttempts`.
 * Options rather than a handler, for factories that add their own (End User Messaging's socket watch).
 */
export function boundedHandlerOptions(bounds: AwsCallBounds): NodeHttpHandlerOptions {
  return {
    connectionTimeout: bounds.connectTimeoutMs,
    requestTimeout: bounds.requestTimeoutMs,
    throwOnRequestTimeout: true,
    // requestTimeout stops counting when the headers arrive; a body that stalls after them is caught here.
    socketTimeout: bounds.requestTimeoutMs,
  };
}

/**
 * The options every AWS SDK v3 client here is built with: one NodeHttpHandler per client whose timeouts
 * actually end the call (see boundedHandlerOptions); `extra` adds handler options such as an agent.
 */
export function boundedClientConfig(
  bounds: AwsCallBounds,
  extra: NodeHttpHandlerOptions = {},
): {
  requestHandler: NodeHttpHandler;
  maxAttempts: number;
} {
  return {
    requestHandler: new NodeHttpHandler({ ...boundedHandlerOptions(bounds), ...extra }),
    maxAttempts: bounds.maxAttempts,
  };
}

/** The longest a call can take when every attempt times out (throttling aside). */
export function worstCaseMs(bounds: AwsCallBounds): number {
  let total = bounds.maxAttempts * bounds.requestTimeoutMs;
  for (let retry = 0; retry < bounds.maxAttempts - 1; retry++) total += RETRY_BACKOFF_BASE_MS * 2 ** retry;
  return total;
}

/**
 * Bounds for the operator tools (redrive, template import/export): no IdP is waiting, so a slow answer is
 * worth waiting for, but never forever.
 */
export const OPERATOR_CALL_BOUNDS: AwsCallBounds = {
  connectTimeoutMs: 3_000,
  requestTimeoutMs: 10_000,
  maxAttempts: 3,
};

/**
 * The local stack's in-process dynalite: loopback never drops a packet, so only load makes it slow, and a
 * tight timeout would only turn a burst into failed claims. The request deadline still cuts every claim.
 */
export const EMBEDDED_DYNAMODB_BOUNDS: AwsCallBounds = {
  connectTimeoutMs: 1_000,
  requestTimeoutMs: 2_000,
  maxAttempts: 2,
};
