/**
 * The node administrators' keys, enrolled at the node (issue 15, item 6): `fedhub node admins add --config
 * node.yaml --name dora --public-key dora.pub` writes `node-admins.json` (0600) in the data dir. A decision
 * relayed by the hub is honoured only when one of these keys signed it (adminStatementSigningString), so
 * neither the hub operator nor a node-admin user the hub created can decide for the hospital. Decisions
 * taken at the node itself (`fedhub node approve`) need no signature: whoever runs them holds the node.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getAlgorithm } from '@fedhub/algorithms';
import { adminPublicKeyFromText, verifyMessage } from '@fedhub/crypto';
import { type ApprovalDecision, adminStatementSigningString, FedhubError } from '@fedhub/protocol';
import { z } from 'zod';

const EnrolledAdminSchema = z.strictObject({
  name: z.string().min(1).max(100),
  publicKey: z.string().min(1),
  addedAt: z.string(),
});
export type EnrolledAdmin = z.infer<typeof EnrolledAdminSchema>;
const FileSchema = z.strictObject({ admins: z.array(EnrolledAdminSchema) });

/** Statements older than this are refused (a relayed decision is applied within seconds normally). */
export const ADMIN_STATEMENT_MAX_AGE_MS = 7 * 86_400_000;

export class AdminKeyStore {
  private readonly file: string;
  constructor(dataDir: string) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    this.file = join(dataDir, 'node-admins.json');
  }

  list(): EnrolledAdmin[] {
    if (!existsSync(this.file)) return [];
    const parsed = FileSchema.safeParse(JSON.parse(readFileSync(this.file, 'utf8')));
    if (!parsed.success)
      throw new FedhubError('FH_ERR_VALIDATION', `${this.file} is not a list of node administrator keys`);
    return parsed.data.admins;
  }

  private write(admins: EnrolledAdmin[]): void {
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, `${JSON.stringify({ admins }, null, 2)}\n`, { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, this.file);
  }

  /** Enrols (or replaces) the key of administrator `name`; returns it as stored. */
  add(name: string, publicKeyText: string, now = new Date()): EnrolledAdmin {
    if (!/^[A-Za-z0-9._@-]{1,100}$/.test(name))
      throw new FedhubError('FH_ERR_VALIDATION', 'an administrator name is 1-100 letters, digits, . _ @ -');
    const admin = { name, publicKey: adminPublicKeyFromText(publicKeyText), addedAt: now.toISOString() };
    this.write([...this.list().filter((a) => a.name !== name), admin]);
    return admin;
  }

  /** Removes administrator `name`; false when there was none. */
  remove(name: string): boolean {
    const before = this.list();
    const after = before.filter((a) => a.name !== name);
    if (after.length === before.length) return false;
    this.write(after);
    return true;
  }
}

/**
 * Why the node administrator's signature on a relayed decision is missing or not good, or null when it
 * holds: signed by an enrolled key over this very decision (node, study, decision, algorithm, version,
 * reason), not too old, and (when it names one) for the permission set the node holds the study's runs
 * under. An unpinned version stands for the node's own latest version. The nonce is checked last by the
 * caller (it is spent only when the decision is applied).
 */
export function adminSignatureProblem(
  d: ApprovalDecision,
  admins: readonly EnrolledAdmin[],
  now: number,
  heldPermissionDigest: string | undefined,
): string | null {
  const s = d.adminSignature;
  if (!s) return 'the decision is not signed by a node administrator key enrolled at this node';
  const admin = admins.find((a) => a.name === s.keyName);
  if (!admin) return `no administrator key "${s.keyName}" is enrolled at this node`;
  const signed = (version: string | null) =>
    verifyMessage(admin.publicKey, adminStatementSigningString(d.nodeId, { ...d, version }, s), s.signature);
  if (!signed(d.version)) {
    if (!(d.version !== null && d.algorithm && signed(null)))
      return `the decision is not signed by the key of administrator "${s.keyName}" enrolled at this node`;
    if (getAlgorithm(d.algorithm)?.version !== d.version)
      return `the administrator approved the latest version of ${d.algorithm}, the hub relayed ${d.version}`;
  }
  const issued = Date.parse(s.issuedAt);
  if (!(issued <= now + 5 * 60_000 && now - issued <= ADMIN_STATEMENT_MAX_AGE_MS))
    return `the administrator's signature was issued at ${s.issuedAt}: too old or in the future`;
  if (s.permissionDigest && heldPermissionDigest && s.permissionDigest !== heldPermissionDigest)
    return "the study's permissions changed since the administrator signed the decision";
  return null;
}
