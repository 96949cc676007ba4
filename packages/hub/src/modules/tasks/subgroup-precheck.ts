/**
 * A task that asks for subgroup results (a `subgroup` parameter, as `validate` takes) in a study that does not
 * allow subgroup analyses is refused at submission, before any node is asked. The nodes refuse it too, from
 * the study descriptor they receive: this check only spares the researcher a run that every node would refuse.
 */
import { FedhubError, type Study } from '@fedhub/protocol';

/** Throws FH_ERR_OUTSIDE_STUDY when `params` names a subgroup column and the study allows no subgroup analyses. */
export function refuseSubgroupOutsideStudy(
  study: Pick<Study, 'id' | 'releaseSubgroupAnalyses'>,
  params: unknown,
): void {
  const subgroup = (params as { subgroup?: unknown } | null)?.subgroup;
  if (typeof subgroup !== 'string' || study.releaseSubgroupAnalyses === true) return;
  throw new FedhubError(
    'FH_ERR_OUTSIDE_STUDY',
    `the study does not allow subgroup analyses (subgroup "${subgroup}"); its owner may allow them (releaseSubgroupAnalyses), which asks the nodes again`,
    { studyId: study.id, parameter: 'subgroup' },
  );
}
