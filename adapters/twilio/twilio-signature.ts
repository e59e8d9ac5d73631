import { createHmac, timingSafeEqual } from 'node:crypto';

/** Form parameters as received; a name Twilio repeats carries every value. */
export type SignedParams = Readonly<Record<string, string | readonly string[]>>;

/**
 * X-Twilio-Signature, as Twilio computes it for a form-encoded webhook: the full URL it requested (query
 * string included, exactly as sent), then every POST parameter sorted by name, each as name + value with
 * no separator (a repeated name once per value, values sorted), HMAC-SHA1 under the account's auth token,
 * base64. Written out rather than taken from the `twilio` package: its webhook helper comes with the whole
 * SDK (3.8 MB bundled, README "Routing and failover"); the test checks it against Twilio's published
 * examples.
 */
export function twilioSignature(authToken: string, url: string, params: SignedParams): string {
  let data = url;
  for (const name of Object.keys(params).sort()) {
    const value = params[name];
    const values = typeof value === 'string' ? [value] : [...(value ?? [])].sort();
    for (const v of values) data += name + v;
  }
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

/**
 * Whether `signature` is Twilio's for this request, compared in constant time. Twilio signs the URL as it
 * called it; a proxy may add or drop the default port (:443), so both forms are tried, as Twilio's own
 * helper does. A missing or malformed signature is false, never an exception.
 */
export function verifyTwilioSignature(
  authToken: string,
  urls: readonly string[],
  params: SignedParams,
  signature: string | undefined,
): boolean {
  if (!signature || !authToken) return false;
  const presented = Buffer.from(signature, 'utf8');
  let valid = false;
  for (const url of new Set(urls.flatMap(withAndWithoutDefaultPort))) {
    const expected = Buffer.from(twilioSignature(authToken, url, params), 'utf8');
    // Every candidate is compared (no early exit), each in constant time.
    if (expected.length === presented.length && timingSafeEqual(expected, presented)) valid = true;
  }
  return valid;
}

function withAndWithoutDefaultPort(url: string): string[] {
  const match = /^(https?):\/\/([^/?#]*)(.*)$/s.exec(url);
  if (!match?.[1] || match[2] === undefined) return [url];
  const [, scheme, authority, rest] = match;
  const port = scheme === 'https' ? '443' : '80';
  const explicit = `:${port}`;
  // IPv6 hosts end in "]", so a trailing ":<digits>" is always a port.
  if (authority.endsWith(explicit))
    return [url, `${scheme}://${authority.slice(0, -explicit.length)}${rest}`];
  if (/:\d+$/.test(authority)) return [url];
  return [url, `${scheme}://${authority}${explicit}${rest}`];
}
