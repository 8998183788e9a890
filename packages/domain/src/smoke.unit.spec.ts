import { describe, expect, it } from 'vitest';
import { placeholder } from './index.js';
describe('smoke', () => {
  it('works', () => {
    expect(placeholder).toBe(1);
  });
});
