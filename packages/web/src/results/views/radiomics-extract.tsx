/** The `radiomics-extract` result: the derived datasets left at each node. */
import type { RadiomicsExtractResult } from '@fedhub/protocol';

export function RadiomicsExtractView({ r }: { r: RadiomicsExtractResult }) {
  return (
    <div>
      <p className="muted">
        Features extracted for {String(r.processed ?? 0)} of {String(r.patients ?? 0)} patients; they stay at
        each node as a derived dataset.
      </p>
      <table data-testid="radiomics-table">
        <caption>Derived datasets</caption>
        <thead>
          <tr>
            <th scope="col">node</th>
            <th scope="col">dataset</th>
            <th scope="col">features</th>
          </tr>
        </thead>
        <tbody>
          {r.nodes.map((n) => (
            <tr key={n.node}>
              <th scope="row">{n.node}</th>
              <td>{String(n.output ?? '')}</td>
              <td>{String(n.features ?? '')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
