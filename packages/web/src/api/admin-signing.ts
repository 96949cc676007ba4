/**
 * Node administrators' signatures from the dashboard (issue 15, item 6): a decision taken in the browser
 * reaches a node only as the hub's relay, and the node applies it only when the administrator signed it
 * with a key enrolled at the node (`fedhub node admins add`). This signs the same statement as
 * `fedhub node admins decide` (`adminStatementSigningString`), with WebCrypto's Ed25519: the private key
 * (the PEM file `fedhub node admins keygen` wrote) is imported as a non-extractable CryptoKey, kept in
 * this tab's memory only, never stored and never sent.
 */
import {
  type AdminStatement,
  type ApprovalDecisionRequest,
  adminStatementSigningString,
} from '@fedhub/protocol';

/** An administrator key loaded in this tab: its enrolled name and the non-extractable private key. */
export interface LoadedAdminKey {
  keyName: string;
  key: CryptoKey;
}

const base64url = (bytes: ArrayBuffer | Uint8Array): string => {
  const b = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let s = '';
  for (const x of b) s += String.fromCharCode(x);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
};

/** DER bytes of a PEM `PRIVATE KEY` (PKCS#8) block, or of base64url PKCS#8 DER text. */
function pkcs8Der(text: string): Uint8Array<ArrayBuffer> {
  const t = text.trim();
  const body = t.startsWith('-----')
    ? (/-----BEGIN PRIVATE KEY-----([\s\S]*?)-----END PRIVATE KEY-----/.exec(t)?.[1] ?? '')
    : t.replace(/-/g, '+').replace(/_/g, '/');
  const raw = atob(body.replace(/\s+/g, ''));
  const out = new Uint8Array(new ArrayBuffer(raw.length));
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}

/**
 * Imports an Ed25519 private key (PEM PKCS#8, as `fedhub node admins keygen` writes it) for signing;
 * throws an Error saying what is wrong with the text (never echoing it).
 */
export async function loadAdminKey(keyName: string, privateKeyText: string): Promise<LoadedAdminKey> {
  if (!keyName.trim()) throw new Error('give the name the key was enrolled under at the node');
  try {
    const key = await crypto.subtle.importKey('pkcs8', pkcs8Der(privateKeyText), { name: 'Ed25519' }, false, [
      'sign',
    ]);
    return { keyName: keyName.trim(), key };
  } catch {
    throw new Error('not an Ed25519 private key in PEM (PKCS#8), as fedhub node admins keygen writes it');
  }
}

/** The administrator's signature over `decision` for `nodeId`, to send as its `adminSignature`. */
export async function signDecision(
  admin: LoadedAdminKey,
  nodeId: string,
  decision: Pick<ApprovalDecisionRequest, 'studyId' | 'decision' | 'algorithm' | 'version' | 'reason'>,
  opts: { issuedAt?: string } = {},
): Promise<AdminStatement> {
  const statement = {
    keyName: admin.keyName,
    issuedAt: opts.issuedAt ?? new Date().toISOString(),
    nonce: base64url(crypto.getRandomValues(new Uint8Array(18))),
  };
  const message = new TextEncoder().encode(adminStatementSigningString(nodeId, decision, statement));
  const signature = await crypto.subtle.sign({ name: 'Ed25519' }, admin.key, message);
  return { ...statement, signature: base64url(signature) };
}

let loaded: LoadedAdminKey | null = null;

/** The key loaded in this tab (memory only), if any. */
export function currentAdminKey(): LoadedAdminKey | null {
  return loaded;
}

/** Keeps `k` for this tab's decisions (null forgets it). */
export function setCurrentAdminKey(k: LoadedAdminKey | null): void {
  loaded = k;
}

/** `body` with the loaded key's signature for `nodeId`, or unchanged when no key is loaded. */
export async function withAdminSignature(
  nodeId: string,
  body: ApprovalDecisionRequest,
): Promise<ApprovalDecisionRequest> {
  const k = loaded;
  if (!k) return body;
  return { ...body, adminSignature: await signDecision(k, nodeId, body) };
}
