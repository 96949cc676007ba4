/**
 * The node's own check of a run against its study, before any data is read. The hub has checked the same
 * at submission; the node does not rely on it: it recomputes the columns from its own copy of the
 * algorithm, counts the round's participants itself and reads its own clock.
 */
import type { FederatedAlgorithm } from '@fedhub/algorithms';
import { FedhubError, type RunAssignment, type StudyDescriptor, studyRefusal } from '@fedhub/protocol';

/** Why this node must refuse the run under its study, or null when the study permits it. */
export function studyGateRefusal(
  run: RunAssignment,
  algorithm: FederatedAlgorithm<unknown>,
  params: unknown,
  nodeId: string,
  now: string,
): FedhubError | null {
  // typed as present, but in-process callers and older hubs may send none
  const study = run.study as RunAssignment['study'] | undefined;
  if (study === undefined || study === null)
    return new FedhubError(
      'FH_ERR_OUTSIDE_STUDY',
      `the run carries no study descriptor for study ${run.studyId}`,
      {
        studyId: run.studyId,
      },
    );
  if (study.id !== run.studyId)
    return new FedhubError(
      'FH_ERR_OUTSIDE_STUDY',
      `the run names study ${run.studyId} but carries the descriptor of study ${study.id}`,
      { studyId: run.studyId },
    );
  if (!study.nodeIds.includes(nodeId))
    return new FedhubError(
      'FH_ERR_OUTSIDE_STUDY',
      `this node is not a node of study "${study.title}" (${study.id})`,
      {
        studyId: study.id,
      },
    );
  return studyRefusal(
    study,
    {
      algorithm: algorithm.name,
      version: algorithm.version,
      variables: algorithm.variables(params),
      params,
      // the node itself takes part even when the peer list (secure aggregation) is empty
      nodeCount: new Set([nodeId, ...run.peers.map((p) => p.nodeId)]).size,
    },
    now,
  );
}

/**
 * The run fields of a study that permits any algorithm and column to the given nodes, for in-process
 * federations and tests that are not about study permissions.
 */
export function openStudy(studyId: string, nodeIds: string[]): { studyId: string; study: StudyDescriptor } {
  return {
    studyId,
    study: {
      id: studyId,
      title: 'open study',
      status: 'active',
      nodeIds,
      minNodes: 1,
      variables: null,
      algorithms: null,
      startsAt: null,
      endsAt: null,
      releasePerNodeBreakdown: true,
    },
  };
}
