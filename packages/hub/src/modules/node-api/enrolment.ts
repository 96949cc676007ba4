/** Enrolment (one-time token -> node token and public keys) and node heartbeats (clock skew, datasets). */
import { isPublicKeyOfKind, randomToken, sha256Hex } from '@fedhub/crypto';
import { fromBool, toBool, toJson, withTransaction } from '@fedhub/db';
import { type DataDictionary, FedhubError, type NodeApprovalPolicy } from '@fedhub/protocol';
import type { NodePrincipal } from '../../access/principal.js';
import type { HubContext } from '../../core/context.js';
import { hubSigningKey } from '../audit/hub-key.js';
import { appendAudit } from '../audit/service.js';
import { TOKEN_PREFIX } from '../auth/tokens.js';

/**
 * Exchanges a one-time enrolment token for a node token, storing the node's public keys. Unknown, used
 * and expired tokens all get the same 401 FH_ERR_ENROLMENT.
 */
export async function enrolNode(
  ctx: HubContext,
  body: { enrolmentToken: string; publicKeys: { x25519: string; ed25519: string }; version: string },
): Promise<{
  nodeId: string;
  nodeName: string;
  collaborationId: string;
  nodeToken: string;
  organisationId: string;
  hubPublicKey: string;
}> {
  const bad: Array<{ path: string; message: string }> = [];
  if (!isPublicKeyOfKind(body.publicKeys.x25519, 'x25519'))
    bad.push({ path: 'body.publicKeys.x25519', message: 'not a base64url SPKI X25519 public key' });
  if (!isPublicKeyOfKind(body.publicKeys.ed25519, 'ed25519'))
    bad.push({ path: 'body.publicKeys.ed25519', message: 'not a base64url SPKI Ed25519 public key' });
  if (bad.length > 0)
    throw new FedhubError('FH_ERR_VALIDATION', bad.map((b) => `${b.path}: ${b.message}`).join('; '), {
      fields: bad,
    });
  const nodeToken = randomToken(TOKEN_PREFIX.node);
  const hubKey = await hubSigningKey(ctx.db, ctx.nowIso());
  return withTransaction(ctx.db, async (trx) => {
    const row = await trx
      .selectFrom('nodes')
      .selectAll()
      .where('enrolment_token_hash', '=', sha256Hex(body.enrolmentToken))
      .executeTakeFirst();
    const now = ctx.nowIso();
    if (!row || fromBool(row.enrolment_used) || row.enrolment_expires_at <= now)
      throw new FedhubError('FH_ERR_ENROLMENT');
    const res = await trx
      .updateTable('nodes')
      .set({
        enrolment_used: toBool(true),
        node_token_hash: sha256Hex(nodeToken),
        x25519_public_key: body.publicKeys.x25519,
        ed25519_public_key: body.publicKeys.ed25519,
        version: body.version,
        last_seen_at: now,
      })
      .where('id', '=', row.id)
      .where('enrolment_used', '=', toBool(false))
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) throw new FedhubError('FH_ERR_ENROLMENT');
    await appendAudit(ctx.db.dialect, trx, {
      at: now,
      actor: `node:${row.id}`,
      action: 'node.enrolled',
      object: `node:${row.id}`,
      details: {
        version: body.version,
        ed25519: sha256Hex(body.publicKeys.ed25519),
        x25519: sha256Hex(body.publicKeys.x25519),
      },
    });
    return {
      nodeId: row.id,
      nodeName: row.name,
      collaborationId: row.collaboration_id,
      nodeToken,
      organisationId: row.organisation_id,
      hubPublicKey: hubKey.publicKey,
    };
  });
}

/**
 * Records a node's heartbeat. A node whose clock differs from the hub's by more than clockSkewMaxMs is
 * refused (409 FH_ERR_CLOCK_SKEW): leases and token expiries would otherwise mean different things.
 */
export async function nodeHeartbeat(
  ctx: HubContext,
  node: NodePrincipal,
  body: {
    version: string;
    clock: string;
    datasets: DataDictionary[];
    approvals?: NodeApprovalPolicy | undefined;
  },
): Promise<{ serverTime: string; leaseMs: number }> {
  const hubNow = ctx.clock.now();
  const nodeNow = Date.parse(body.clock);
  if (Number.isNaN(nodeNow))
    throw new FedhubError('FH_ERR_VALIDATION', 'clock is not an ISO timestamp', {
      fields: [{ path: 'body.clock', message: 'not an ISO timestamp' }],
    });
  const skew = nodeNow - hubNow;
  if (Math.abs(skew) > ctx.config.clockSkewMaxMs)
    throw new FedhubError(
      'FH_ERR_CLOCK_SKEW',
      `the node's clock is ${Math.round(skew / 1000)} s ${skew > 0 ? 'ahead of' : 'behind'} the hub's (at most ${Math.round(ctx.config.clockSkewMaxMs / 1000)} s allowed): fix its time synchronisation`,
      { skewMs: skew, maxMs: ctx.config.clockSkewMaxMs },
    );
  const serverTime = new Date(hubNow).toISOString();
  await ctx.db.db
    .updateTable('nodes')
    .set({
      version: body.version,
      datasets: toJson(body.datasets),
      last_seen_at: serverTime,
      ...(body.approvals ? { approval_policy: toJson(body.approvals) } : {}),
    })
    .where('id', '=', node.id)
    .execute();
  return { serverTime, leaseMs: ctx.config.leaseMs };
}
