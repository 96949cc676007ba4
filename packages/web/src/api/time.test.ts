import { describe, expect, it } from 'vitest';
import { relativeTime } from './time.js';

describe('relativeTime', () => {
  const now = Date.parse('2026-11-29T12:00:00.000Z');
  it('says how long ago, in the largest whole unit', () => {
    expect(relativeTime('2026-11-29T11:59:58.000Z', now)).toBe('just now');
    expect(relativeTime('2026-11-29T11:59:18.000Z', now)).toBe('42 s ago');
    expect(relativeTime('2026-11-29T11:55:00.000Z', now)).toBe('5 min ago');
    expect(relativeTime('2026-11-29T09:00:00.000Z', now)).toBe('3 h ago');
    expect(relativeTime('2026-11-27T12:00:00.000Z', now)).toBe('2 d ago');
    expect(relativeTime(null, now)).toBe('never');
  });
});
