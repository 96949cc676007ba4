/** Per-node runs of a task: status, round, and a refusal's code and message with the node's name. */
import type { Run } from '@fedhub/protocol';
import { shortDateTime } from '../api/time.js';

function Rows({ runs }: { runs: readonly Run[] }) {
  return (
    <>
      {runs.map((r) => (
        <tr key={r.id} data-testid={`run-${r.status}`}>
          <th scope="row">{r.nodeName}</th>
          <td>{r.round}</td>
          <td>
            <span className={`status status-${r.status}`}>{r.status}</span>
            {r.progress && r.status === 'claimed' && (
              <>
                {' '}
                <progress
                  data-testid="run-progress"
                  max={r.progress.total}
                  value={r.progress.done}
                  aria-label={`${r.nodeName}: ${r.progress.done} of ${r.progress.total} cases`}
                />{' '}
                {r.progress.done}/{r.progress.total} cases
              </>
            )}
          </td>
          <td>{shortDateTime(r.finishedAt)}</td>
          <td>
            {r.error ? (
              <span data-testid="run-error">
                <code>{r.error.code}</code> {r.error.message}
              </span>
            ) : r.status === 'pending-approval' ? (
              <span data-testid="run-waiting">waiting for approval at {r.nodeName}</span>
            ) : (
              ''
            )}
          </td>
        </tr>
      ))}
    </>
  );
}

const HEAD = (
  <thead>
    <tr>
      <th scope="col">node</th>
      <th scope="col">round</th>
      <th scope="col">status</th>
      <th scope="col">finished</th>
      <th scope="col">reason</th>
    </tr>
  </thead>
);

/** The runs of the latest round, with earlier rounds (iterative algorithms) folded away. */
export function RunsTable({ runs }: { runs: readonly Run[] }) {
  const sorted = [...runs].sort((a, b) => b.round - a.round || a.nodeName.localeCompare(b.nodeName));
  const last = sorted[0]?.round ?? 1;
  const current = sorted.filter((r) => r.round === last);
  const earlier = sorted.filter((r) => r.round !== last);
  return (
    <div>
      <table data-testid="runs-table">
        <caption>Runs per node{last > 1 ? ` (round ${last})` : ''}</caption>
        {HEAD}
        <tbody>
          <Rows runs={current} />
        </tbody>
      </table>
      {earlier.length > 0 && (
        <details>
          <summary>Earlier rounds ({last - 1})</summary>
          <table>
            {HEAD}
            <tbody>
              <Rows runs={earlier} />
            </tbody>
          </table>
        </details>
      )}
    </div>
  );
}
