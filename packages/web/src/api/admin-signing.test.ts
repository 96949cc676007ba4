/**
 * Dashboard signing: a decision signed in the browser code (WebCrypto Ed25519, here Node's WebCrypto)
 * verifies with the node's own check of administrator statements (the enrolled public key, the same
 * signing string), for exactly that decision; another key or a changed decision does not verify.
 */
import { adminPublicKeyFromText, generateAdminKeyPem, verifyMessage } from '@fedhub/crypto';
import { adminStatementSigningString } from '@fedhub/protocol';
import { describe, expect, it } from 'vitest';
import { loadAdminKey, setCurrentAdminKey, signDecision, withAdminSignature } from './admin-signing.js';

const nodeId = '3f1c7a52-9b7e-4d65-8a2b-1c2d3e4f5a6b';
const decision = {
  studyId: '8e0b1c2d-3e4f-4a5b-9c6d-7e8f9a0b1c2d',
  decision: 'approve' as const,
  algorithm: 'glm',
};

describe('admin signing in the dashboard', () => {
  it("signs the CLI's statement: the enrolled public key verifies it, for that decision only", async () => {
    const dora = generateAdminKeyPem();
    const s = await signDecision(await loadAdminKey('dora', dora.privateKeyPem), nodeId, decision);
    expect(s.keyName).toBe('dora');
    expect(s.nonce.length).toBeGreaterThanOrEqual(16);
    const pub = adminPublicKeyFromText(dora.publicKeyPem);
    expect(verifyMessage(pub, adminStatementSigningString(nodeId, decision, s), s.signature)).toBe(true);
    // a denial is not the approval that was signed; another node is not this one
    expect(
      verifyMessage(
        pub,
        adminStatementSigningString(nodeId, { ...decision, decision: 'deny' }, s),
        s.signature,
      ),
    ).toBe(false);
    expect(verifyMessage(pub, adminStatementSigningString('another-node', decision, s), s.signature)).toBe(
      false,
    );
    // another administrator's enrolled key does not verify dora's statement
    const eve = adminPublicKeyFromText(generateAdminKeyPem().publicKeyPem);
    expect(verifyMessage(eve, adminStatementSigningString(nodeId, decision, s), s.signature)).toBe(false);
  });

  it('attaches a signature only while a key is loaded, and refuses text that is not an Ed25519 key', async () => {
    const body = { ...decision };
    setCurrentAdminKey(null);
    expect(await withAdminSignature(nodeId, body)).toEqual(body);
    setCurrentAdminKey(await loadAdminKey('dora', generateAdminKeyPem().privateKeyPem));
    expect((await withAdminSignature(nodeId, body)).adminSignature?.keyName).toBe('dora');
    setCurrentAdminKey(null);
    await expect(loadAdminKey('dora', 'not a key')).rejects.toThrow(/Ed25519 private key/);
    await expect(loadAdminKey(' ', generateAdminKeyPem().privateKeyPem)).rejects.toThrow(/name/);
  });
});
