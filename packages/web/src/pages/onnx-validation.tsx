/**
 * One attached validation of an ONNX model's signed report: pooled metrics with 95% CIs, per-centre rows
 * where the study released them, the subgroup table where the study allows subgroup analyses, and the records left out (counts under the minimum are never shown).
 */
import { formatBoundedScore, formatFixed } from '@fedhub/protocol';
import { SubgroupTable } from '../results/subgroup-table.js';
import type { SubgroupTable as Subgroups } from '../results/types.js';

type Obj = Record<string, unknown>;
const num = (v: unknown, d = 3) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(d) : 'n/a');
const ci = (v: unknown) => (Array.isArray(v) ? `${num(v[0])} to ${num(v[1])}` : 'n/a');

/** An imaging validation: the pooled metrics, then the cases processed and excluded by reason. */
function ImagingValidation({ v }: { v: Obj }) {
  const p = (v.pooled ?? {}) as Obj;
  const cases = (v.cases ?? {}) as Obj;
  const excluded = (cases.excluded ?? []) as Obj[];
  // Dice in [0, 1] with 3 decimals (more where a score inside (0, 1) would read as a bound); HD95 in mm, 1
  const metric = (label: string, m: Obj | undefined, fmt: (x: number) => string) => {
    const f = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? fmt(x) : 'n/a');
    return (
      <tr key={label}>
        <td>{label}</td>
        <td>{String(m?.n ?? 'n/a')}</td>
        <td>{f(m?.median)}</td>
        <td>
          {f(m?.q1)} to {f(m?.q3)}
        </td>
      </tr>
    );
  };
  return (
    <section className="onnx-validation" data-testid="onnx-imaging-validation">
      <h3>
        <a href={`#/studies/${String(v.studyId)}`}>{String(v.studyTitle)}</a> · imaging task{' '}
        <a href={`#/tasks/${String(v.taskId)}`}>{String(v.taskId).slice(0, 8)}</a> ({String(v.task)})
      </h3>
      {v.task === 'segmentation' ? (
        <table>
          <thead>
            <tr>
              {['metric', 'cases', 'median', 'quartiles'].map((h) => (
                <th key={h} scope="col">
                  {h}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {metric('Dice', p.dice as Obj | undefined, (x) => formatBoundedScore(x))}
            {metric('HD95 (mm)', p.hd95 as Obj | undefined, (x) => formatFixed(x, 1))}
          </tbody>
        </table>
      ) : (
        <p>
          AUC {num(p.auc)} ({ci(p.aucCi95)}), Brier {num(p.brier, 4)}, {String(p.n ?? 'n/a')} cases (
          {String(p.events ?? 'n/a')} positive).
        </p>
      )}
      <table data-testid="onnx-imaging-exclusions">
        <caption>Cases excluded and why ({String(cases.processed ?? 0)} processed)</caption>
        <thead>
          <tr>
            <th scope="col">reason</th>
            <th scope="col">cases</th>
          </tr>
        </thead>
        <tbody>
          {excluded.length === 0 ? (
            <tr>
              <td colSpan={2}>none</td>
            </tr>
          ) : (
            excluded.map((e) => (
              <tr key={String(e.reason)}>
                <td>{String(e.reason)}</td>
                <td>{e.count === null ? 'not released (under the minimum cell count)' : String(e.count)}</td>
              </tr>
            ))
          )}
        </tbody>
      </table>
    </section>
  );
}

/** A validation (a `validations[]` entry of the report). */
export function Validation({ v }: { v: Obj }) {
  if (v.kind === 'imaging') return <ImagingValidation v={v} />;
  const p = (v.pooled ?? {}) as Obj;
  const centres = (v.perCentre ?? null) as Obj[] | null;
  const e = (v.excluded ?? {}) as Obj;
  return (
    <section className="onnx-validation">
      <h3>
        <a href={`#/studies/${String(v.studyId)}`}>{String(v.studyTitle)}</a> · task{' '}
        <a href={`#/tasks/${String(v.taskId)}`}>{String(v.taskId).slice(0, 8)}</a>
      </h3>
      <table>
        <thead>
          <tr>
            <th scope="col">measure</th>
            <th scope="col">pooled</th>
            <th scope="col">95% CI</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <td>records (events)</td>
            <td>
              {String(p.n ?? 'n/a')} ({String(p.events ?? 'n/a')})
            </td>
            <td />
          </tr>
          <tr>
            <td>AUC</td>
            <td>{num(p.auc)}</td>
            <td>{ci(p.aucCi95)}</td>
          </tr>
          <tr>
            <td>Brier score</td>
            <td>{num(p.brier, 4)}</td>
            <td />
          </tr>
          <tr>
            <td>calibration slope</td>
            <td>{num(p.calibrationSlope)}</td>
            <td>{ci(p.calibrationSlopeCi95)}</td>
          </tr>
          <tr>
            <td>calibration-in-the-large</td>
            <td>{num(p.calibrationInLarge)}</td>
            <td>{ci(p.calibrationInLargeCi95)}</td>
          </tr>
          <tr>
            <td>Hosmer–Lemeshow p</td>
            <td>{num(p.hosmerLemeshowP)}</td>
            <td />
          </tr>
        </tbody>
      </table>
      {centres && centres.length > 0 ? (
        <table>
          <caption>Per centre</caption>
          <thead>
            <tr>
              {['centre', 'n', 'events', 'AUC', '95% CI', 'Brier', 'slope'].map((h) => (
                <th key={h} scope="col">
                  {h}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {centres.map((c) => (
              <tr key={String(c.centre)}>
                <td>{String(c.centre)}</td>
                <td>{String(c.n ?? 'n/a')}</td>
                <td>{String(c.events ?? 'n/a')}</td>
                <td>{num(c.auc)}</td>
                <td>
                  {num(c.aucCiLower)} to {num(c.aucCiUpper)}
                </td>
                <td>{num(c.brier, 4)}</td>
                <td>{num(c.calibrationSlope)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p>Per-centre results: not released (the study does not allow per-node breakdowns).</p>
      )}
      {v.subgroups ? <SubgroupTable g={v.subgroups as Subgroups} /> : null}
      <p>
        Records left out (missing outcome or predictor, complete-case analysis):{' '}
        {String(e.missingValues ?? 0)} released; {String(e.centresWithFewerMissingThanMinimum ?? 0)} centre(s)
        left out fewer than their minimum cell count (not released).
      </p>
    </section>
  );
}
