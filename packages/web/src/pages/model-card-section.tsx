/**
 * A formula model's card as a section of the page (issue 20: a frame hid the performance and limitations,
 * and its raw numbers, ISO dates and untitled ticks were the hub's print layout): the same sections as the
 * hub's HTML card, read from its JSON (`GET /api/models/:name/versions/:v/card`), numbers in the shared
 * format, dates as people write them, and each validation's calibration as a chart with CIs.
 */
import { formatEstimateCi, type ModelCard } from '@fedhub/protocol';
import { shortDateTime } from '../api/time.js';
import { wilsonInterval } from '../charts/binomial-ci.js';
import { toCsv } from '../charts/csv.js';
import { formatNumber, formatP, linearScale, niceTicks } from '../charts/scale.js';
import { SERIES_COLOURS, XAxis, YAxis } from '../results/axis.js';
import { NA } from '../results/ci-text.js';
import { Figure } from '../results/figure.js';

/** "nEvents" -> "n events", "null_deviance" -> "null deviance". */
const words = (key: string) =>
  key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/_/g, ' ')
    .toLowerCase();

/** A training-data value as people read it: whole numbers as they are, others to 6 significant digits. */
function readable(v: unknown): string {
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : formatNumber(v, 6);
  return v === null || v === undefined ? '–' : String(v);
}

/** Observed against predicted risk per group, with 95% Wilson intervals of the observed rate. */
function CardCalibration({ c, index }: { c: ModelCard['calibration'][number]; index: number }) {
  const W = 360;
  const M = { l: 60, r: 16, t: 14, b: 48 };
  const P = W - M.l - M.r;
  const groups = c.groups
    .filter((g) => g.n > 0)
    .map((g) => ({ ...g, p: g.expected / g.n, rate: g.observed / g.n, ci: wilsonInterval(g.observed, g.n) }));
  const x = linearScale([0, 1], [M.l, M.l + P]);
  const y = linearScale([0, 1], [M.t + P, M.t]);
  const ticks = niceTicks(0, 1, 5);
  return (
    <Figure
      title={`Calibration, validation ${index + 1} (bars: 95% Wilson CI of the observed rate)`}
      testId="card-calibration"
      fileName={`calibration-${c.validationTaskId.slice(0, 8)}`}
      width={W}
      height={M.t + P + M.b}
      csv={() =>
        toCsv(
          ['group', 'n', 'mean_predicted', 'observed_rate', 'observed_ci_lower', 'observed_ci_upper'],
          groups.map((g, i) => [i + 1, g.n, g.p, g.rate, g.ci?.[0] ?? null, g.ci?.[1] ?? null]),
        )
      }
    >
      <line x1={x(0)} y1={y(0)} x2={x(1)} y2={y(1)} stroke="#999" strokeDasharray="4 4" />
      {groups.map((g, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: groups are positional
        <g key={i}>
          {g.ci && (
            <line x1={x(g.p)} x2={x(g.p)} y1={y(g.ci[0])} y2={y(g.ci[1])} stroke={SERIES_COLOURS[0]} />
          )}
          <circle cx={x(g.p)} cy={y(g.rate)} r={4} fill={SERIES_COLOURS[0]}>
            <title>{`group ${i + 1}: n ${g.n}, predicted ${formatNumber(g.p, 3)}, observed ${formatNumber(g.rate, 3)}`}</title>
          </circle>
        </g>
      ))}
      <XAxis scale={x} ticks={ticks} y={M.t + P} label="mean predicted risk" />
      <YAxis scale={y} ticks={ticks} x={M.l} label="observed event rate" />
    </Figure>
  );
}

/** The card's sections (data-testid="model-card"). */
export function ModelCardSection({ card }: { card: ModelCard }) {
  const s = card.specification;
  const survival = card.performance.filter((p) => typeof p.concordance === 'number');
  const binary = card.performance.filter((p) => typeof p.concordance !== 'number');
  const training = Object.entries(card.trainingData).filter(([, v]) => v === null || typeof v !== 'object');
  return (
    <article className="model-card-section" data-testid="model-card">
      <p>
        {card.model.kind} model, registered on {shortDateTime(card.model.createdAt)}
      </p>
      <h2>Intended use</h2>
      <p>{card.intendedUse}</p>
      {card.description && <p>{card.description}</p>}
      <h2>Specification</h2>
      <p>
        <code>{s.formula}</code>
        {s.family ? `, family ${s.family} (${s.link} link)` : ''}
        {s.ties ? `, ${s.ties} ties` : ''}
      </p>
      <table data-testid="card-coefficients">
        <thead>
          <tr>
            <th scope="col">term</th>
            <th scope="col">estimate</th>
            <th scope="col">standard error</th>
          </tr>
        </thead>
        <tbody>
          {s.coefficients.map((c) => (
            <tr key={c.term}>
              <th scope="row">{c.term}</th>
              <td>{formatNumber(c.estimate)}</td>
              <td>{formatNumber(c.stdError)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Provenance</h2>
      <p>
        Study <a href={`#/studies/${card.provenance.studyId}`}>{card.provenance.studyId.slice(0, 8)}</a>, task{' '}
        <a href={`#/tasks/${card.provenance.taskId}`}>{card.provenance.taskId.slice(0, 8)}</a>,{' '}
        {card.provenance.algorithm.name} {card.provenance.algorithm.version}, dataset{' '}
        {card.provenance.dataset ?? '–'}.
      </p>
      <p>Participating nodes and the sha256 of their data dictionaries:</p>
      <ul>
        {card.provenance.nodes.map((n) => (
          <li key={n.name}>
            {n.name} <code>{n.dictionaryHash ?? 'no dictionary'}</code>
          </li>
        ))}
      </ul>
      <h2>Training data</h2>
      <table data-testid="card-training">
        <tbody>
          {training.map(([k, v]) => (
            <tr key={k}>
              <th scope="row">{words(k)}</th>
              <td>{readable(v)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Performance per centre</h2>
      {card.performance.length === 0 && <p>No validation yet.</p>}
      {binary.length > 0 && (
        <table data-testid="card-performance">
          <thead>
            <tr>
              <th scope="col">centre</th>
              <th scope="col">n</th>
              <th scope="col">events</th>
              <th scope="col">AUC (95% CI)</th>
              <th scope="col">Brier</th>
              <th scope="col">calibration slope</th>
              <th scope="col">calibration-in-the-large</th>
              <th scope="col">Hosmer–Lemeshow p</th>
            </tr>
          </thead>
          <tbody>
            {binary.map((p) => (
              <tr key={`${p.validationTaskId}-${p.centre}`}>
                <th scope="row">{p.centre}</th>
                <td>{readable(p.n)}</td>
                <td>{readable(p.events)}</td>
                <td>{formatEstimateCi(p.auc, p.aucCiLower, p.aucCiUpper, 3, NA).text}</td>
                <td>{formatNumber(p.brier, 3)}</td>
                <td>{formatNumber(p.calibrationSlope, 3)}</td>
                <td>{formatNumber(p.calibrationInLarge, 3)}</td>
                <td>{formatP(p.hosmerLemeshowP)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {survival.length > 0 && (
        <>
          <table data-testid="card-performance-survival">
            <thead>
              <tr>
                <th scope="col">centre</th>
                <th scope="col">n</th>
                <th scope="col">events</th>
                <th scope="col">Harrell's C (95% CI)</th>
              </tr>
            </thead>
            <tbody>
              {survival.map((p) => (
                <tr key={`${p.validationTaskId}-${p.centre}`}>
                  <th scope="row">{p.centre}</th>
                  <td>{readable(p.n)}</td>
                  <td>{readable(p.events)}</td>
                  <td>
                    {formatEstimateCi(p.concordance, p.concordanceCiLower, p.concordanceCiUpper, 3, NA).text}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <p>
            Harrell's C as survival::concordance counts pairs (higher risk score, shorter survival), with its
            infinitesimal-jackknife standard error; event times coarsened as in training.
          </p>
        </>
      )}
      {card.model.kind !== 'coxph' && (
        <>
          <h2>Calibration</h2>
          {card.calibration.length === 0 ? (
            <p>No validation yet.</p>
          ) : (
            <div className="figures">
              {card.calibration.map((c, i) => (
                <CardCalibration key={c.validationTaskId} c={c} index={i} />
              ))}
            </div>
          )}
        </>
      )}
      <h2>Limitations</h2>
      <ul data-testid="card-limitations">
        {card.limitations.map((l) => (
          <li key={l}>{l}</li>
        ))}
      </ul>
    </article>
  );
}
