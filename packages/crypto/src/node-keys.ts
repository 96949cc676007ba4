/**
 * A node's long-term key pairs: X25519 (key agreement, for secure aggregation and sealing) and Ed25519
 * (signatures on results). Public halves travel as base64url SPKI DER; private halves stay at the node
 * as base64url PKCS#8 DER.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';

export interface KeyPairEncoded {
  publicKey: string;
  privateKey: string;
}
export interface NodeKeys {
  x25519: KeyPairEncoded;
  ed25519: KeyPairEncoded;
}

function encodePair(kind: 'x25519' | 'ed25519'): KeyPairEncoded {
  const { publicKey, privateKey } = generateKeyPairSync(kind as 'x25519');
  return {
    publicKey: publicKey.export({ type: 'spki', format: 'der' }).toString('base64url'),
    privateKey: privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64url'),
  };
}

/** Fresh X25519 and Ed25519 key pairs. */
export function generateNodeKeys(): NodeKeys {
  return { x25519: encodePair('x25519'), ed25519: encodePair('ed25519') };
}

function publicKeyObject(spkiB64url: string) {
  return createPublicKey({ key: Buffer.from(spkiB64url, 'base64url'), format: 'der', type: 'spki' });
}
function privateKeyObject(pkcs8B64url: string) {
  return createPrivateKey({ key: Buffer.from(pkcs8B64url, 'base64url'), format: 'der', type: 'pkcs8' });
}

/** True when `spki` is a well-formed public key of the given kind. */
export function isPublicKeyOfKind(spki: string, kind: 'x25519' | 'ed25519'): boolean {
  try {
    return publicKeyObject(spki).asymmetricKeyType === kind;
  } catch {
    return false;
  }
}

/** Ed25519 signature (base64url) of the UTF-8 message. */
export function signMessage(privateKeyPkcs8: string, message: string): string {
  return sign(null, Buffer.from(message, 'utf8'), privateKeyObject(privateKeyPkcs8)).toString('base64url');
}

/** Verifies an Ed25519 signature; false (never throws) for malformed keys or signatures. */
export function verifyMessage(publicKeySpki: string, message: string, signature: string): boolean {
  try {
    return verify(
      null,
      Buffer.from(message, 'utf8'),
      publicKeyObject(publicKeySpki),
      Buffer.from(signature, 'base64url'),
    );
  } catch {
    return false;
  }
}
