/** Per-node runs of a task: status, round, and a refusal's code and message with the node's name. */
import type { Run } from '@fedhub/protocol';
import { shortDateTime } from '../api/time.js';

/** The runs table (latest round first). */
export function RunsTable({ runs }: { runs: readonly Run[] }) {
  const sorted = [...runs].sort((a, b) => b.round - a.round || a.nodeName.localeCompare(b.nodeName));
  return (
    <table data-testid="runs-table">
      <caption>Runs per node</caption>
      <thead>
        <tr><th scope="col">node</th><th scope="col">round</th><th scope="col">status</th><th scope="col">finished</th><th scope="col">reason</th></tr>
      </thead>
      <tbody>
        {sorted.map((r) => (
          <tr key={r.id} data-testid={`run-${r.status}`}>
            <th scope="row">{r.nodeName}</th>
            <td>{r.round}</td>
            <td><span className={`status status-${r.status}`}>{r.status}</span></td>
            <td>{shortDateTime(r.finishedAt)}</td>
            <td>
              {r.error ? (
                <span data-testid="run-error">
                  <code>{r.error.code}</code> {r.error.message}
                </span>
              ) : (
                ''
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
