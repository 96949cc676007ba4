import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { extractDoseReport, extractStudyDoses } from './extract.js';
import { mergeDoseReports } from './merge.js';

function referenceDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package-lock.json'))) {
    const up = path.dirname(dir);
    if (up === dir)
      throw new Error('cannot find the repository root (no package-lock.json above the test file)');
    dir = up;
  }
  const ref = path.resolve(dir, '../shared/reference/rdsr');
  if (!existsSync(ref)) {
    throw new Error(
      `reference dose reports missing: expected ${ref} (a copy of shared/ beside the repository)`,
    );
  }
  return ref;
}

const REF = referenceDir();
const expected = JSON.parse(readFileSync(path.join(REF, 'expected.json'), 'utf8')) as {
  files: Record<string, { studyInstanceUID: string }>;
  studies: Record<
    string,
    { studyInstanceUID: string; files: string[]; uniqueEvents: number; dlpTotal: number; eventUids: string[] }
  >;
};
const load = (f: string) => extractDoseReport(readFileSync(path.join(REF, f)), { file: f });

describe('mergeDoseReports', () => {
  for (const label of ['Siemens-Multi', 'Siemens-Continued']) {
    it(`deduplicates the ${label} set to the expected unique events and total`, () => {
      const study = expected.studies[label];
      if (!study) throw new Error(`expected.json has no study ${label}`);
      // Reverse order too: the result must not depend on the order the files arrive in.
      for (const files of [study.files, [...study.files].reverse()]) {
        const merged = mergeDoseReports(files.map(load));
        expect(merged).toHaveLength(1);
        const m = merged[0];
        expect(m?.studyInstanceUid).toBe(study.studyInstanceUID);
        expect(m?.events).toHaveLength(study.uniqueEvents);
        expect(new Set(m?.events.map((e) => e.uid))).toEqual(new Set(study.eventUids));
        expect(m?.totals.eventDlpSumMGyCm).toBeCloseTo(study.dlpTotal, 9);
      }
    });
  }

  it('keeps the cumulative report declared total (Multi-3 covers all events) but not a partial one', () => {
    const multi = mergeDoseReports(
      ['CT-RDSR-Siemens-Multi-1.dcm', 'CT-RDSR-Siemens-Multi-3.dcm'].map(load),
    )[0];
    expect(multi?.totals.declaredDlpMGyCm).toBe(236.09);
    const cont = mergeDoseReports(
      ['CT-RDSR-Siemens-Continued-1.dcm', 'CT-RDSR-Siemens-Continued-2.dcm'].map(load),
    )[0];
    expect(cont?.totals.declaredDlpMGyCm).toBeNull();
  });

  it('is unchanged by re-importing a file', () => {
    const once = mergeDoseReports(['CT-RDSR-Siemens-Multi-2.dcm', 'CT-RDSR-SpectrumDynamics.dcm'].map(load));
    const twice = mergeDoseReports(
      ['CT-RDSR-Siemens-Multi-2.dcm', 'CT-RDSR-SpectrumDynamics.dcm', 'CT-RDSR-Siemens-Multi-2.dcm'].map(
        load,
      ),
    );
    expect(twice).toEqual(once);
    const page = load('CT-SC-Philips_Brilliance16P.dcm');
    expect(mergeDoseReports([page, page])[0]?.events).toHaveLength(4);
  });

  it('never groups by accession number (Toshiba DoseCheck shares one with the Siemens Multi files)', () => {
    const merged = mergeDoseReports(
      ['CT-RDSR-Siemens-Multi-3.dcm', 'CT-RDSR-Toshiba_DoseCheck.dcm'].map(load),
    );
    expect(merged).toHaveLength(2);
    expect(merged[1]?.events).toHaveLength(2);
  });

  it('gives one report per reference study from the whole folder', () => {
    const files = Object.keys(expected.files).map((name) => ({
      name,
      data: readFileSync(path.join(REF, name)),
    }));
    const { reports, skipped } = extractStudyDoses(files);
    expect(skipped).toEqual([]);
    expect(reports).toHaveLength(Object.keys(expected.studies).length);
    for (const study of Object.values(expected.studies)) {
      const r = reports.find((x) => x.studyInstanceUid === study.studyInstanceUID);
      expect(r?.events).toHaveLength(study.uniqueEvents);
      expect(r?.totals.eventDlpSumMGyCm).toBeCloseTo(study.dlpTotal, 9);
    }
  });
});
