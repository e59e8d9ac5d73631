/**
 * A keyed one-way fingerprint (HMAC) of values that must not be stored, such as
 * (channel, phone, passcode). Without the key nobody can test guesses against it.
 */
export interface Fingerprinter {
  /**
   * `signal` aborts at the request's deadline: the call then rejects promptly, even if the key it needs
   * is still being fetched for other requests.
   */
  fingerprint(parts: readonly string[], options?: { readonly signal?: AbortSignal }): Promise<string>;
}
