/**
 * A model version's card as a section of the page (not a frame: issue 20), with downloads of the hub's
 * standalone HTML card and of its JSON. The HTML is fetched with the session's token, which a plain link
 * would not carry.
 */
import { useState } from 'react';
import { errorText, useSession } from '../api/context.js';
import { useLoad } from '../api/hooks.js';
import { downloadBlob } from '../results/export.js';
import { ModelCardSection } from './model-card-section.js';

/** The model card page (`#/models/<name>/<version>`). */
export function ModelCardPage({ name, version }: { name: string; version: number }) {
  const { client, accessToken } = useSession();
  const model = useLoad(() => client.getModelVersion(name, version), [name, version]);
  const card = useLoad(() => client.getModelCard(name, version), [name, version]);
  const [error, setError] = useState<string | null>(null);
  const base = `model-card-${name}-v${version}`;
  const downloadHtml = () => {
    const t = accessToken();
    fetch(`/api/models/${encodeURIComponent(name)}/versions/${version}/card.html`, {
      headers: t ? { authorization: `Bearer ${t}` } : {},
    })
      .then(async (r) => {
        if (!r.ok) throw new Error(`the hub answered ${r.status} for the model card`);
        downloadBlob(`${base}.html`, new Blob([await r.text()], { type: 'text/html' }));
      })
      .catch((e: unknown) => setError(errorText(e)));
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
        <button type="button" onClick={downloadHtml}>
          Download HTML
        </button>
        <button
          type="button"
          onClick={() =>
            client
              .getModelCard(name, version)
              .then((c) =>
                downloadBlob(
                  `${base}.json`,
                  new Blob([JSON.stringify(c, null, 2)], { type: 'application/json' }),
                ),
              )
              .catch((e: unknown) => setError(errorText(e)))
          }
        >
          Download JSON
        </button>
      </div>
      {card.data ? (
        <ModelCardSection card={card.data} />
      ) : (
        !card.error && <p aria-live="polite">Loading the model card…</p>
      )}
    </section>
  );
}
