/** The token-signing secret: created on first start and stored, so every hub process on a database shares it. */
import { randomBytes } from 'node:crypto';
import type { DbHandle } from '@fedhub/db';

const ACCESS_TOKEN_SECRET = 'access-token-hmac';

/** Returns the stored secret, creating it when the database has none (first writer wins). */
export async function loadOrCreateHubSecret(h: DbHandle, nowIso: string): Promise<Uint8Array> {
  await h.db
    .insertInto('hub_secrets')
    .values({ name: ACCESS_TOKEN_SECRET, value: randomBytes(32).toString('base64url'), created_at: nowIso })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const row = await h.db
    .selectFrom('hub_secrets')
    .select('value')
    .where('name', '=', ACCESS_TOKEN_SECRET)
    .executeTakeFirstOrThrow();
  return Buffer.from(row.value, 'base64url');
}
