import { describe, expect, it } from 'vitest';
import { maskPhone } from '../../domain/mask';

describe('maskPhone', () => {
  it.each([
    ['+14155550123', '+1********23'],
    ['+447911123456', '+44********56'],
    ['+33612345678', '+33*******78'],
    ['+8613800138000', '+86*********00'],
  ])('%s → %s', (phone, masked) => {
    expect(maskPhone(phone)).toBe(masked);
  });

  it.each([
    '',
    '14155550123',
    '+',
    '+1',
    '+1415',
    'abc',
    '+1 415 555 0123',
    '+9991234567',
    `+1${'5'.repeat(30)}`,
  ])('masks odd input %j entirely', (phone) => {
    expect(maskPhone(phone)).toBe('***');
  });

  it('never throws on non-strings', () => {
    expect(maskPhone(undefined as unknown as string)).toBe('***');
  });
});
