/**
 * Node administrators' own Ed25519 keys (issue 15, item 6): a node honours a decision relayed by the hub
 * only when its administrator signed it with a key enrolled at the node (`fedhub node admins add`). Key
 * files are PEM (what `fedhub node admins keygen` and `openssl genpkey -algorithm ed25519` write); inside
 * fedhub keys travel as base64url DER like the node keys.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { type AdminStatement, adminStatementSigningString, FedhubError } from '@fedhub/protocol';
import { signMessage } from './node-keys.js';

/** A fresh administrator key pair as PEM texts (private PKCS#8, public SPKI). */
export function generateAdminKeyPem(): { privateKeyPem: string; publicKeyPem: string } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/** An Ed25519 public key from PEM or base64url SPKI DER text, as base64url SPKI DER; coded error otherwise. */
export function adminPublicKeyFromText(text: string): string {
  try {
    const t = text.trim();
    const key = t.startsWith('-----')
      ? createPublicKey(t)
      : createPublicKey({ key: Buffer.from(t, 'base64url'), format: 'der', type: 'spki' });
    if (key.asymmetricKeyType !== 'ed25519') throw new Error(`a ${key.asymmetricKeyType} key`);
    return key.export({ type: 'spki', format: 'der' }).toString('base64url');
  } catch (err) {
    throw new FedhubError(
      'FH_ERR_VALIDATION',
      `not an Ed25519 public key (PEM or base64url SPKI DER): ${(err as Error).message}`,
    );
  }
}

/** An Ed25519 private key from PEM or base64url PKCS#8 DER text, as base64url PKCS#8 DER. */
export function adminPrivateKeyFromText(text: string): string {
  try {
    const t = text.trim();
    const key = t.startsWith('-----')
      ? createPrivateKey(t)
      : createPrivateKey({ key: Buffer.from(t, 'base64url'), format: 'der', type: 'pkcs8' });
    if (key.asymmetricKeyType !== 'ed25519') throw new Error(`a ${key.asymmetricKeyType} key`);
    return key.export({ type: 'pkcs8', format: 'der' }).toString('base64url');
  } catch (err) {
    throw new FedhubError('FH_ERR_VALIDATION', `not an Ed25519 private key: ${(err as Error).message}`);
  }
}

/**
 * The administrator's signature over a decision for `nodeId`, to send as `adminSignature` with it.
 *
 * @example
 * const adminSignature = signAdminStatement(pem, 'dora', nodeId, { studyId, decision: 'approve', algorithm: 'glm' });
 * await hub.decideApproval(nodeId, { studyId, decision: 'approve', algorithm: 'glm', adminSignature });
 */
export function signAdminStatement(
  privateKeyText: string,
  keyName: string,
  nodeId: string,
  decision: {
    studyId: string;
    decision: string;
    algorithm?: string | undefined;
    version?: string | undefined;
    reason?: string | undefined;
  },
  opts: { permissionDigest?: string; issuedAt?: string } = {},
): AdminStatement {
  const statement = {
    keyName,
    issuedAt: opts.issuedAt ?? new Date().toISOString(),
    nonce: randomBytes(18).toString('base64url'),
    ...(opts.permissionDigest ? { permissionDigest: opts.permissionDigest } : {}),
  };
  return {
    ...statement,
    signature: signMessage(
      adminPrivateKeyFromText(privateKeyText),
      adminStatementSigningString(nodeId, decision, statement),
    ),
  };
}
