/**
 * Signed checkpoints of the audit chain: (seq, head hash, time) signed by the hub key. Nodes store every
 * checkpoint they see, so a hub log later rolled back from a backup, truncated or rewritten no longer
 * matches a checkpoint held outside the hub.
 */
import { CHAIN_GENESIS, signMessage } from '@fedhub/crypto';
import { type AuditCheckpoint, checkpointSigningString } from '@fedhub/protocol';
import type { HubContext } from '../../core/context.js';
import { hubSigningKey } from './hub-key.js';

/** Signs the current head of the chain. */
export async function currentCheckpoint(ctx: HubContext): Promise<AuditCheckpoint> {
  const key = await hubSigningKey(ctx.db, ctx.nowIso());
  const head = await ctx.db.db
    .selectFrom('audit_events')
    .select(['seq', 'hash'])
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  const c = { seq: head ? Number(head.seq) : 0, headHash: head?.hash ?? CHAIN_GENESIS, at: ctx.nowIso() };
  return {
    ...c,
    signature: signMessage(key.privateKey, checkpointSigningString(c)),
    hubPublicKey: key.publicKey,
  };
}
