/**
 * The node's own floors on the peer set of every round, checked before any data is read.
 *
 * A study's `minNodes` is the researcher's choice, and the hub assembles each round: neither may lower
 * what this node requires. A round with too few participants lets the others (or the hub, which sees the
 * masked sum) subtract their own share and recover this node's partial; a round whose participants belong
 * to too few organisations lets one member organisation, feeding several nodes with known rows, do the
 * same. So the node counts the round's actual participants (RunAssignment.peers) and their organisations
 * itself, takes the larger of its floor and the study's, and masks only with nodes of the study it
 * received (whose node list the node's approval covers): a node the hub slipped into the round is refused.
 */
import { FedhubError, type RunAssignment } from '@fedhub/protocol';
import { z } from 'zod';

/** The node's floors, as `node.yaml` `policy` sets them; a study may only raise them. */
export const RoundFloorsSchema = z.strictObject({
  minNodes: z
    .int()
    .min(1)
    .max(1000)
    .default(3)
    .describe('Fewest nodes (this one included) of a round this node computes in'),
  minOrganisations: z
    .int()
    .min(1)
    .max(1000)
    .default(3)
    .describe('Fewest distinct organisations among the nodes of a round'),
});
export type RoundFloors = z.infer<typeof RoundFloorsSchema>;

/** The defaults: at least 3 nodes of at least 3 distinct organisations per round. */
export const DEFAULT_ROUND_FLOORS: RoundFloors = Object.freeze({ minNodes: 3, minOrganisations: 3 });

/** Algorithms that read no data and release nothing derived from it (a connectivity check). */
const FLOOR_EXEMPT: ReadonlySet<string> = new Set(['ping']);

/**
 * Why this node must refuse to compute in this round, or null. The error names the rule and the study,
 * never anything read from data (no data has been read yet).
 */
export function roundFloorRefusal(
  run: Pick<RunAssignment, 'algorithm' | 'studyId' | 'study' | 'peers'>,
  self: { id: string; organisationId?: string | undefined },
  floors: RoundFloors,
): FedhubError | null {
  const nodeId = self.id;
  if (FLOOR_EXEMPT.has(run.algorithm)) return null;
  const study = run.study as RunAssignment['study'] | undefined;
  const accepted = new Set(study?.nodeIds ?? []);
  const strangers = run.peers.filter((p) => p.nodeId !== nodeId && !accepted.has(p.nodeId));
  if (strangers.length > 0)
    return new FedhubError(
      'FH_ERR_PEER_NOT_ACCEPTED',
      `${strangers.length === 1 ? 'a node' : `${strangers.length} nodes`} of this round ${strangers.length === 1 ? 'is' : 'are'} not among the nodes of study ${run.studyId}: this node does not compute or mask with them`,
      { studyId: run.studyId, rule: 'peers-in-study' },
    );
  const participants = new Map<string, string | undefined>();
  for (const p of run.peers) participants.set(p.nodeId, p.organisationId);
  // this node's organisation is its own record (from enrolment) where it has one, not the hub's word
  participants.set(nodeId, self.organisationId ?? participants.get(nodeId));
  const minNodes = Math.max(floors.minNodes, study?.minNodes ?? 1);
  if (participants.size < minNodes)
    return new FedhubError(
      'FH_ERR_NODE_FLOOR',
      `this node computes only in rounds of at least ${minNodes} nodes; this round has ${participants.size}`,
      { studyId: run.studyId, rule: 'min-nodes', minNodes },
    );
  if (floors.minOrganisations > 1) {
    if ([...participants.values()].some((org) => org === undefined))
      return new FedhubError(
        'FH_ERR_NODE_FLOOR',
        `the hub did not say which organisation every node of this round belongs to; this node requires ${floors.minOrganisations} distinct organisations`,
        { studyId: run.studyId, rule: 'min-organisations', minOrganisations: floors.minOrganisations },
      );
    const organisations = new Set(participants.values());
    if (organisations.size < floors.minOrganisations)
      return new FedhubError(
        'FH_ERR_NODE_FLOOR',
        `this node computes only in rounds with nodes of at least ${floors.minOrganisations} distinct organisations; this round has ${organisations.size}`,
        { studyId: run.studyId, rule: 'min-organisations', minOrganisations: floors.minOrganisations },
      );
  }
  return null;
}
