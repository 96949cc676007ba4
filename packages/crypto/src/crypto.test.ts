import { describe, expect, it } from 'vitest';
import { signAccessToken, verifyAccessToken } from './access-token.js';
import { CHAIN_GENESIS, chainHash, verifyChain } from './hash-chain.js';
import { generateNodeKeys, isPublicKeyOfKind, signMessage, verifyMessage } from './node-keys.js';
import { hashPassword, verifyPassword } from './secrets.js';

describe('node keys and signatures', () => {
  const keys = generateNodeKeys();
  it('signs and verifies, and rejects a changed message or a foreign key', () => {
    const sig = signMessage(keys.ed25519.privateKey, 'result');
    expect(verifyMessage(keys.ed25519.publicKey, 'result', sig)).toBe(true);
    expect(verifyMessage(keys.ed25519.publicKey, 'result!', sig)).toBe(false);
    expect(verifyMessage(generateNodeKeys().ed25519.publicKey, 'result', sig)).toBe(false);
    expect(verifyMessage('garbage', 'result', sig)).toBe(false);
  });
  it('tells key kinds apart', () => {
    expect(isPublicKeyOfKind(keys.x25519.publicKey, 'x25519')).toBe(true);
    expect(isPublicKeyOfKind(keys.x25519.publicKey, 'ed25519')).toBe(false);
    expect(isPublicKeyOfKind('AAAA', 'ed25519')).toBe(false);
  });
});

describe('passwords', () => {
  it('verifies the right password only', async () => {
    const h = await hashPassword('correct horse battery staple');
    expect(h).toMatch(/^scrypt\$32768\$8\$3\$/);
    expect(await verifyPassword('correct horse battery staple', h)).toBe(true);
    expect(await verifyPassword('correct horse battery stapler', h)).toBe(false);
    expect(await verifyPassword('x', 'not-a-hash')).toBe(false);
  });
});

describe('access tokens', () => {
  const secret = Buffer.alloc(32, 7);
  const claims = { sub: 'u1', aud: 'user' as const, iat: 1000, exp: 2000, jti: 'j' };
  it('verifies signature, audience and expiry', () => {
    const t = signAccessToken(secret, claims);
    expect(verifyAccessToken(secret, t, 'user', 1500)).toEqual({ ok: true, claims });
    expect(verifyAccessToken(secret, t, 'user', 2000)).toEqual({ ok: false, reason: 'expired' });
    expect(verifyAccessToken(secret, t, 'node', 1500)).toEqual({ ok: false, reason: 'audience' });
    expect(verifyAccessToken(Buffer.alloc(32, 8), t, 'user', 1500)).toEqual({
      ok: false,
      reason: 'signature',
    });
  });
  it('refuses an unsigned or re-encoded token', () => {
    const body = Buffer.from(JSON.stringify({ ...claims, exp: 9e9 })).toString('base64url');
    expect(verifyAccessToken(secret, `fha.${body}.`, 'user', 1500).ok).toBe(false);
    const header = Buffer.from('{"alg":"none"}').toString('base64url');
    expect(verifyAccessToken(secret, `${header}.${body}.`, 'user', 1500).ok).toBe(false);
  });
});

describe('hash chain', () => {
  const entries = ['a', 'b', 'c'].map((x) => ({ action: x }));
  const chain: Array<{ seq: number; hash: string; prevHash: string; entry: unknown }> = [];
  let prev = CHAIN_GENESIS;
  for (const [i, e] of entries.entries()) {
    const hash = chainHash(prev, e);
    chain.push({ seq: i + 1, hash, prevHash: prev, entry: e });
    prev = hash;
  }
  it('verifies an intact chain and finds an edit, a deletion and a reordering', () => {
    expect(verifyChain(chain)).toBeNull();
    expect(verifyChain(chain.map((c, i) => (i === 1 ? { ...c, entry: { action: 'x' } } : c)))?.index).toBe(1);
    expect(verifyChain([chain[0]!, chain[2]!])?.index).toBe(1);
    expect(verifyChain([chain[1]!, chain[0]!, chain[2]!])?.index).toBe(0);
  });
});
