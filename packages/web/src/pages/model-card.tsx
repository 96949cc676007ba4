/**
 * A model version's card (after Mitchell et al. 2019), rendered as sections of the page from the card's JSON
 * (intended use, specification, provenance, training data, performance per centre, calibration, limitations),
 * with downloads of the hub's standalone HTML card and the JSON. The HTML is fetched with the session's token
 * only when downloaded (a plain link would not carry it). Issue 20: the card was an iframe before.
 */
import type { ModelCard } from '@fedhub/protocol';
import { useState } from 'react';
import { errorText, useSession } from '../api/context.js';
import { useLoad } from '../api/hooks.js';
import { formatNumber } from '../charts/scale.js';
import { downloadBlob } from '../results/export.js';

const fmt = (v: number | null | undefined, d = 3) =>
  typeof v === 'number' && Number.isFinite(v) ? formatNumber(v, d) : '–';
/** camelCase keys of the training summary in words. */
const words = (k: string) => k.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();

function Performance({ card }: { card: ModelCard }) {
  const binary = card.performance.filter((p) => p.concordance === undefined || p.concordance === null);
  const survival = card.performance.filter((p) => typeof p.concordance === 'number');
  if (card.performance.length === 0) return <p>No validation yet.</p>;
  return (
    <>
      {binary.length > 0 && (
        <table data-testid="model-card-performance">
          <thead>
            <tr>
              {[
                'centre',
                'n',
                'events',
                'AUC (95% CI)',
                'Brier',
                'calibration slope',
                'calibration in the large',
                'Hosmer–Lemeshow p',
              ].map((h) => (
                <th key={h} scope="col">
                  {h}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {binary.map((p) => (
              <tr key={`${p.validationTaskId}-${p.centre}`}>
                <th scope="row">{p.centre}</th>
                <td>{fmt(p.n, 0)}</td>
                <td>{fmt(p.events, 0)}</td>
                <td>
                  {fmt(p.auc)} ({fmt(p.aucCiLower)}–{fmt(p.aucCiUpper)})
                </td>
                <td>{fmt(p.brier)}</td>
                <td>{fmt(p.calibrationSlope)}</td>
                <td>{fmt(p.calibrationInLarge)}</td>
                <td>{fmt(p.hosmerLemeshowP)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {survival.length > 0 && (
        <>
          <table data-testid="model-card-concordance">
            <thead>
              <tr>
                {['centre', 'n', 'events', "Harrell's C (95% CI)", 'validation task'].map((h) => (
                  <th key={h} scope="col">
                    {h}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {survival.map((p) => (
                <tr key={`${p.validationTaskId}-${p.centre}`}>
                  <th scope="row">{p.centre}</th>
                  <td>{fmt(p.n, 0)}</td>
                  <td>{fmt(p.events, 0)}</td>
                  <td>
                    {fmt(p.concordance)} ({fmt(p.concordanceCiLower)}–{fmt(p.concordanceCiUpper)})
                  </td>
                  <td>
                    <a href={`#/tasks/${p.validationTaskId}`}>{p.validationTaskId.slice(0, 8)}</a>
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
    </>
  );
}

/** The card's sections. */
export function ModelCardSections({ card }: { card: ModelCard }) {
  const spec = card.specification;
  const training = Object.entries(card.trainingData).filter(([, v]) => v === null || typeof v !== 'object');
  return (
    <div className="model-card" data-testid="model-card">
      <p>
        {card.model.kind} model registered on {card.model.createdAt.slice(0, 10)}
      </p>
      <h2>Intended use</h2>
      <p>{card.intendedUse}</p>
      {card.description && <p>{card.description}</p>}
      <h2>Specification</h2>
      <p>
        <code>{spec.formula}</code>
        {spec.family ? `, family ${spec.family} (${spec.link} link)` : ''}
        {spec.ties ? `, ${spec.ties} ties` : ''}
      </p>
      <table>
        <thead>
          <tr>
            <th scope="col">term</th>
            <th scope="col">estimate</th>
            <th scope="col">standard error</th>
          </tr>
        </thead>
        <tbody>
          {spec.coefficients.map((c) => (
            <tr key={c.term}>
              <th scope="row">{c.term}</th>
              <td>{fmt(c.estimate, 5)}</td>
              <td>{fmt(c.stdError, 5)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Provenance</h2>
      <p>
        Study <a href={`#/studies/${card.provenance.studyId}`}>{card.provenance.studyId.slice(0, 8)}</a>, task{' '}
        <a href={`#/tasks/${card.provenance.taskId}`}>{card.provenance.taskId.slice(0, 8)}</a>, algorithm{' '}
        {card.provenance.algorithm.name}@{card.provenance.algorithm.version}{' '}
        <code>{card.provenance.algorithm.digest.slice(0, 16)}…</code>, dataset{' '}
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
      <table>
        <tbody>
          {training.map(([k, v]) => (
            <tr key={k}>
              <th scope="row">{words(k)}</th>
              <td>{typeof v === 'number' ? formatNumber(v, 4) : String(v)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Performance per centre</h2>
      <Performance card={card} />
      {card.model.kind !== 'coxph' && (
        <>
          <h2>Calibration</h2>
          {card.calibration.length === 0 ? (
            <p>No validation yet.</p>
          ) : (
            card.calibration.map((c) => (
              <table key={c.validationTaskId}>
                <caption>
                  Observed and expected events by risk group, validation task{' '}
                  <a href={`#/tasks/${c.validationTaskId}`}>{c.validationTaskId.slice(0, 8)}</a>
                </caption>
                <thead>
                  <tr>
                    {['group', 'n', 'observed', 'expected'].map((h) => (
                      <th key={h} scope="col">
                        {h}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {c.groups.map((g, i) => (
                    // biome-ignore lint/suspicious/noArrayIndexKey: risk groups are positional
                    <tr key={i}>
                      <th scope="row">{i + 1}</th>
                      <td>{fmt(g.n, 0)}</td>
                      <td>{fmt(g.observed, 1)}</td>
                      <td>{fmt(g.expected, 1)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ))
          )}
        </>
      )}
      <h2>Limitations</h2>
      <ul>
        {card.limitations.map((l) => (
          <li key={l}>{l}</li>
        ))}
      </ul>
    </div>
  );
}

/** The model card page (`#/models/<name>/<version>`). */
export function ModelCardPage({ name, version }: { name: string; version: number }) {
  const { client, accessToken } = useSession();
  const model = useLoad(() => client.getModelVersion(name, version), [name, version]);
  const card = useLoad(() => client.getModelCard(name, version), [name, version]);
  const [error, setError] = useState<string | null>(null);
  const base = `model-card-${name}-v${version}`;
  const downloadHtml = async () => {
    const t = accessToken();
    const r = await fetch(`/api/models/${encodeURIComponent(name)}/versions/${version}/card.html`, {
      headers: t ? { authorization: `Bearer ${t}` } : {},
    });
    if (!r.ok) throw new Error(`the hub answered ${r.status} for the model card`);
    downloadBlob(`${base}.html`, new Blob([await r.text()], { type: 'text/html' }));
  };
  return (
    <section>
      <h1>
        Model card: {name} v{version}
      </h1>
      {model.data && (
        <p>
          From <a href={`#/studies/${model.data.studyId}`}>its study</a>, task{' '}
          <a href={`#/tasks/${model.data.taskId}`}>{model.data.taskId.slice(0, 8)}</a> ·{' '}
          {model.data.algorithm.name} {model.data.algorithm.version} ·{' '}
          <a
            href={`#/run?model=${encodeURIComponent(`${name}@${version}`)}`}
            data-testid="validate-this-model"
          >
            Validate this model
          </a>
        </p>
      )}
      {error || model.error || card.error ? (
        <p role="alert" className="error">
          {error ?? errorText(model.error ?? card.error)}
        </p>
      ) : null}
      <div className="export-bar">
        <button
          type="button"
          disabled={!card.data}
          onClick={() => void downloadHtml().catch((e: unknown) => setError(errorText(e)))}
        >
          Download HTML
        </button>
        <button
          type="button"
          disabled={!card.data}
          onClick={() =>
            card.data &&
            downloadBlob(
              `${base}.json`,
              new Blob([JSON.stringify(card.data, null, 2)], { type: 'application/json' }),
            )
          }
        >
          Download JSON
        </button>
      </div>
      {card.data && <ModelCardSections card={card.data} />}
    </section>
  );
}
