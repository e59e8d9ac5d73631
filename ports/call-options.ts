/**
 * How a caller bounds one port call: the adapter stops (and rejects) when the signal fires. The use case
 * aborts every call still running at the request's deadline, so nothing is left running after the reply:
 * Lambda freezes the environment when the handler returns, mid-call.
 */
export interface CallOptions {
  readonly signal?: AbortSignal;
}
