#!/usr/bin/env node
// Dose-extraction throughput over the built package (run `npx tsc -b` first):
//   node packages/dicom/scripts/dose-bench.mjs [reference-dir]
// Extracts every file of the reference set repeatedly for about 2 s and prints reports per second.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.resolve(here, '../dist/dose/index.js');
if (!existsSync(dist)) {
  console.error(`dose-bench: ${dist} not found; build first with \`npx tsc -b\``);
  process.exit(1);
}
const { extractDoseReport } = await import(dist);

let root = here;
while (!existsSync(path.join(root, 'package-lock.json'))) {
  const up = path.dirname(root);
  if (up === root) {
    console.error('dose-bench: cannot find the repository root (package-lock.json)');
    process.exit(1);
  }
  root = up;
}
const refDir = process.argv[2] ?? path.resolve(root, '../shared/reference/rdsr');
if (!existsSync(refDir)) {
  console.error(`dose-bench: reference folder ${refDir} missing`);
  process.exit(1);
}
const files = readdirSync(refDir)
  .filter((f) => f.endsWith('.dcm'))
  .map((name) => ({ name, data: readFileSync(path.join(refDir, name)) }));
const bytes = files.reduce((s, f) => s + f.data.byteLength, 0);

// Warm-up pass (JIT), then repeat the whole set until about 2 s have passed.
for (const f of files) extractDoseReport(f.data, { file: f.name });
let reports = 0;
let events = 0;
let passes = 0;
const start = process.hrtime.bigint();
let elapsed = 0;
while (elapsed < 2) {
  for (const f of files) {
    events += extractDoseReport(f.data, { file: f.name }).events.length;
    reports++;
  }
  passes++;
  elapsed = Number(process.hrtime.bigint() - start) / 1e9;
}
console.log(
  `dose-bench: ${reports} reports (${passes} passes over ${files.length} files, ${(bytes / 1024).toFixed(0)} KiB/pass, ` +
    `${events} events) in ${elapsed.toFixed(2)} s = ${(reports / elapsed).toFixed(0)} reports/s, ` +
    `${((bytes * passes) / 1024 / 1024 / elapsed).toFixed(1)} MiB/s`,
);
