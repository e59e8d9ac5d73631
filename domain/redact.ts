/**
 * Defence in depth for text that leaves the process (logs, dead-letter error messages): even if an
 * upstream library echoed a request back into an error message, the passcode is cut out of it.
 */
export function redactSecret(text: string, secret: string): string {
  if (secret.length === 0) return text;
  return text.split(secret).join('[redacted]');
}
