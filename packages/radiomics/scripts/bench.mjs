// Benchmark: all features of the IBSI CT phantom with configuration C, over the built dist.
// Usage: npx tsc -b packages/radiomics && node packages/radiomics/scripts/bench.mjs [repetitions]
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
let root = here;
while (!existsSync(path.join(root, 'package-lock.json'))) {
  const up = path.dirname(root);
  if (up === root) throw new Error('no package-lock.json above scripts/: cannot find the repository root');
  root = up;
}
const ct = path.resolve(root, '../shared/reference/ibsi/ct_phantom');
if (!existsSync(ct)) throw new Error(`IBSI CT phantom not found at ${ct}`);
const dist = path.resolve(here, '../dist/index.js');
if (!existsSync(dist)) throw new Error(`${dist} missing: build first (npx tsc -b packages/radiomics)`);
const r = await import(dist);

const reps = Number(process.argv[2] ?? 3);
const image = r.readNifti(readFileSync(path.join(ct, 'phantom.nii.gz'))).volume;
const mask = r.toMask(r.readNifti(readFileSync(path.join(ct, 'mask.nii.gz'))).volume);
let peakRss = process.memoryUsage().rss;
const times = [];
const cpu = [];
let count = 0;
for (let i = 0; i < reps; i++) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const res = r.computeFeatures(image, mask, r.ibsiConfigC);
  times.push(performance.now() - t0);
  const c1 = process.cpuUsage(c0);
  cpu.push((c1.user + c1.system) / 1000);
  count = res.features.length;
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}
times.sort((a, b) => a - b);
cpu.sort((a, b) => a - b);
const mib = (b) => (b / 1024 / 1024).toFixed(0);
console.log(
  `config C, CT phantom ${image.dims.join('x')}: ${count} features; wall ms min ${times[0].toFixed(0)}, ` +
    `median ${times[Math.floor(times.length / 2)].toFixed(0)} (${reps} runs); CPU ms min ${cpu[0].toFixed(0)}; peak RSS ${mib(peakRss)} MiB ` +
    `(process resourceUsage maxRSS ${mib(process.resourceUsage().maxRSS * 1024)} MiB)`,
);
