/**
 * Step 4 of the study wizard: period, minimum nodes and per-node breakdowns, with warnings (minimum nodes
 * below the node floor, too few nodes, a past period) and the review of the whole study.
 */
import { type HubNode, LEGAL_BASIS_TITLES } from '@fedhub/protocol';
import { variableCount } from '../../forms/study-draft.js';
import { effectiveMinNodes, NODE_FLOOR, studyWarnings } from '../../forms/study-warnings.js';
import { describedBy, FieldError, invalidOf, type StepProps } from './fields.js';

export function StepPeriod({
  draft,
  set,
  errors,
  chosenNodes,
}: StepProps & { chosenNodes: readonly HubNode[] }) {
  const invalid = invalidOf(errors);
  const warnings = studyWarnings(draft, new Date().toISOString().slice(0, 10));
  return (
    <>
      <div className="row wrap">
        <div className="field" data-field="startsAt">
          <label htmlFor="study-starts">Start date</label>
          <input
            id="study-starts"
            type="date"
            value={draft.startsAt}
            aria-invalid={invalid('startsAt')}
            aria-describedby={describedBy('startsAt', errors)}
            onChange={(e) => set('startsAt', e.target.value)}
          />
          <FieldError field="startsAt" errors={errors} />
        </div>
        <div className="field" data-field="endsAt">
          <label htmlFor="study-ends">End date</label>
          <input
            id="study-ends"
            type="date"
            value={draft.endsAt}
            aria-invalid={invalid('endsAt')}
            aria-describedby={describedBy('endsAt', errors)}
            onChange={(e) => set('endsAt', e.target.value)}
          />
          <FieldError field="endsAt" errors={errors} />
        </div>
        <div className="field" data-field="minNodes">
          <label htmlFor="study-min-nodes">Minimum number of nodes per analysis</label>
          <input
            id="study-min-nodes"
            inputMode="numeric"
            placeholder={String(Math.min(3, draft.nodeIds.length || 3))}
            value={draft.minNodes}
            aria-invalid={invalid('minNodes')}
            aria-describedby={describedBy('minNodes', errors, true)}
            onChange={(e) => set('minNodes', e.target.value)}
          />
          <small id="study-minNodes-help">A pooled result from fewer nodes is not released.</small>
          <FieldError field="minNodes" errors={errors} />
        </div>
      </div>
      <div className="field">
        <label className="check">
          <input
            id="study-breakdown"
            type="checkbox"
            role="switch"
            aria-checked={draft.releasePerNodeBreakdown}
            aria-describedby="study-breakdown-help"
            checked={draft.releasePerNodeBreakdown}
            onChange={(e) => set('releasePerNodeBreakdown', e.target.checked)}
          />
          Release per-node breakdowns
        </label>
        <small id="study-breakdown-help">
          Off: only pooled results leave the federation. On: per-centre parts (e.g. per-centre forest plot
          rows) may be released too, which can identify a centre’s figures.
        </small>
      </div>
      <div className="field">
        <label className="check">
          <input
            id="study-subgroups"
            type="checkbox"
            role="switch"
            aria-checked={draft.releaseSubgroupAnalyses}
            aria-describedby="study-subgroups-help"
            checked={draft.releaseSubgroupAnalyses}
            onChange={(e) => set('releaseSubgroupAnalyses', e.target.checked)}
          />
          Allow subgroup analyses
        </label>
        <small id="study-subgroups-help">
          On: results may be given within each level of a declared column (e.g. a validation by sex or stage);
          each node releases a level only where it passes its disclosure policy.
        </small>
      </div>
      {warnings.length > 0 && (
        <ul className="warnings" aria-label="Warnings" data-testid="study-warnings">
          {warnings.map((w) => (
            <li key={w} role="status">
              <strong>Warning</strong>: {w}
            </li>
          ))}
        </ul>
      )}
      <section aria-labelledby="study-review">
        <h2 id="study-review" className="h3">
          Review
        </h2>
        <dl className="summary" data-testid="study-review">
          <dt>Title</dt>
          <dd>{draft.title}</dd>
          <dt>Legal basis</dt>
          <dd>{draft.legalBasis.map((b) => LEGAL_BASIS_TITLES[b]).join('; ') || '–'}</dd>
          <dt>Nodes</dt>
          <dd>{chosenNodes.map((n) => n.name).join(', ')}</dd>
          <dt>Variables</dt>
          <dd>{variableCount(draft)}</dd>
          <dt>Algorithms</dt>
          <dd>{draft.algorithms.join(', ')}</dd>
          <dt>Period</dt>
          <dd data-testid="review-period">
            {draft.startsAt || draft.endsAt
              ? `${draft.startsAt || 'from creation'} to ${draft.endsAt || 'open end'}`
              : 'no start or end date'}
          </dd>
          <dt>Minimum nodes per analysis</dt>
          <dd data-testid="review-min-nodes">
            {effectiveMinNodes(draft)} of {draft.nodeIds.length}
            {effectiveMinNodes(draft) < NODE_FLOOR ? ` (below the node floor of ${NODE_FLOOR})` : ''}
          </dd>
          <dt>Per-node breakdowns</dt>
          <dd data-testid="review-breakdowns">
            {draft.releasePerNodeBreakdown
              ? 'released: per-centre parts of results leave the federation'
              : 'not released: pooled results only'}
          </dd>
          <dt>Subgroup analyses</dt>
          <dd data-testid="review-subgroups">{draft.releaseSubgroupAnalyses ? 'allowed' : 'not allowed'}</dd>
        </dl>
      </section>
    </>
  );
}
