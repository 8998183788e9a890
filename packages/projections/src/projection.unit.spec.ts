import { describe, expect, it } from 'vitest';
import { splitByPresence } from './projection.js';

describe('splitByPresence', () => {
  it('puts the rows the tables held under updated and the others under created, in order', () => {
    const changed = new Map([
      ['a', 1],
      ['b', 2],
      ['c', 3],
      ['d', 4],
    ]);
    expect(splitByPresence(changed, new Set(['b', 'd', 'z']))).toEqual({
      created: [
        ['a', 1],
        ['c', 3],
      ],
      updated: [
        ['b', 2],
        ['d', 4],
      ],
    });
  });
});
