/**
 * One title per study in a collaboration: two studies named alike cannot be told apart in lists, inboxes
 * and the Art. 30 record. Compared without case and surrounding spaces.
 */
import type { Schema } from '@fedhub/db';
import { FedhubError } from '@fedhub/protocol';
import type { Kysely } from 'kysely';

const norm = (t: string) => t.trim().replace(/\s+/g, ' ').toLowerCase();

/** Throws FH_ERR_ALREADY_EXISTS when another study of `collaborationId` has the title `title`. */
export async function refuseDuplicateTitle(
  db: Kysely<Schema>,
  collaborationId: string,
  title: string,
  exceptStudyId?: string,
): Promise<void> {
  const rows = await db
    .selectFrom('studies')
    .select(['id', 'title'])
    .where('collaboration_id', '=', collaborationId)
    .execute();
  const same = rows.find((r) => r.id !== exceptStudyId && norm(r.title) === norm(title));
  if (same)
    throw new FedhubError(
      'FH_ERR_ALREADY_EXISTS',
      `a study titled "${same.title}" already exists in this collaboration: choose another title`,
      {
        fields: [{ path: 'body.title', message: 'already used by another study of the collaboration' }],
        studyId: same.id,
      },
    );
}
