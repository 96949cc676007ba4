/**
 * What the study wizard warns about before a study is created (pure): a minimum number of nodes below
 * the nodes' own floor, fewer nodes than that floor, a period already over; and the duplicate-title check
 * the hub also makes (FH_ERR_ALREADY_EXISTS).
 */
import type { Study } from '@fedhub/protocol';
import type { StudyDraft } from './study-draft.js';

/** The floor a node applies by default (its policy's minNodes, node/src/config.ts): no round below it. */
export const NODE_FLOOR = 3;

/** The minimum number of nodes the study will get (the wizard's default when the field is empty). */
export function effectiveMinNodes(d: Pick<StudyDraft, 'minNodes' | 'nodeIds'>): number {
  return d.minNodes.trim() === '' ? Math.min(NODE_FLOOR, d.nodeIds.length) : Number(d.minNodes);
}

/** Warnings (not errors: the study can still be created) about the draft, in words. */
export function studyWarnings(d: StudyDraft, today: string, floor = NODE_FLOOR): string[] {
  const out: string[] = [];
  const min = effectiveMinNodes(d);
  if (Number.isInteger(min) && min >= 1 && min < floor)
    out.push(
      `Minimum nodes ${min} is below the node floor of ${floor} (the nodes' default policy): nodes with that policy refuse every round of fewer than ${floor} nodes, and a pooled result of ${min === 1 ? 'one node is that node’s own result' : `${min} nodes lets each centre infer the other’s figures`}.`,
    );
  if (d.nodeIds.length > 0 && d.nodeIds.length < floor)
    out.push(
      `Only ${d.nodeIds.length} node(s) take part: nodes with the default floor of ${floor} refuse to compute in this study.`,
    );
  if (d.endsAt && d.endsAt < today) out.push(`The period ended on ${d.endsAt}: no analysis can run.`);
  return out;
}

const norm = (t: string) => t.trim().replace(/\s+/g, ' ').toLowerCase();

/** The study of `collaborationId` already titled `title` (ignoring case and spaces), other than `exceptId`. */
export function sameTitle(
  studies: readonly Pick<Study, 'id' | 'title' | 'collaborationId'>[],
  collaborationId: string,
  title: string,
  exceptId?: string,
): Pick<Study, 'id' | 'title'> | undefined {
  if (!title.trim()) return undefined;
  return studies.find(
    (s) => s.collaborationId === collaborationId && s.id !== exceptId && norm(s.title) === norm(title),
  );
}
