import { describe, expect, it } from 'vitest';
import { analyseSms } from '../../domain/sms-segments';

describe('analyseSms', () => {
  it('counts plain GSM-7 text one septet per character', () => {
    expect(analyseSms('Your code is 123456')).toEqual({
      encoding: 'GSM-7',
      segments: 1,
      units: 19,
      ucs2Characters: [],
    });
  });

  it('counts extension characters as two septets', () => {
    const r = analyseSms('^{}\\[~]|€\f');
    expect(r.encoding).toBe('GSM-7');
    expect(r.units).toBe(20);
  });

  it('keeps accented letters of the GSM-7 basic set in GSM-7', () => {
    expect(analyseSms('àéèùìòÄÖÑÜäöñüÇØøÅåÆæßÉ¡¿§£¥$@').encoding).toBe('GSM-7');
  });

  it.each([
    [160, 1],
    [161, 2],
    [306, 2],
    [307, 3],
  ])('GSM-7 with %i septets takes %i segments', (n, segments) => {
    expect(analyseSms('a'.repeat(n)).segments).toBe(segments);
  });

  it('does not split an escape pair across parts', () => {
    // 152 septets then "€" (2 septets): the pair moves to part 2 instead of straddling.
    expect(analyseSms(`${'a'.repeat(152)}€${'a'.repeat(8)}`)).toMatchObject({ units: 162, segments: 2 });
    expect(analyseSms(`${'a'.repeat(152)}€${'a'.repeat(152)}`)).toMatchObject({ units: 306, segments: 3 });
  });

  it('switches the whole message to UCS-2 for one curly apostrophe and lists the culprits', () => {
    const r = analyseSms('Don’t share your code ’ó’');
    expect(r.encoding).toBe('UCS-2');
    expect(r.ucs2Characters).toEqual(['’', 'ó']);
    expect(r.units).toBe(25);
  });

  it.each([
    [70, 1],
    [71, 2],
    [134, 2],
    [135, 3],
  ])('UCS-2 with %i code units takes %i segments', (n, segments) => {
    expect(analyseSms('ж'.repeat(n)).segments).toBe(segments);
  });

  it('counts a surrogate pair as two code units and never splits it', () => {
    expect(analyseSms('😀')).toMatchObject({ encoding: 'UCS-2', units: 2, ucs2Characters: ['😀'] });
    // 66 units + a pair: 68 units fit one message; with 5 more they need two parts, the pair kept whole.
    expect(analyseSms(`${'ж'.repeat(66)}😀`).segments).toBe(1);
    expect(analyseSms(`${'ж'.repeat(66)}😀${'ж'.repeat(5)}`)).toMatchObject({ units: 73, segments: 2 });
    expect(analyseSms(`${'ж'.repeat(66)}😀${'ж'.repeat(66)}`)).toMatchObject({ units: 134, segments: 3 });
  });

  it('extension characters cost one code unit once the message is UCS-2', () => {
    expect(analyseSms('€ж').units).toBe(2);
  });

  it('treats a raw ESC character as outside GSM-7 text', () => {
    expect(analyseSms('a\u001bb').encoding).toBe('UCS-2');
  });

  it('counts an empty text as one segment', () => {
    expect(analyseSms('')).toEqual({ encoding: 'GSM-7', segments: 1, units: 0, ucs2Characters: [] });
  });
});
