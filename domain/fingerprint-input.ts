/**
 * The bytes a keyed fingerprint is computed over: each part length-prefixed (4 bytes, big-endian), so
 * ("ab","c") and ("a","bc") never collide. One encoding for every Fingerprinter: the local HMAC and the
 * KMS-derived one must agree, or idempotency keys would change with the deployment.
 */
export function fingerprintInput(parts: readonly string[]): Buffer {
  // One buffer written in place: every request fingerprints two or more inputs, and a buffer per part
  // plus a concat was most of this function's cost. The bytes are those of the chunked encoding.
  let size = 0;
  for (const part of parts) size += 4 + Buffer.byteLength(part, 'utf8');
  const bytes = Buffer.alloc(size);
  let offset = 0;
  for (const part of parts) {
    const length = bytes.write(part, offset + 4, 'utf8');
    bytes.writeUInt32BE(length, offset);
    offset += 4 + length;
  }
  return bytes;
}
