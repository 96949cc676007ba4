/**
 * The frozen model to validate: a model version from the registry, a fitted task of this study (a binomial
 * glm or a coxph), a registered ONNX model (validate only) with its inputs mapped to columns, or a column of
 * scores. The chosen model's formula and coefficients are shown, never
 * typed as JSON.
 */
import type { ColumnSpec, ModelVersion, OnnxModel, Task } from '@fedhub/protocol';
import { formatNumber } from '../../charts/scale.js';
import { describeColumn, pickableColumns } from '../columns.js';
import type { ModelDraft } from '../params-values.js';

/** A glm model's right-hand side ("~ a + b"), a coxph model's whole formula: as the hub freezes them. */
export function frozenFormula(kind: 'glm' | 'coxph', formula: string): string {
  if (kind === 'coxph') return formula;
  const i = formula.indexOf('~');
  return i >= 0 ? `~ ${formula.slice(i + 1).trim()}` : formula;
}

type Coef = { term: string; estimate: number | null };
const coefficientsOf = (cs: readonly Coef[]) =>
  Object.fromEntries(
    cs.filter((c) => typeof c.estimate === 'number').map((c) => [c.term, c.estimate as number]),
  );

/** The draft for a registered model version. */
export function draftFromModel(kind: 'glm' | 'coxph', m: ModelVersion): ModelDraft {
  return {
    source: 'frozen',
    formula: frozenFormula(kind, m.formula),
    coefficients: coefficientsOf(m.coefficients),
    label: `model ${m.name} v${m.version}`,
  };
}

/** The draft for a completed fitting task's result (null when the task did not fit such a model). */
export function draftFromTask(kind: 'glm' | 'coxph', t: Task): ModelDraft | null {
  const r = t.result as { formula?: string; family?: string; coefficients?: Coef[] } | null;
  if (t.algorithm !== kind || t.status !== 'completed' || !r?.formula || !r.coefficients) return null;
  if (kind === 'glm' && r.family !== 'binomial') return null;
  return {
    source: 'frozen',
    formula: frozenFormula(kind, r.formula),
    coefficients: coefficientsOf(r.coefficients),
    label: t.title
      ? `${t.title} (${t.algorithm}, ${t.createdAt.slice(0, 10)})`
      : `task ${t.id.slice(0, 8)} (${t.algorithm}, ${t.createdAt.slice(0, 10)})`,
  };
}

/**
 * The outcome column of a fitted logistic GLM (its formula's left-hand side, when it is a plain column):
 * "validate this model" checks the model against the same outcome at the other centres.
 *
 * @example
 * outcomeOfTask({ algorithm: 'glm', params: { formula: 'toxicity ~ dose_gy' } }) // 'toxicity'
 */
export function outcomeOfTask(t: Pick<Task, 'algorithm' | 'params'>): string | null {
  if (t.algorithm !== 'glm') return null;
  const formula = (t.params as { formula?: unknown } | null)?.formula;
  if (typeof formula !== 'string') return null;
  const lhs = formula.split('~')[0]?.trim() ?? '';
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(lhs) ? lhs : null;
}

/**
 * The draft for a registered ONNX model: each graph input filled with the columns its card suggests (in
 * order), the output the card's claims refer to (or the graph's only output). The researcher checks the
 * mapping before running; the node checks it against the signature again.
 */
export function draftFromOnnx(m: OnnxModel): ModelDraft {
  const suggested = new Map(m.card.inputs.map((i) => [i.name, i.columns ?? []]));
  const outputs = m.signature.outputs.map((o) => o.name);
  return {
    source: 'onnx',
    onnx: `sha256:${m.sha256}`,
    registered: `${m.name}@${m.version}`,
    inputs: Object.fromEntries(m.signature.inputs.map((i) => [i.name, [...(suggested.get(i.name) ?? [])]])),
    output: outputs.includes(m.card.output.name) ? m.card.output.name : (outputs[0] ?? ''),
  };
}

/** The number of columns an ONNX input takes ([rows, k]: k), where the graph fixes it. */
function inputWidth(m: OnnxModel | undefined, input: string): number | null {
  const shape = m?.signature.inputs.find((i) => i.name === input)?.shape;
  return shape && typeof shape[1] === 'number' ? shape[1] : null;
}

/** The ONNX part of the model widget: the registered model, then each input's columns, in order. */
function OnnxChoice(props: {
  id: string;
  onnxModels: readonly OnnxModel[];
  columns: readonly ColumnSpec[];
  value: Extract<ModelDraft, { source: 'onnx' }>;
  set: (v: ModelDraft) => void;
}) {
  const { id, value } = props;
  const chosen = props.onnxModels.find((m) => `${m.name}@${m.version}` === value.registered);
  const numeric = pickableColumns(props.columns, 'numeric').map((c) => c.name);
  return (
    <>
      <select
        id={id}
        aria-label="ONNX model"
        value={value.registered}
        onChange={(e) => {
          const m = props.onnxModels.find((x) => `${x.name}@${x.version}` === e.target.value);
          if (m) props.set(draftFromOnnx(m));
        }}
      >
        <option value="">
          {props.onnxModels.length === 0
            ? 'No ONNX model registered in this collaboration yet'
            : 'Choose an ONNX model…'}
        </option>
        {props.onnxModels
          .filter((m) => !m.card.imaging)
          .map((m) => (
            <option key={m.id} value={`${m.name}@${m.version}`}>
              {`${m.name} ${m.version} (sha256 ${m.sha256.slice(0, 12)}…)`}
            </option>
          ))}
      </select>
      {value.registered && (
        <table className="compact" data-testid={`${id}-onnx-inputs`}>
          <caption>
            Columns per model input, in order (output <code>{value.output}</code>)
          </caption>
          <tbody>
            {Object.entries(value.inputs).map(([input, cols]) => {
              const width = inputWidth(chosen, input);
              const unknown = cols.filter((c) => !numeric.includes(c));
              return (
                <tr key={input}>
                  <th scope="row">
                    <label htmlFor={`${id}-input-${input}`}>{input}</label>
                  </th>
                  <td>
                    <input
                      id={`${id}-input-${input}`}
                      value={cols.join(', ')}
                      aria-describedby={`${id}-input-${input}-help`}
                      onChange={(e) =>
                        props.set({
                          ...value,
                          inputs: {
                            ...value.inputs,
                            [input]: e.target.value
                              .split(',')
                              .map((c) => c.trim())
                              .filter((c) => c !== ''),
                          },
                        })
                      }
                    />
                    <small id={`${id}-input-${input}-help`}>
                      {width !== null ? `${width} column(s), ` : ''}
                      {cols.length} named
                      {width !== null && width !== cols.length ? ': the model takes another number' : ''}
                      {unknown.length > 0 && props.columns.length > 0
                        ? `; not a numeric column of the dataset: ${unknown.join(', ')}`
                        : ''}
                    </small>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </>
  );
}

const fits = (kind: 'glm' | 'coxph', m: ModelVersion) =>
  m.kind === kind && (kind === 'coxph' || m.family === 'binomial');

export function ModelField(props: {
  id: string;
  kind: 'glm' | 'coxph';
  models: readonly ModelVersion[];
  onnxModels?: readonly OnnxModel[];
  tasks: readonly Task[];
  columns: readonly ColumnSpec[];
  value: ModelDraft | undefined;
  set: (v: ModelDraft) => void;
}) {
  const { id, kind, value } = props;
  const models = props.models.filter((m) => fits(kind, m));
  const tasks = props.tasks.flatMap((t) => {
    const d = draftFromTask(kind, t);
    return d ? [{ t, d }] : [];
  });
  const source = value?.source ?? 'frozen';
  const options = [
    ...models.map((m) => ({ key: `model:${m.name}@${m.version}`, draft: draftFromModel(kind, m) })),
    ...tasks.map(({ t, d }) => ({ key: `task:${t.id}`, draft: d })),
  ];
  const pick = (key: string) => {
    const o = options.find((x) => x.key === key);
    if (o) props.set(o.draft);
  };
  const chosenKey =
    value?.source === 'frozen'
      ? (options.find((o) => o.draft.source === 'frozen' && o.draft.label === value.label)?.key ?? '')
      : '';
  return (
    <div className="model-field">
      <div className="row" role="radiogroup" aria-label="Model source">
        <label className="check">
          <input
            type="radio"
            name={`${id}-source`}
            checked={source === 'frozen'}
            onChange={() => props.set({ source: 'frozen', formula: '', coefficients: {} })}
          />
          {kind === 'glm' ? 'a fitted logistic model' : 'a fitted Cox model'}
        </label>
        <label className="check">
          <input
            type="radio"
            name={`${id}-source`}
            checked={source === 'score'}
            onChange={() => props.set({ source: 'score', score: '' })}
          />
          a column of {kind === 'glm' ? 'predicted probabilities' : 'risk scores'}
        </label>
        {kind === 'glm' && (
          <label className="check">
            <input
              type="radio"
              name={`${id}-source`}
              checked={source === 'onnx'}
              onChange={() => props.set({ source: 'onnx', onnx: '', registered: '', inputs: {}, output: '' })}
            />
            a registered ONNX model
          </label>
        )}
      </div>
      {value?.source === 'onnx' ? (
        <OnnxChoice
          id={id}
          onnxModels={props.onnxModels ?? []}
          columns={props.columns}
          value={value}
          set={props.set}
        />
      ) : source === 'frozen' ? (
        <>
          <select
            id={id}
            aria-label="Model"
            aria-describedby={`${id}-help`}
            value={chosenKey}
            onChange={(e) => pick(e.target.value)}
          >
            <option value="">
              {models.length + tasks.length === 0
                ? `No ${kind === 'glm' ? 'binomial glm' : 'coxph'} model registered or fitted in this study yet`
                : value?.source === 'frozen' && !chosenKey && value.label
                  ? value.label
                  : 'Choose a model…'}
            </option>
            {models.length > 0 && (
              <optgroup label="Model registry">
                {models.map((m) => (
                  <option key={`${m.name}@${m.version}`} value={`model:${m.name}@${m.version}`}>
                    {`${m.name} v${m.version}: ${m.formula}`}
                  </option>
                ))}
              </optgroup>
            )}
            {tasks.length > 0 && (
              <optgroup label="Fitted in this study">
                {tasks.map(({ t, d }) => (
                  <option key={t.id} value={`task:${t.id}`}>
                    {d.source === 'frozen' ? `${d.label}: ${d.formula}` : ''}
                  </option>
                ))}
              </optgroup>
            )}
          </select>
          {value?.source === 'frozen' && value.formula && (
            <table className="compact" data-testid={`${id}-coefficients`}>
              <caption>
                <code>{value.formula}</code>
                {value.label ? ` (${value.label})` : ''}
              </caption>
              <tbody>
                {Object.entries(value.coefficients).map(([term, b]) => (
                  <tr key={term}>
                    <th scope="row">{term}</th>
                    <td>{formatNumber(b, 5)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      ) : (
        <select
          id={id}
          aria-label="Score column"
          value={value?.source === 'score' ? value.score : ''}
          onChange={(e) => props.set({ source: 'score', score: e.target.value })}
        >
          <option value="">Choose the score column…</option>
          {pickableColumns(props.columns, 'numeric').map((c) => (
            <option key={c.name} value={c.name}>
              {describeColumn(c)}
            </option>
          ))}
        </select>
      )}
    </div>
  );
}
