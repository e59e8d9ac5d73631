import { describe, expect, it } from 'vitest';
import { remembered } from '../../domain/remembered';

describe('remembered', () => {
  it('computes each key once, undefined answers included', () => {
    const asked: string[] = [];
    const lengthOrNothing = remembered(10, (key) => {
      asked.push(key);
      return key.length > 1 ? key.length : undefined;
    });
    expect([
      lengthOrNothing('ab'),
      lengthOrNothing('ab'),
      lengthOrNothing('a'),
      lengthOrNothing('a'),
    ]).toEqual([2, 2, undefined, undefined]);
    expect(asked).toEqual(['ab', 'a']);
  });

  it('stays within its limit: full, it forgets everything and starts again', () => {
    const asked: string[] = [];
    const upper = remembered(2, (key) => {
      asked.push(key);
      return key.toUpperCase();
    });
    for (const key of ['a', 'b', 'c', 'a', 'c']) upper(key);
    // a, b remembered; c empties the memory; a is asked again; c was kept after the clear.
    expect(asked).toEqual(['a', 'b', 'c', 'a']);
  });
});
