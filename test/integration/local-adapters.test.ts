import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AesGcmSecretSealer } from '../../adapters/local/aes-gcm-secret-sealer';
import { HmacFingerprinter } from '../../adapters/local/hmac-fingerprinter';
import { JsonlDeadLetterQueue } from '../../adapters/local/jsonl-dead-letter-queue';
import { sampleDeadLetter, validLetters } from '../support/sample-dead-letter';

const CODE = '834921';

describe('AesGcmSecretSealer', () => {
  const key = randomBytes(32);
  const sealer = new AesGcmSecretSealer(key);

  it('seals and unseals; a random IV makes every sealing different', async () => {
    const a = await sealer.seal(CODE, 'evt-1');
    const b = await sealer.seal(CODE, 'evt-1');
    expect(a.scheme).toBe('aes-256-gcm');
    expect(a.ciphertext).not.toBe(b.ciphertext);
    expect(await sealer.unseal(a, 'evt-1')).toBe(CODE);
    expect(await sealer.unseal(b, 'evt-1')).toBe(CODE);
  });

  it('names the key by a fingerprint, never the key itself', () => {
    expect(sealer.keyId).toMatch(/^local:[0-9a-f]{16}$/);
    expect(key.toString('hex')).not.toContain(sealer.keyId.slice(6));
    expect(new AesGcmSecretSealer(key).keyId).toBe(sealer.keyId);
    expect(new AesGcmSecretSealer(randomBytes(32)).keyId).not.toBe(sealer.keyId);
  });

  it('fails under another event id, after tampering, or with another key', async () => {
    const sealed = await sealer.seal(CODE, 'evt-1');
    await expect(sealer.unseal(sealed, 'evt-2')).rejects.toThrow(/authentication/);
    const bytes = Buffer.from(sealed.ciphertext, 'base64');
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 1;
    await expect(sealer.unseal({ ...sealed, ciphertext: bytes.toString('base64') }, 'evt-1')).rejects.toThrow(
      /authentication/,
    );
    await expect(new AesGcmSecretSealer(randomBytes(32)).unseal(sealed, 'evt-1')).rejects.toThrow(/key/);
  });

  it('rejects a key of the wrong size', () => {
    expect(() => new AesGcmSecretSealer(randomBytes(16))).toThrow(/32-byte/);
  });
});

describe('HmacFingerprinter', () => {
  it('is keyed, deterministic and unambiguous', async () => {
    const key = randomBytes(32);
    const f = new HmacFingerprinter(key);
    expect(await f.fingerprint(['sms', '+1', CODE])).toBe(
      await new HmacFingerprinter(key).fingerprint(['sms', '+1', CODE]),
    );
    expect(await f.fingerprint(['sms', '+1', CODE])).not.toBe(
      await new HmacFingerprinter(randomBytes(32)).fingerprint(['sms', '+1', CODE]),
    );
    expect(await f.fingerprint(['ab', 'c'])).not.toBe(await f.fingerprint(['a', 'bc']));
  });
});

describe('JsonlDeadLetterQueue', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('appends one line per letter (creating directories), receives and deletes by rewrite', async () => {
    dir = await mkdtemp(join(tmpdir(), 'dlq-'));
    const path = join(dir, 'nested', 'deeper', 'dead-letters.jsonl');
    const sealer = new AesGcmSecretSealer(randomBytes(32));
    const queue = new JsonlDeadLetterQueue(path);
    expect(await queue.receive(10)).toEqual([]);

    const letters = await Promise.all(
      ['evt-1', 'evt-2', 'evt-3'].map(async (id) => sampleDeadLetter(id, await sealer.seal(CODE, id))),
    );
    await Promise.all(letters.map((l) => queue.park(l)));
    const text = await readFile(path, 'utf8');
    expect(text.trim().split('\n')).toHaveLength(3);
    expect(text).not.toContain(CODE);

    const received = validLetters(await queue.receive(2));
    expect(received.map((r) => r.letter.eventId).sort()).toHaveLength(2);
    await Promise.all(received.map((r) => r.delete()));
    const left = validLetters(await queue.receive(10));
    expect(left).toHaveLength(1);
    expect(received.map((r) => r.letter.eventId)).not.toContain(left[0]?.letter.eventId);
    const [remaining] = left;
    if (!remaining) throw new Error('expected one letter left');
    expect(await sealer.unseal(remaining.letter.sealedCode, remaining.letter.eventId)).toBe(CODE);
  });
});
