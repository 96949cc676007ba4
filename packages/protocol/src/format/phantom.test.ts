import { describe, expect, it } from 'vitest';
import { phantomName } from './phantom.js';

describe('phantomName', () => {
  it('writes CTDI phantoms by their diameter and leaves unknown codes as they are', () => {
    expect(phantomName('head16')).toBe('16 cm');
    expect(phantomName('body32')).toBe('32 cm');
    expect(phantomName('other')).toBe('other');
  });
});
