/** Step 3 of the study wizard: participating nodes, the variables from their dictionaries, the algorithms. */
import type { AlgorithmInfo, DataDictionary, HubNode } from '@fedhub/protocol';
import { describedBy, FieldError, type StepProps, VariablePicker } from './fields.js';

export function StepNodes({
  draft,
  set,
  errors,
  nodes,
  datasets,
  algorithms,
}: StepProps & {
  nodes: readonly HubNode[] | undefined;
  datasets: readonly DataDictionary[];
  algorithms: readonly AlgorithmInfo[];
}) {
  return (
    <>
      <fieldset data-field="nodeIds">
        <legend>Participating nodes</legend>
        {(nodes ?? []).map((n) => (
          <label key={n.id} className="check">
            <input
              type="checkbox"
              name="nodes"
              value={n.id}
              checked={draft.nodeIds.includes(n.id)}
              aria-describedby={describedBy('nodeIds', errors)}
              onChange={(e) =>
                set(
                  'nodeIds',
                  e.target.checked ? [...draft.nodeIds, n.id] : draft.nodeIds.filter((x) => x !== n.id),
                )
              }
            />
            {n.name} <span className={`status status-${n.status}`}>{n.status}</span>
            <span className="muted small">{n.datasets.map((d) => d.name).join(', ') || 'no datasets'}</span>
          </label>
        ))}
        {nodes?.length === 0 && <p className="muted">This collaboration has no nodes.</p>}
        <FieldError field="nodeIds" errors={errors} />
      </fieldset>
      <div data-field="variables">
        <h2 className="h3">Variables the study may use</h2>
        <p className="muted small" id="study-variables-help">
          Data minimisation: analyses of this study can only use the variables ticked here. The lists come
          from the chosen nodes’ data dictionaries.
        </p>
        {datasets.map((d) => (
          <VariablePicker
            key={d.name}
            dataset={d}
            picked={draft.variables[d.name] ?? []}
            errorIds={describedBy('variables', errors, true)}
            set={(cols) => set('variables', { ...draft.variables, [d.name]: cols })}
          />
        ))}
        {datasets.length === 0 && <p className="muted">The chosen nodes publish no datasets.</p>}
        <FieldError field="variables" errors={errors} />
      </div>
      <fieldset data-field="algorithms">
        <legend>Algorithms the study may run</legend>
        {algorithms.map((a: AlgorithmInfo) => (
          <label key={a.name} className="check">
            <input
              type="checkbox"
              name="algorithms"
              value={a.name}
              checked={draft.algorithms.includes(a.name)}
              aria-describedby={describedBy('algorithms', errors)}
              onChange={(e) =>
                set(
                  'algorithms',
                  e.target.checked
                    ? [...draft.algorithms, a.name]
                    : draft.algorithms.filter((x) => x !== a.name),
                )
              }
            />
            <span>
              {a.title}{' '}
              <span className="mono small">
                ({a.name} {a.version})
              </span>
            </span>
          </label>
        ))}
        <label className="check">
          <input
            type="checkbox"
            checked={draft.pinVersions}
            onChange={(e) => set('pinVersions', e.target.checked)}
          />
          Pin each algorithm to its current version (a new version then needs a study change)
        </label>
        <FieldError field="algorithms" errors={errors} />
      </fieldset>
    </>
  );
}
