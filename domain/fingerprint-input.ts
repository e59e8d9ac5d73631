/**
 * The bytes a keyed fingerprint is computed over: each part length-prefixed (4 bytes, big-endian), so
 * ("ab","c") and ("a","bc") never collide. One encoding for every Fingerprinter: the local HMAC and the
 * KMS-derived one must agree, or idempotency keys would change with the deployment.
 */
export function fingerprintInput(parts: readonly string[]): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const bytes = Buffer.from(part, 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    chunks.push(length, bytes);
  }
  return Buffer.concat(chunks);
}
