import { KMSClient } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { KmsDerivedFingerprinter } from '../../adapters/kms/kms-derived-fingerprinter';
import { KmsSecretSealer } from '../../adapters/kms/kms-secret-sealer';
import { FakeAwsEndpoint, fakeAwsClientConfig } from '../support/fake-aws-endpoint';

const CODE = '834921';
const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';

let fake: FakeAwsEndpoint;
let client: KMSClient;

beforeAll(async () => {
  fake = await FakeAwsEndpoint.start();
  client = new KMSClient({ ...fakeAwsClientConfig(fake), maxAttempts: 1 });
});
afterAll(async () => {
  client.destroy();
  await fake.close();
});
beforeEach(() => fake.reset());

describe('KmsSecretSealer with the real SDK against the fake endpoint', () => {
  it('seals with the event id as encryption context and unseals with the same', async () => {
    const sealer = new KmsSecretSealer(client, { keyId: KEY_ID });
    const sealed = await sealer.seal(CODE, 'evt-1');
    expect(sealed.scheme).toBe('kms');
    expect(sealed.keyId).toBe(`arn:aws:kms:us-east-1:000000000000:key/${KEY_ID}`);
    expect(Buffer.from(sealed.ciphertext, 'base64').toString('latin1')).not.toContain(CODE);

    const [encrypt] = fake.requestsFor('Encrypt');
    expect(encrypt?.target).toBe('TrentService.Encrypt');
    expect(encrypt?.headers['content-type']).toBe('application/x-amz-json-1.1');
    expect(encrypt?.body.EncryptionContext).toEqual({ eventId: 'evt-1' });

    expect(await sealer.unseal(sealed, 'evt-1')).toBe(CODE);
    expect(fake.requestsFor('Decrypt')[0]?.body.EncryptionContext).toEqual({ eventId: 'evt-1' });
  });

  it('a sealed code does not open under another event id', async () => {
    const sealer = new KmsSecretSealer(client, { keyId: KEY_ID });
    const sealed = await sealer.seal(CODE, 'evt-1');
    await expect(sealer.unseal(sealed, 'evt-2')).rejects.toMatchObject({
      name: 'InvalidCiphertextException',
    });
  });

  it('refuses another scheme', async () => {
    const sealer = new KmsSecretSealer(client, { keyId: KEY_ID });
    await expect(
      sealer.unseal({ scheme: 'aes-256-gcm', keyId: 'x', ciphertext: 'AA==' }, 'evt-1'),
    ).rejects.toThrow(/scheme/);
  });
});

describe('KmsDerivedFingerprinter with the real SDK against the fake endpoint', () => {
  it('derives its key once, lazily, then fingerprints locally', async () => {
    const fingerprinter = new KmsDerivedFingerprinter(client, { keyId: 'mac-key' });
    expect(fake.requests).toHaveLength(0);
    const [a, b] = await Promise.all([
      fingerprinter.fingerprint(['sms', '+14155550123', CODE]),
      fingerprinter.fingerprint(['sms', '+14155550123', CODE]),
    ]);
    const c = await fingerprinter.fingerprint(['voice', '+14155550123', CODE]);
    expect(a).toBe(b);
    expect(c).not.toBe(a);
    expect(a).not.toContain(CODE);

    const macs = fake.requestsFor('GenerateMac');
    expect(macs).toHaveLength(1);
    expect(macs[0]?.body).toMatchObject({ KeyId: 'mac-key', MacAlgorithm: 'HMAC_SHA_256' });
    expect(Buffer.from(String(macs[0]?.body.Message), 'base64').toString()).toBe(
      'otp-courier/fingerprint/v1',
    );
  });

  it('agrees across instances (same key), differs across keys, and parts cannot be re-split', async () => {
    const one = new KmsDerivedFingerprinter(client, { keyId: 'mac-key' });
    const two = new KmsDerivedFingerprinter(client, { keyId: 'mac-key' });
    const other = new KmsDerivedFingerprinter(client, { keyId: 'other-key' });
    const parts = ['sms', '+14155550123', CODE];
    expect(await one.fingerprint(parts)).toBe(await two.fingerprint(parts));
    expect(await other.fingerprint(parts)).not.toBe(await one.fingerprint(parts));
    expect(await one.fingerprint(['ab', 'c'])).not.toBe(await one.fingerprint(['a', 'bc']));
  });

  it('does not memoise a failed derivation', async () => {
    fake.failNext({ type: 'error', code: 'KMSInternalException', status: 500 }, { target: 'GenerateMac' });
    const fingerprinter = new KmsDerivedFingerprinter(client, { keyId: 'mac-key' });
    await expect(fingerprinter.fingerprint(['x'])).rejects.toMatchObject({ name: 'KMSInternalException' });
    await expect(fingerprinter.fingerprint(['x'])).resolves.toMatch(/^[\w-]{43}$/);
    expect(fake.requestsFor('GenerateMac')).toHaveLength(2);
  });
});
