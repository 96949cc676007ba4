import { describe, expect, it } from 'vitest';
import { adoptLinkToken, clearTokens, readTokens, tokenFromFragment, writeTokens } from './session.js';

class MemoryStorage implements Storage {
  private m = new Map<string, string>();
  get length() {
    return this.m.size;
  }
  clear() {
    this.m.clear();
  }
  getItem(k: string) {
    return this.m.get(k) ?? null;
  }
  key(i: number) {
    return [...this.m.keys()][i] ?? null;
  }
  removeItem(k: string) {
    this.m.delete(k);
  }
  setItem(k: string, v: string) {
    this.m.set(k, v);
  }
}

describe('session tokens', () => {
  it('round-trips tokens and clears them', () => {
    const s = new MemoryStorage();
    expect(readTokens(s)).toBeNull();
    writeTokens(s, { accessToken: 'a', refreshToken: 'r' });
    expect(readTokens(s)).toEqual({ accessToken: 'a', refreshToken: 'r' });
    writeTokens(s, { accessToken: 'b' });
    expect(readTokens(s)).toEqual({ accessToken: 'b' });
    clearTokens(s);
    expect(readTokens(s)).toBeNull();
  });
  it('never lets a sign-in link replace a stored session', () => {
    const s = new MemoryStorage();
    expect(adoptLinkToken(s, 'link-token')).toBe('adopted');
    expect(readTokens(s)).toEqual({ accessToken: 'link-token' });
    clearTokens(s);
    writeTokens(s, { accessToken: 'mine', refreshToken: 'my-refresh' });
    expect(adoptLinkToken(s, 'attacker-token')).toBe('ignored-signed-in');
    expect(readTokens(s)).toEqual({ accessToken: 'mine', refreshToken: 'my-refresh' });
  });
  it('reads the access token of a sign-in link fragment', () => {
    expect(tokenFromFragment('#access_token=abc.def')).toBe('abc.def');
    expect(tokenFromFragment('#/studies')).toBeNull();
    expect(tokenFromFragment('#x=1&access_token=t')).toBe('t');
    expect(tokenFromFragment('')).toBeNull();
  });
});
