/**
 * A plan's DVH beside the population bands: the user opens the JSON that `fedhub rt dvh --json` printed
 * for a plan (read here, in the browser; nothing is uploaded) and its curve of the bands' structure is
 * drawn on the pooled bands.
 */
import type { DvhBandsResult } from '@fedhub/protocol';
import { useState } from 'react';
import { type DvhCurve, DvhPlot } from '../dvh-plot.js';
import { curvesFromRtDvhJson } from '../rt-dvh-file.js';

export function DvhPlanOverlay({ r }: { r: DvhBandsResult }) {
  const [curves, setCurves] = useState<DvhCurve[]>([]);
  const [message, setMessage] = useState<string | null>(null);
  const name = r.structure ?? 'structure';
  const open = async (file: File | undefined) => {
    if (!file) return;
    const out = curvesFromRtDvhJson(await file.text(), r.structure);
    if ('error' in out) {
      setCurves([]);
      setMessage(out.error);
      return;
    }
    setCurves(out.curves);
    setMessage(
      out.curves.length > 0
        ? null
        : `no structure named ${name} in ${file.name}; it holds ${out.available.join(', ') || 'no structures'}`,
    );
  };
  return (
    <section aria-label="A plan beside the bands">
      <label>
        Compare a plan: the output of <code>fedhub rt dvh --json</code> (read in this browser, not uploaded){' '}
        <input
          type="file"
          accept="application/json,.json"
          data-testid="rt-dvh-file"
          onChange={(e) => void open(e.currentTarget.files?.[0])}
        />
      </label>
      {message ? (
        <p role="alert" className="muted">
          {message}
        </p>
      ) : null}
      {curves.length > 0 ? (
        <DvhPlot
          title={`${name}: the plan against the pooled population DVH`}
          fileName={`dvh-plan-${name}`}
          curves={curves}
          bands={{ doseGy: r.doseGy, bands: r.pooled.bands }}
        />
      ) : null}
    </section>
  );
}
