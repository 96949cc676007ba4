/**
 * One attached validation of an ONNX model's signed report: pooled metrics with 95% CIs, per-centre rows
 * where the study released them, the subgroup table where the study allows subgroup analyses, and the records left out (counts under the minimum are never shown).
 */
import { SubgroupTable } from '../results/subgroup-table.js';
import type { SubgroupTable as Subgroups } from '../results/types.js';

type Obj = Record<string, unknown>;
const num = (v: unknown, d = 3) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(d) : 'n/a');
const ci = (v: unknown) => (Array.isArray(v) ? `${num(v[0])} to ${num(v[1])}` : 'n/a');

/** A validation (a `validations[]` entry of the report). */
export function Validation({ v }: { v: Obj }) {
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
