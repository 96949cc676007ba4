// Benchmark: reading a CT series of 512 x 512 x N slices with an RT structure set (dcmjs parse, sort,
// rescale, rasterise one ROI), over the built dist. The series and contours are synthetic (written here).
// Usage: npx tsc -b packages/radiomics && node packages/radiomics/scripts/dicom-read-bench.mjs [slices]
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const r = await import(path.resolve(here, '../dist/index.js'));
const nz = Number(process.argv[2] ?? 120);
const grid = {
  dims: [512, 512, nz],
  spacing: [0.977, 0.977, 3],
  position0: [-250, -250, -(nz * 3) / 2],
  row: [1, 0, 0],
  col: [0, 1, 0],
  normal: [0, 0, 1],
};
const values = new Float64Array(512 * 512 * nz);
for (let i = 0; i < values.length; i++) values[i] = ((i * 2654435761) % 2001) - 1000;
const id = r.newSeriesIdentity('BENCH');
const ct = r.writeImageSeries(grid, values, id);
const contours = [];
for (let k = 0; k < nz; k++) {
  const z = grid.position0[2] + 3 * k;
  if (Math.abs(z) >= 60) continue;
  const rad = Math.sqrt(60 ** 2 - z ** 2);
  contours.push(
    Array.from({ length: 200 }, (_, p) => [
      rad * Math.cos((2 * Math.PI * p) / 200),
      rad * Math.sin((2 * Math.PI * p) / 200),
      z,
    ]),
  );
}
const rt = r.writeRtStruct(id, [{ number: 1, name: 'GTV', contours }]);
const mb = ct.reduce((s, f) => s + f.length, 0) / 2 ** 20;
const times = [];
let voxels = 0;
for (let rep = 0; rep < 3; rep++) {
  const t0 = performance.now();
  const images = ct.map((b, i) => r.parseDicom(b, `ct ${i}`));
  const roi = r.readDicomRoi(images, r.parseDicom(rt, 'rt'), { roi: 'GTV' });
  times.push(performance.now() - t0);
  voxels = roi.mask.data.reduce((s, v) => s + v, 0);
}
times.sort((a, b) => a - b);
console.log(
  `DICOM CT 512x512x${nz} (${mb.toFixed(0)} MiB) + RTSTRUCT (${contours.length} contours): parse, sort, rescale, rasterise in ` +
    `min ${times[0].toFixed(0)} ms, median ${times[1].toFixed(0)} ms; ROI ${voxels} voxels; peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`,
);
