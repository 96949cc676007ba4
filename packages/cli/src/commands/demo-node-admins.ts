/**
 * The demo's node administrators: one hub account (role node-admin) per hospital, each with an Ed25519 key
 * enrolled at its node as `fedhub node admins keygen` + `fedhub node admins add` would, the private key
 * written to the demo's folder (0600) for the dashboard's inbox ("Your administrator key") or
 * `fedhub node admins decide`. One hospital approves by hand, as a real hospital's node would: the demo
 * approves the algorithms of its own analyses there (signed, relayed by the hub, as from the inbox), so that
 * they run at start, and anything else (a new study, "validate this model") waits in that admin's inbox.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateAdminKeyPem, signAdminStatement } from '@fedhub/crypto';
import { HubClient } from '@fedhub/sdk';
import { enrolAdminKey } from './node-admins.js';

/** The hospital whose node approves by hand (the last of the demo's three). */
export const DEMO_MANUAL_NODE_INDEX = 2;

export interface DemoNodeAdmin {
  /** The hospital (and node) name. */
  node: string;
  nodeId: string;
  username: string;
  password: string;
  /** The name the key is enrolled under at the node (the username). */
  keyName: string;
  /** The private key (PEM PKCS#8, 0600) to load in the inbox. */
  keyFile: string;
  approvals: 'manual' | 'automatic';
}

/**
 * Creates each hospital's node-admin account, generates its key, enrols the public key in the node's data
 * folder (before the node starts) and writes the private key to `<dir>/node-admins/<username>.key`.
 */
export async function createDemoNodeAdmins(
  hubAdmin: HubClient,
  dir: string,
  hospitals: ReadonlyArray<{
    name: string;
    slug: string;
    nodeId: string;
    organisationId: string;
    dataDir: string;
  }>,
): Promise<DemoNodeAdmin[]> {
  const keysDir = join(dir, 'node-admins');
  mkdirSync(keysDir, { recursive: true, mode: 0o700 });
  const admins: DemoNodeAdmin[] = [];
  for (const [i, h] of hospitals.entries()) {
    const username = `${h.slug}-admin`;
    const password = randomBytes(12).toString('base64url');
    await hubAdmin.createUser({
      username,
      password,
      organisationId: h.organisationId,
      roles: ['node-admin'],
      displayName: `Node administrator, ${h.name}`,
    });
    const key = generateAdminKeyPem();
    enrolAdminKey(h.dataDir, username, key.publicKeyPem, 'fedhub demo');
    const keyFile = join(keysDir, `${username}.key`);
    writeFileSync(keyFile, key.privateKeyPem, { mode: 0o600 });
    admins.push({
      node: h.name,
      nodeId: h.nodeId,
      username,
      password,
      keyName: username,
      keyFile,
      approvals: i === DEMO_MANUAL_NODE_INDEX ? 'manual' : 'automatic',
    });
  }
  return admins;
}

/**
 * Approves `algorithms` for `studyId` at the admin's node as the admin would with `fedhub node admins decide`
 * (signed with the key file, relayed by the hub) and waits until the node has applied every decision: a decision the
 * node rejects stops the demo with the node's reason.
 */
export async function approveAsNodeAdmin(
  hubUrl: string,
  admin: DemoNodeAdmin,
  studyId: string,
  algorithms: readonly string[],
  timeoutMs = 60_000,
): Promise<void> {
  const privateKeyPem = readFileSync(admin.keyFile, 'utf8');
  const client = await HubClient.login(hubUrl, admin.username, admin.password);
  const ids: string[] = [];
  for (const algorithm of algorithms) {
    const body = { studyId, decision: 'approve' as const, algorithm };
    const adminSignature = signAdminStatement(privateKeyPem, admin.keyName, admin.nodeId, body);
    ids.push((await client.decideApproval(admin.nodeId, { ...body, adminSignature })).id);
  }
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { decisions } = await client.nodeApprovals(admin.nodeId);
    const ours = decisions.filter((d) => ids.includes(d.id));
    const rejected = ours.find((d) => d.ack && !d.ack.applied);
    if (rejected)
      throw new Error(
        `${admin.node} rejected the demo's approval of ${rejected.algorithm}: ${rejected.ack!.reason ?? 'no reason given'}`,
      );
    if (ours.length === ids.length && ours.every((d) => d.ack?.applied)) return;
    if (Date.now() > deadline)
      throw new Error(
        `${admin.node} did not apply the demo's approvals within ${timeoutMs / 1000} s (see its node.log)`,
      );
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The lines the demo prints for its node administrators (one per hospital, the manual one first). */
export function nodeAdminLines(admins: readonly DemoNodeAdmin[]): string[] {
  const manual = admins.filter((a) => a.approvals === 'manual');
  const ordered = [...manual, ...admins.filter((a) => a.approvals !== 'manual')];
  return [
    `Node administrators (${manual.map((a) => a.node).join(', ')} approves new analyses by hand: in the dashboard, sign in as its admin and load the key file in the Inbox's "Your administrator key", key name = user name):`,
    ...ordered.map(
      (a) =>
        `  ${a.node} (${a.approvals}): user ${a.username}, password ${a.password}, key file ${a.keyFile}`,
    ),
  ];
}
