// A de-identified File-set, its DICOMDIR rebuilt, checked in the reference readers: pydicom's FileSet loads
// every instance through the records, dcmdump reads it clean, and dcmtk's dcmmkdir, run over the same
// de-identified files, builds the same record tree with the same keys (apt-get install -y dcmtk
// python3-pydicom). The pool runs the compiled worker: build first with `npx tsc -b packages/dicom`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { deidentifyTree } from './deidentify-file.js';
import { BASIC_PROFILE, DOSE_MONITORING_PROFILE } from './options.js';
import { createDeidPool } from './pool.js';

const FIXTURE = new URL('../../fixtures/dicomdir/fileset', import.meta.url).pathname;
const workerUrl = new URL('../../dist/deid/pool-worker.js', import.meta.url);
const dir = mkdtempSync(join(tmpdir(), 'fh-fileset-int-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const KEY = Buffer.alloc(32, 0x6c);
const hasPydicom = spawnSync('/usr/bin/python3', ['-c', 'import pydicom.fileset']).status === 0;
const hasDcmmkdir = spawnSync('dcmmkdir', ['--version']).status === 0;

// Each DICOMDIR as pydicom's FileSet sees it: the record tree (children in a stable order, offsets left
// out), and every instance loaded through its record beside the record's keys.
const TREE_PY = `
import sys, json, os, warnings
warnings.simplefilter('ignore')
import pydicom
from pydicom.fileset import FileSet
IDENT = ['00041511', '0020000E', '0020000D', '00100020']
def node(n):
    keys = {}
    for el in n._record:
        if el.tag.group == 4 and el.tag.element in (0x1400, 0x1410, 0x1420):
            continue
        keys[f'{el.tag.group:04X}{el.tag.element:04X}'] = len(el.value) if el.VR == 'SQ' else ('' if el.value is None else str(el.value))
    kids = [node(c) for c in n.children]
    kids.sort(key=lambda c: next((c['keys'][k] for k in IDENT if k in c['keys']), ''))
    return {'keys': keys, 'children': kids}
result = {}
for path in sys.argv[1:]:
    ds = pydicom.dcmread(path)
    fs = FileSet(ds)
    root = {'children': sorted((node(c) for c in fs._tree.children), key=lambda c: c['keys'].get('00100020', ''))}
    inst = []
    for i in fs:
        f = i.load()
        inst.append({'path': os.path.relpath(i.path, os.path.dirname(os.path.abspath(path))),
                     'recordPatient': i.PatientID, 'filePatient': f.PatientID,
                     'recordStudy': i.StudyInstanceUID, 'fileStudy': f.StudyInstanceUID,
                     'recordSeries': i.SeriesInstanceUID, 'fileSeries': f.SeriesInstanceUID,
                     'recordSop': i.ReferencedSOPInstanceUIDInFile, 'fileSop': f.SOPInstanceUID})
    result[path] = {'children': root['children'], 'instances': inst}
print(json.dumps(result))
`;

interface PyNode {
  keys: Record<string, string | number>;
  children: PyNode[];
}
interface PyInstance {
  path: string;
  [k: string]: string;
}

function pyTrees(...paths: string[]): Record<string, { children: PyNode[]; instances: PyInstance[] }> {
  const p = spawnSync('/usr/bin/python3', ['-c', TREE_PY, ...paths], { encoding: 'utf8' });
  expect(p.status, p.stderr).toBe(0);
  return JSON.parse(p.stdout);
}

/** Study Date, Study Time and Study ID: type 1 in a STUDY record, emptied by the basic profile, invented. */
const INVENTED = ['00080020', '00080030', '00200010'];

/** The tree with invented keys checked non-empty and then blanked (dcmmkdir invents its own values). */
function blankInvented(nodes: PyNode[]): PyNode[] {
  return nodes.map((n) => {
    const keys = { ...n.keys };
    if (keys['00041430'] === 'STUDY')
      for (const k of INVENTED) {
        expect(keys[k], k).not.toBe('');
        keys[k] = '*';
      }
    return { keys, children: blankInvented(n.children) };
  });
}

describe('a de-identified File-set in pydicom, dcmdump and dcmmkdir', () => {
  for (const [name, options] of [
    ['basic', BASIC_PROFILE],
    ['dose-monitoring', DOSE_MONITORING_PROFILE],
  ] as const) {
    const out = join(dir, name);
    const ran = (async () => {
      const pool = createDeidPool({ size: 2, workerUrl });
      try {
        return await deidentifyTree(FIXTURE, out, { options, projectKey: KEY }, undefined, {
          pool,
          concurrency: 4,
        });
      } finally {
        await pool.close();
      }
    })();

    it(`${name}: the pool writes a File-set and its DICOMDIR; dcmdump reads it without a warning`, async () => {
      expect(await ran).toMatchObject({
        ok: 5,
        dicomdir: { inputs: 1, files: 5, records: 12, unreferenced: 0 },
      });
      const d = spawnSync('dcmdump', ['-q', join(out, 'DICOMDIR')], { encoding: 'utf8' });
      expect(d.status, d.stderr).toBe(0);
      expect(d.stderr).toBe('');
      expect(d.stdout.match(/\(0004,1430\) CS \[PATIENT\]/g)).toHaveLength(2);
    });

    it.skipIf(!hasPydicom)(`${name}: pydicom's FileSet loads every instance through its record`, async () => {
      await ran;
      const t = pyTrees(join(out, 'DICOMDIR'))[join(out, 'DICOMDIR')]!;
      expect(t.instances).toHaveLength(5);
      const patients = new Set<string>();
      for (const i of t.instances) {
        for (const k of ['Patient', 'Study', 'Series', 'Sop'])
          expect(i[`record${k}`], `${i.path} ${k}`).toBe(i[`file${k}`]);
        expect(i.recordPatient).toMatch(/^FH-[A-Z2-7]{16}$/);
        patients.add(i.recordPatient!);
      }
      expect(patients.size).toBe(2);
      expect(t.children.map((p) => p.keys['00041430'])).toEqual(['PATIENT', 'PATIENT']);
    });

    it.skipIf(!hasPydicom || !hasDcmmkdir)(
      `${name}: dcmmkdir over the same de-identified files builds the same records and keys`,
      async () => {
        await ran;
        const ref = join(dir, `${name}-dcmmkdir`, 'DICOMDIR');
        const roots = readdirSync(out).filter((f) => f !== 'DICOMDIR');
        spawnSync('mkdir', ['-p', join(dir, `${name}-dcmmkdir`)]);
        // +I: dcmmkdir invents the type 1 keys the profile emptied (from today's date), as we do with dummies
        const m = spawnSync('dcmmkdir', ['--recurse', '+I', '+D', ref, ...roots], {
          cwd: out,
          encoding: 'utf8',
        });
        expect(m.status, m.stderr).toBe(0);
        const trees = pyTrees(join(out, 'DICOMDIR'), ref);
        const ours = trees[join(out, 'DICOMDIR')]!;
        const theirs = trees[ref]!;
        expect(blankInvented(ours.children)).toEqual(blankInvented(theirs.children));
        // the trees hold the same 5 instance records (their Referenced File IDs compared above)
        const leaves = (t: PyNode[]): PyNode[] =>
          t.flatMap((n) => (n.children.length > 0 ? leaves(n.children) : [n]));
        expect(leaves(theirs.children)).toHaveLength(5);
        if (name === 'dose-monitoring') {
          // dates kept (shifted) by the profile: the same in both, nothing invented
          const studies = (t: PyNode[]) => t.flatMap((p) => p.children).map((s) => s.keys['00080020']);
          expect(studies(ours.children)).toEqual(studies(theirs.children));
        }
      },
    );
  }
});
