/**
 * ONNX models (issue 18): the list of the visible collaborations' registered ONNX models, and one model's
 * page with its card, the signature read from its graph, and the hub-signed validation report (pooled and
 * per-centre metrics with CIs, records left out, TRIPOD+AI/CLAIM checklist) with JSON and HTML downloads.
 */
import type { OnnxModel } from '@fedhub/protocol';
import { useState } from 'react';
import { errorText, useSession } from '../api/context.js';
import { useLoad } from '../api/hooks.js';
import { tensorText } from '../api/onnx-card-form.js';
import { shortDateTime } from '../api/time.js';
import { downloadBlob } from '../results/export.js';
import { Validation } from './onnx-validation.js';

type Obj = Record<string, unknown>;
const modelHref = (m: { name: string; version: string }) =>
  `#/onnx-models/${encodeURIComponent(m.name)}/${encodeURIComponent(m.version)}`;

function useByWhom() {
  const { me } = useSession();
  return (id: string) => (id === me.id ? 'you' : `user ${id.slice(0, 8)}`);
}

/** The list page (`#/onnx-models`). */
export function OnnxModels() {
  const { client } = useSession();
  const models = useLoad(() => client.listOnnxModels(), []);
  const collabs = useLoad(() => client.listCollaborations(), []);
  const collabName = new Map((collabs.data ?? []).map((c) => [c.id, c.name]));
  const byWhom = useByWhom();
  return (
    <section>
      <h1>ONNX models</h1>
      <p>
        Trained models brought as ONNX files: each node runs them locally, under approval, and releases only
        validation aggregates. <a href="#/onnx-models/new">Register an ONNX model</a>
      </p>
      {models.error ? (
        <p role="alert" className="error">
          {errorText(models.error)}
        </p>
      ) : null}
      {models.data && models.data.length === 0 && (
        <p>No ONNX model is registered in your collaborations yet.</p>
      )}
      {models.data && models.data.length > 0 && (
        <table data-testid="onnx-models">
          <thead>
            <tr>
              <th scope="col">model</th>
              <th scope="col">version</th>
              <th scope="col">sha256</th>
              <th scope="col">inputs → outputs</th>
              <th scope="col">collaboration</th>
              <th scope="col">registered</th>
            </tr>
          </thead>
          <tbody>
            {models.data.map((m) => (
              <tr key={m.id}>
                <td>
                  <a href={modelHref(m)}>{m.name}</a>
                </td>
                <td>{m.version}</td>
                <td>
                  <code title={m.sha256}>{m.sha256.slice(0, 12)}</code>
                </td>
                <td data-testid="onnx-signature">
                  {m.signature.inputs.map(tensorText).join('; ')} →{' '}
                  {m.signature.outputs.map(tensorText).join('; ')}
                </td>
                <td>{collabName.get(m.collaborationId) ?? m.collaborationId.slice(0, 8)}</td>
                <td>
                  {byWhom(m.createdBy)}, {shortDateTime(m.createdAt)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function Card({ m }: { m: OnnxModel }) {
  const c = m.card;
  return (
    <dl className="model-card" data-testid="onnx-card">
      <dt>Intended use</dt>
      <dd>{c.intendedUse}</dd>
      <dt>Training data</dt>
      <dd>{c.trainingData}</dd>
      <dt>Inputs and preprocessing</dt>
      <dd>
        <ul>
          {c.inputs.map((i) => (
            <li key={i.name}>
              <code>{i.name}</code>: {i.description} — {i.preprocessing}
              {i.columns?.length ? ` (columns: ${i.columns.join(', ')})` : ''}
            </li>
          ))}
        </ul>
      </dd>
      <dt>Output</dt>
      <dd>
        <code>{c.output.name}</code>: {c.output.meaning}
      </dd>
      <dt>Licence</dt>
      <dd>{c.licence}</dd>
      {c.authors.length > 0 && (
        <>
          <dt>Authors</dt>
          <dd>{c.authors.join('; ')}</dd>
        </>
      )}
      <dt>Limitations</dt>
      <dd>{c.limitations.length ? c.limitations.join('; ') : 'none stated'}</dd>
      {c.references.length > 0 && (
        <>
          <dt>References</dt>
          <dd>{c.references.join('; ')}</dd>
        </>
      )}
    </dl>
  );
}

function Signature({ m }: { m: OnnxModel }) {
  const s = m.signature;
  return (
    <>
      <table data-testid="onnx-signature-detail">
        <thead>
          <tr>
            <th scope="col">role</th>
            <th scope="col">tensor</th>
          </tr>
        </thead>
        <tbody>
          {s.inputs.map((t) => (
            <tr key={`in-${t.name}`}>
              <td>input</td>
              <td>{tensorText(t)}</td>
            </tr>
          ))}
          {s.outputs.map((t) => (
            <tr key={`out-${t.name}`}>
              <td>output</td>
              <td>{tensorText(t)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>
        {s.nodeCount} nodes ({s.operators.join(', ')}); opsets{' '}
        {s.opsets.map((o) => `${o.domain || 'ai.onnx'} ${o.version}`).join(', ')}; IR {s.irVersion}; produced
        by {s.producer.name || 'unknown'} {s.producer.version}; {s.byteLength} bytes; sha256{' '}
        <code>{m.sha256}</code>.
      </p>
    </>
  );
}

/** One model's page (`#/onnx-models/<name>/<version>`). */
export function OnnxModelPage({ name, version }: { name: string; version: string }) {
  const { client, accessToken } = useSession();
  const model = useLoad(() => client.getOnnxModel(name, version), [name, version]);
  const report = useLoad(() => client.onnxValidationReport(name, version), [name, version]);
  const byWhom = useByWhom();
  const [htmlError, setHtmlError] = useState<string | null>(null);
  const base = `onnx-validation-report-${name}-${version}`;
  const downloadHtml = async () => {
    const t = accessToken();
    const r = await fetch(
      `/api/onnx-models/${encodeURIComponent(name)}/versions/${encodeURIComponent(version)}/report.html`,
      { headers: t ? { authorization: `Bearer ${t}` } : {} },
    );
    if (!r.ok) throw new Error(`the hub answered ${r.status} for the report`);
    downloadBlob(`${base}.html`, new Blob([await r.text()], { type: 'text/html' }));
  };
  const validations = (report.data?.validations ?? []) as Obj[];
  const checklist = (report.data?.checklist ?? []) as Obj[];
  const m = model.data;
  return (
    <section>
      <h1>
        ONNX model: {name} {version}
      </h1>
      <p>
        <a href="#/onnx-models">All ONNX models</a>
      </p>
      {model.error || report.error ? (
        <p role="alert" className="error">
          {errorText(model.error ?? report.error)}
        </p>
      ) : null}
      {m && (
        <>
          <p>
            Registered by {byWhom(m.createdBy)} on {shortDateTime(m.createdAt)}.{' '}
            {m.card.imaging ? (
              <>
                Validate it with the <code>validate-imaging</code> analysis,
              </>
            ) : (
              <>
                <a
                  href={`#/run?onnx=${encodeURIComponent(`${m.name}@${m.version}`)}`}
                  data-testid="validate-this-onnx-model"
                >
                  Validate this model
                </a>{' '}
                (the <code>validate</code> analysis, its inputs mapped to the columns the card suggests),
              </>
            )}{' '}
            then attach the completed task (<code>fedhub model onnx-attach</code>).
          </p>
          <h2>Model card</h2>
          <Card m={m} />
          <h2>Signature</h2>
          <Signature m={m} />
        </>
      )}
      <h2>Validation report</h2>
      <div className="export-bar">
        <button
          type="button"
          disabled={!report.data}
          onClick={() =>
            report.data &&
            downloadBlob(
              `${base}.json`,
              new Blob([JSON.stringify(report.data, null, 2)], { type: 'application/json' }),
            )
          }
        >
          Download signed JSON
        </button>
        <button
          type="button"
          disabled={!report.data}
          onClick={() => void downloadHtml().catch((e: unknown) => setHtmlError(errorText(e)))}
        >
          Download HTML
        </button>
      </div>
      {htmlError && (
        <p role="alert" className="error">
          {htmlError}
        </p>
      )}
      {report.data && validations.length === 0 && <p>No validation attached yet.</p>}
      {validations.map((v) => (
        <Validation key={String(v.taskId)} v={v} />
      ))}
      {checklist.length > 0 && (
        <table>
          <caption>Reporting checklist (TRIPOD+AI, CLAIM)</caption>
          <thead>
            <tr>
              <th scope="col">guideline</th>
              <th scope="col">topic</th>
              <th scope="col">status</th>
              <th scope="col">content</th>
            </tr>
          </thead>
          <tbody>
            {checklist.map((c) => (
              <tr key={`${String(c.guideline)}-${String(c.topic)}`}>
                <td>{String(c.guideline)}</td>
                <td>{String(c.topic)}</td>
                <td>{String(c.status)}</td>
                <td>{String(c.text)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
