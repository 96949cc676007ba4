#!/usr/bin/env node
// Benchmark of our de-identifier against gdcmanon (gdcm, basic profile in its standard certificate mode,
// `-c cert.pem`, with a self-signed certificate made by openssl) and dcmtk dcmodify (erase list built from PS3.15 Table E.1-1), in the same run:
// generates a 600-file 512x512 CT series, times each tool, and counts on a probe file (every table attribute
// planted with a value) how many attributes each leaves behind unchanged although the basic profile does not
// keep them. Needs the built package: `npx tsc -b packages/dicom`. Usage: node scripts/deid-bench.mjs [files]
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ANNEX_E_ROWS, BASIC_PROFILE, createDeidentifier, deidentifyWith } from '../dist/index.js';

const require = createRequire(import.meta.url);
const dcmjs = require('dcmjs');
// `--write-series DIR [files]` only writes the CT series into DIR (for timing tools side by side).
const WRITE_ONLY = process.argv[2] === '--write-series' ? process.argv[3] : undefined;
const N = Number((WRITE_ONLY ? process.argv[4] : process.argv[2]) ?? 600);
const LONG = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'UC', 'UR', 'UT', 'UN', 'SV', 'UV']);

function el(tag, vr, value) {
  let v = typeof value === 'string' ? Buffer.from(value, 'latin1') : Buffer.from(value);
  if (v.length % 2) v = Buffer.concat([v, Buffer.from([vr === 'UI' || vr === 'OB' ? 0 : 0x20])]);
  const h = Buffer.alloc(LONG.has(vr) ? 12 : 8);
  h.writeUInt16LE(tag >>> 16, 0);
  h.writeUInt16LE(tag & 0xffff, 2);
  h.write(vr, 4, 'latin1');
  if (LONG.has(vr)) h.writeUInt32LE(v.length, 8);
  else h.writeUInt16LE(v.length, 6);
  return Buffer.concat([h, v]);
}
function sq(tag, items) {
  const body = Buffer.concat(
    items.map((it) => {
      const inner = Buffer.concat(it);
      const h = Buffer.alloc(8);
      h.writeUInt16LE(0xfffe, 0);
      h.writeUInt16LE(0xe000, 2);
      h.writeUInt32LE(inner.length, 4);
      return Buffer.concat([h, inner]);
    }),
  );
  return el(tag, 'SQ', body);
}
function file(elements, sopClass, sopInstance) {
  const meta = Buffer.concat([
    el(0x00020001, 'OB', Buffer.from([0, 1])),
    el(0x00020002, 'UI', sopClass),
    el(0x00020003, 'UI', sopInstance),
    el(0x00020010, 'UI', '1.2.840.10008.1.2.1'),
    el(0x00020012, 'UI', '1.2.3.4'),
  ]);
  const gl = Buffer.alloc(4);
  gl.writeUInt32LE(meta.length);
  const pre = Buffer.alloc(132);
  pre.write('DICM', 128);
  const sorted = [...elements].sort(
    (a, b) => a.readUInt16LE(0) - b.readUInt16LE(0) || a.readUInt16LE(2) - b.readUInt16LE(2),
  );
  return Buffer.concat([pre, el(0x00020000, 'UL', gl), meta, ...sorted]);
}
const us = (n) => {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n);
  return b;
};
const CT = '1.2.840.10008.5.1.4.1.1.2';
const ROOT = '1.2.826.0.1.3680043.2.1143.77';

function ctSlice(i, pixels) {
  return file(
    [
      el(0x00080016, 'UI', CT),
      el(0x00080018, 'UI', `${ROOT}.3.${i}`),
      el(0x00080020, 'DA', '20240315'),
      el(0x00080030, 'TM', '101500'),
      el(0x00080050, 'SH', 'ACC123456'),
      el(0x00080060, 'CS', 'CT'),
      el(0x00080070, 'LO', 'ACME'),
      el(0x00080080, 'LO', 'ST ELSEWHERE HOSPITAL'),
      el(0x00080090, 'PN', 'HOUSE^GREGORY'),
      el(0x00081030, 'LO', 'CT CHEST'),
      el(0x00100010, 'PN', 'DOE^JANE'),
      el(0x00100020, 'LO', 'MRN000123'),
      el(0x00100030, 'DA', '19610704'),
      el(0x00100040, 'CS', 'F'),
      el(0x00180050, 'DS', '1.0'),
      el(0x00181000, 'LO', 'SN998877'),
      el(0x0020000d, 'UI', `${ROOT}.1`),
      el(0x0020000e, 'UI', `${ROOT}.2`),
      el(0x00200013, 'IS', String(i + 1)),
      el(0x00200032, 'DS', `0\\0\\${i}`),
      el(0x00200052, 'UI', `${ROOT}.4`),
      el(0x00280002, 'US', us(1)),
      el(0x00280004, 'CS', 'MONOCHROME2'),
      el(0x00280010, 'US', us(512)),
      el(0x00280011, 'US', us(512)),
      el(0x00280100, 'US', us(16)),
      el(0x00280101, 'US', us(12)),
      el(0x00280102, 'US', us(11)),
      el(0x00280103, 'US', us(0)),
      el(0x00290010, 'LO', 'SIEMENS CSA HEADER'),
      el(0x00291010, 'OB', 'private header bytes'),
      el(0x7fe00010, 'OW', pixels),
    ],
    CT,
    `${ROOT}.3.${i}`,
  );
}

// Probe: every exact-tag table row planted with a unique value (VR from dcmjs's dictionary).
const vrByTag = new Map();
const pseudo = { ox: 'OW', xs: 'US', up: 'UL', lt: 'OW' };
for (const e of Object.values(dcmjs.data.DicomMetaDictionary.nameMap)) {
  const m = /^\(([0-9A-F]{4}),([0-9A-F]{4})\)$/i.exec(e.tag);
  if (m) vrByTag.set((m[1] + m[2]).toUpperCase(), pseudo[e.vr] ?? e.vr);
}
function probe() {
  const planted = [];
  const els = [el(0x00080016, 'UI', CT)];
  for (const [n, row] of ANNEX_E_ROWS.entries()) {
    if (
      !/^[0-9A-F]{8}$/.test(row.key) ||
      row.key.startsWith('0002') ||
      row.key === '00080016' ||
      row.basic === 'K'
    )
      continue;
    const vr = vrByTag.get(row.key);
    if (!vr || !/^[A-Z]{2}$/.test(vr)) continue;
    const tag = Number.parseInt(row.key, 16);
    const word = `PL${String(n).padStart(4, '0')}NT`;
    const text =
      {
        DA: '19500101',
        DT: '19500101101010',
        TM: '101010',
        AS: '042Y',
        DS: '12.5',
        IS: '42',
        UI: `${ROOT}.9.${n}`,
        UR: `http://${word.toLowerCase()}.example/`,
      }[vr] ?? word;
    if (vr === 'SQ') els.push(sq(tag, [[el(0x0040a123, 'PN', word)]]));
    else if (['US', 'SS', 'UL', 'SL', 'FL', 'FD', 'SV', 'UV', 'AT'].includes(vr)) continue;
    else els.push(el(tag, vr, text));
    planted.push({ key: row.key, vr, text: vr === 'SQ' ? word : text });
  }
  return { buf: file(els, CT, `${ROOT}.9.0`), planted };
}
function leftBehind(buf, planted) {
  let d;
  try {
    d = dcmjs.data.DicomMessage.readFile(
      buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength),
    ).dict;
  } catch (e) {
    return `unreadable (${e.message})`;
  }
  let n = 0;
  for (const p of planted) {
    const e = d[p.key];
    if (!e) continue;
    const v =
      p.vr === 'SQ'
        ? JSON.stringify(e.Value ?? [])
        : (e.Value ?? []).map((x) => (typeof x === 'object' ? x?.Alphabetic : String(x))).join('\\');
    if (
      p.vr === 'SQ'
        ? v.includes(p.text)
        : v === p.text || ((p.vr === 'DS' || p.vr === 'IS') && v !== '' && Number(v) === Number(p.text))
    )
      n++;
  }
  return n;
}

function have(cmd) {
  return spawnSync(cmd, ['--version']).status === 0 || spawnSync(cmd, ['-v']).status === 0;
}
function countFiles(dir) {
  try {
    return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((f) => f.isFile()).length;
  } catch {
    return 0;
  }
}
function countBak(dir) {
  return readdirSync(dir).filter((f) => f.endsWith('.bak')).length;
}
function dirBytes(dir) {
  let s = 0;
  for (const f of readdirSync(dir, { recursive: true, withFileTypes: true }))
    if (f.isFile()) s += statSync(join(f.parentPath, f.name)).size;
  return s;
}

function writeSeries(dir) {
  mkdirSync(dir, { recursive: true });
  let x = 1;
  for (let i = 0; i < N; i++) {
    const px = Buffer.alloc(512 * 512 * 2);
    for (let k = 0; k < px.length; k += 2) {
      x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
      px.writeUInt16LE(x >>> 20, k);
    }
    writeFileSync(join(dir, `IMG${String(i).padStart(4, '0')}.dcm`), ctSlice(i, px));
  }
}
if (WRITE_ONLY) {
  writeSeries(WRITE_ONLY);
  process.exit(0);
}

const work = mkdtempSync(join(tmpdir(), 'fh-deid-bench-'));
try {
  const inDir = join(work, 'in');
  writeSeries(inDir);
  const inBytes = dirBytes(inDir);
  const { buf: probeBuf, planted } = probe();
  const probeIn = join(work, 'probe.dcm');
  writeFileSync(probeIn, probeBuf);
  process.stdout.write(
    `${N} CT files, ${(inBytes / 1e6).toFixed(1)} MB; probe file with ${planted.length} planted table attributes\n`,
  );
  const results = [];

  // Ours: one thread, read -> de-identify -> write.
  {
    const out = join(work, 'ours');
    mkdirSync(out);
    const d = createDeidentifier(BASIC_PROFILE, Buffer.alloc(32, 1));
    const t = process.hrtime.bigint();
    for (const f of readdirSync(inDir)) {
      const r = deidentifyWith(d, readFileSync(join(inDir, f)));
      if (r.status !== 'ok') throw new Error(`${f}: ${r.reason}`);
      writeFileSync(join(out, f), r.output);
    }
    const s = Number(process.hrtime.bigint() - t) / 1e9;
    const p = deidentifyWith(d, probeBuf);
    results.push({
      tool: 'fedhub (1 thread)',
      s,
      written: readdirSync(out).length,
      left: p.status === 'ok' ? leftBehind(p.output, planted) : p.reason,
    });
  }
  // Ours end to end through the CLI: process start, key file, worker pool, progress, summary.
  {
    const cli = new URL('../../cli/bin/fedhub.js', import.meta.url).pathname;
    const out = join(work, 'ours-cli');
    const t = process.hrtime.bigint();
    const r = spawnSync(process.execPath, [
      cli,
      'dicom',
      'deidentify',
      inDir,
      out,
      '--key-file',
      join(work, 'project.key'),
      '--create-key',
      '--json',
    ]);
    const s = Number(process.hrtime.bigint() - t) / 1e9;
    if (r.status !== 0) process.stdout.write(`fedhub CLI failed (build it: npx tsc -b): ${r.stderr}\n`);
    else {
      const probeDir = join(work, 'probe-cli-in');
      const probeOut = join(work, 'probe-cli-out');
      mkdirSync(probeDir);
      writeFileSync(join(probeDir, 'probe.dcm'), probeBuf);
      spawnSync(process.execPath, [
        cli,
        'dicom',
        'deidentify',
        probeDir,
        probeOut,
        '--key-file',
        join(work, 'project.key'),
        '--json',
      ]);
      const done = readdirSync(probeOut, { recursive: true, withFileTypes: true }).find((f) => f.isFile());
      const left = done ? leftBehind(readFileSync(join(done.parentPath, done.name)), planted) : 'quarantined';
      results.push({ tool: 'fedhub dicom deidentify (CLI)', s, written: countFiles(out), left });
    }
  }
  if (have('gdcmanon')) {
    const cert = join(work, 'cert.pem');
    spawnSync('openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      join(work, 'key.pem'),
      '-out',
      cert,
      '-subj',
      '/CN=deid-bench',
      '-days',
      '1',
    ]);
    const out = join(work, 'gdcm');
    const t = process.hrtime.bigint();
    const r = spawnSync('gdcmanon', ['-c', cert, '--continue', '-r', '-i', inDir, '-o', out]);
    const s = Number(process.hrtime.bigint() - t) / 1e9;
    if (r.status !== 0) process.stdout.write(`gdcmanon failed: ${r.stderr}\n`);
    const po = join(work, 'probe-gdcm.dcm');
    spawnSync('gdcmanon', ['-c', cert, '-i', probeIn, '-o', po]);
    let left = 'n/a';
    try {
      left = leftBehind(readFileSync(po), planted);
    } catch {}
    results.push({ tool: 'gdcmanon -c (certificate)', s, written: countFiles(out), left });
  } else process.stdout.write('gdcmanon not found (apt-get install -y libgdcm-tools)\n');
  if (have('dcmodify')) {
    const erase = ANNEX_E_ROWS.filter(
      (r) => /^[0-9A-F]{8}$/.test(r.key) && r.basic !== 'K' && !r.key.startsWith('0002'),
    )
      .filter((r) => !['0020000D', '0020000E', '00080018'].includes(r.key))
      .flatMap((r) => ['-ea', `(${r.key.slice(0, 4)},${r.key.slice(4)})`]);
    const args = ['-q', '-nb', '-ie', '-ep', '-gst', '-gse', '-gin', ...erase];
    const out = join(work, 'dcmtk');
    const t = process.hrtime.bigint();
    cpSync(inDir, out, { recursive: true });
    const files = readdirSync(out).map((f) => join(out, f));
    for (let i = 0; i < files.length; i += 100) spawnSync('dcmodify', [...args, ...files.slice(i, i + 100)]);
    const s = Number(process.hrtime.bigint() - t) / 1e9;
    const po = join(work, 'probe-dcmtk.dcm');
    cpSync(probeIn, po);
    spawnSync('dcmodify', [...args, po]);
    results.push({
      tool: 'dcmodify (erase list, incl. copy)',
      s,
      written: countFiles(out) - countBak(out),
      left: leftBehind(readFileSync(po), planted),
    });
  } else process.stdout.write('dcmodify not found (apt-get install -y dcmtk)\n');

  const ours = results[0].s;
  process.stdout.write(
    'tool                               files/s     MB/s   time/ours  written  left behind on probe\n',
  );
  for (const r of results) {
    process.stdout.write(
      `${r.tool.padEnd(34)} ${(N / r.s).toFixed(0).padStart(8)} ${(inBytes / 1e6 / r.s).toFixed(0).padStart(8)} ${(r.s / ours).toFixed(2).padStart(10)} ${String(r.written).padStart(8)}  ${r.left}\n`,
    );
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
