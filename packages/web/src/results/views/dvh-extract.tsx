/** The `dvh-extract` result: the derived datasets left at each node. */
import type { DvhExtractResult } from '@fedhub/protocol';

export function DvhExtractView({ r }: { r: DvhExtractResult }) {
  return (
    <div>
      <p className="muted">
        DVHs computed for {String(r.processed ?? 0)} of {String(r.patients ?? 0)} patients; they stay at each
        node as derived datasets.
      </p>
      <table data-testid="dvh-extract-table">
        <caption>Derived datasets</caption>
        <thead>
          <tr>
            <th scope="col">node</th>
            <th scope="col">dataset</th>
          </tr>
        </thead>
        <tbody>
          {r.nodes.map((n) => (
            <tr key={n.node}>
              <th scope="row">{n.node}</th>
              <td>{String(n.output ?? '')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
