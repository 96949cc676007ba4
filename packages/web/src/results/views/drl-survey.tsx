/** The `drl-survey` result: one DRL chart per exam, group, phantom and quantity. */
import { DrlPlot } from '../drl-plot.js';
import type { DrlResult } from '../types.js';
import { Pooled } from './pooled.js';

export function DrlView({ r }: { r: DrlResult }) {
  return (
    <div>
      <p className="muted">{r.method}</p>
      <Pooled nodes={r.nodes} />
      <div className="figures">
        {r.results.map((s) => (
          <DrlPlot key={`${s.exam}/${s.group}/${s.phantom}/${s.quantity}`} s={s} />
        ))}
      </div>
    </div>
  );
}
