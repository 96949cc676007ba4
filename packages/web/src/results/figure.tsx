/** A chart with its title and the SVG / PNG / CSV download buttons. */
import { type ReactNode, useRef, useState } from 'react';
import { downloadBlob, svgSource, svgToPng } from './export.js';

/** Props of {@link Figure}: `width` x `height` is the SVG viewBox in px; `csv` builds the data export. */
export interface FigureProps {
  title: string;
  testId: string;
  fileName: string;
  width: number;
  height: number;
  csv: () => string;
  children: ReactNode;
}

/**
 * An inline SVG chart with export buttons. The viewBox keeps the drawing's proportions and the SVG takes
 * its container's width (the page's, or its share of a `.figures` row).
 */
export function Figure({ title, testId, fileName, width, height, csv, children }: FigureProps) {
  const ref = useRef<SVGSVGElement>(null);
  const [error, setError] = useState<string | null>(null);
  const svg = () => ref.current;
  return (
    <figure className="figure">
      <figcaption>{title}</figcaption>
      <svg
        ref={ref}
        data-testid={testId}
        viewBox={`0 0 ${width} ${height}`}
        width="100%"
        preserveAspectRatio="xMidYMid meet"
        role="img"
        aria-label={title}
        className="chart"
        fontFamily="system-ui, sans-serif"
        fontSize={11}
      >
        <title>{title}</title>
        {children}
      </svg>
      <div className="export-bar">
        <button
          type="button"
          onClick={() => {
            const s = svg();
            if (s) downloadBlob(`${fileName}.svg`, new Blob([svgSource(s)], { type: 'image/svg+xml' }));
          }}
        >
          Download SVG
        </button>
        <button
          type="button"
          onClick={() => {
            const s = svg();
            if (s)
              svgToPng(s)
                .then((b) => downloadBlob(`${fileName}.png`, b))
                .catch((e: Error) => setError(e.message));
          }}
        >
          Download PNG
        </button>
        <button
          type="button"
          onClick={() => downloadBlob(`${fileName}.csv`, new Blob([csv()], { type: 'text/csv' }))}
        >
          Download data (CSV)
        </button>
        {error && <span role="alert">{error}</span>}
      </div>
    </figure>
  );
}
