/**
 * A keyed one-way fingerprint (HMAC) of values that must not be stored, such as
 * (channel, phone, passcode). Without the key nobody can test guesses against it.
 */
export interface Fingerprinter {
  fingerprint(parts: readonly string[]): Promise<string>;
}
