/**
 * A model version's card: the hub's standalone HTML card shown in a sandboxed frame (no scripts), at the
 * full height of its content (issue 20: a 630 px frame hid the performance and limitations sections), with
 * downloads of the HTML and JSON. Fetched with the session's token, which a plain link would not carry.
 */
import { useEffect, useRef, useState } from 'react';
import { errorText, useSession } from '../api/context.js';
import { useLoad } from '../api/hooks.js';
import { downloadBlob } from '../results/export.js';

/** The model card page (`#/models/<name>/<version>`). */
export function ModelCardPage({ name, version }: { name: string; version: number }) {
  const { client, accessToken } = useSession();
  const model = useLoad(() => client.getModelVersion(name, version), [name, version]);
  const [html, setHtml] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    const t = accessToken();
    fetch(`/api/models/${encodeURIComponent(name)}/versions/${version}/card.html`, {
      headers: t ? { authorization: `Bearer ${t}` } : {},
    })
      .then(async (r) => {
        if (!r.ok) throw new Error(`the hub answered ${r.status} for the model card`);
        const text = await r.text();
        if (live) setHtml(text);
      })
      .catch((e: unknown) => live && setError(errorText(e)));
    return () => {
      live = false;
    };
  }, [name, version, accessToken]);
  const base = `model-card-${name}-v${version}`;
  const frame = useRef<HTMLIFrameElement>(null);
  // the frame takes its content's height: no inner scroll bar hides a section
  const fit = () => {
    const doc = frame.current?.contentDocument;
    if (doc?.documentElement && frame.current)
      frame.current.style.height = `${Math.max(doc.documentElement.scrollHeight, doc.body?.scrollHeight ?? 0) + 24}px`;
  };
  useEffect(() => {
    window.addEventListener('resize', fit);
    return () => window.removeEventListener('resize', fit);
  });
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
      {error || model.error ? (
        <p role="alert" className="error">
          {error ?? errorText(model.error)}
        </p>
      ) : null}
      <div className="export-bar">
        <button
          type="button"
          disabled={!html}
          onClick={() => html && downloadBlob(`${base}.html`, new Blob([html], { type: 'text/html' }))}
        >
          Download HTML
        </button>
        <button
          type="button"
          onClick={() =>
            client
              .getModelCard(name, version)
              .then((card) =>
                downloadBlob(
                  `${base}.json`,
                  new Blob([JSON.stringify(card, null, 2)], { type: 'application/json' }),
                ),
              )
              .catch((e: unknown) => setError(errorText(e)))
          }
        >
          Download JSON
        </button>
      </div>
      {html && (
        <iframe
          ref={frame}
          title={`Model card of ${name} version ${version}`}
          className="model-card"
          // same origin so that the page can read the content's height; still no scripts, forms or popups
          sandbox="allow-same-origin"
          srcDoc={html}
          onLoad={fit}
          data-testid="model-card"
        />
      )}
    </section>
  );
}
