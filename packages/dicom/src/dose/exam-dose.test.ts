import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { examDoseFromReport, registryRowFromReport } from './exam-dose.js';
import { extractDoseReport } from './extract.js';

function referenceDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package-lock.json'))) {
    const up = path.dirname(dir);
    if (up === dir)
      throw new Error('cannot find the repository root (no package-lock.json above the test file)');
    dir = up;
  }
  const ref = path.resolve(dir, '../shared/reference/rdsr');
  if (!existsSync(ref)) throw new Error(`reference dose reports missing: expected ${ref}`);
  return ref;
}
const REF = referenceDir();
const load = (f: string) => extractDoseReport(readFileSync(path.join(REF, f)), { file: f });

describe('examDoseFromReport', () => {
  it('sums event DLPs and averages non-localizer CTDIvol per phantom (GE VCT mixes head and body)', () => {
    const r = load('CT-ESR-GE_VCT.dcm');
    const { doses } = examDoseFromReport(r);
    for (const phantom of ['head16', 'body32'] as const) {
      const evs = r.events.filter((e) => e.phantom === phantom);
      const dlp = evs.reduce((s, e) => s + (e.dlpMGyCm ?? 0), 0);
      const ctdis = evs
        .filter((e) => e.acquisitionType?.value !== '113805')
        .map((e) => e.ctdivolMGy as number);
      expect(doses[phantom]?.dlpMGyCm).toBeCloseTo(dlp, 9);
      expect(doses[phantom]?.ctdivolMGy).toBeCloseTo(ctdis.reduce((a, b) => a + b, 0) / ctdis.length, 9);
    }
    expect((doses.head16?.dlpMGyCm ?? 0) + (doses.body32?.dlpMGyCm ?? 0)).toBeCloseTo(2002.39, 9);
  });

  it('keeps the localizer DLP in the exam total but out of the CTDIvol mean (Siemens Multi-2)', () => {
    // Events: topogram 0.15 mGy / 7.46 mGy.cm, spiral 8.13 mGy / 69.81 mGy.cm (expected.json).
    const { doses } = examDoseFromReport(load('CT-RDSR-Siemens-Multi-2.dcm'));
    expect(doses).toEqual({ body32: { ctdivolMGy: 8.13, dlpMGyCm: 77.27 } });
  });

  it('counts events that have dose but no phantom (Philips dose page)', () => {
    const { doses, eventsWithoutPhantom } = examDoseFromReport(load('CT-SC-Philips_Brilliance16P.dcm'));
    expect(doses).toEqual({});
    expect(eventsWithoutPhantom).toBe(3);
  });

  it('builds a registry row with the header age and weight (Toshiba PixelMed: 42 y, 75 kg)', () => {
    const r = load('CT-RDSR-ToshibaPixelMed.dcm');
    const row = registryRowFromReport(r, 'chest-abdomen-pelvis');
    expect(row).toMatchObject({
      examId: r.studyInstanceUid,
      exam: 'chest-abdomen-pelvis',
      ageYears: 42,
      weightKg: 75,
    });
    // Spiral events 25.4 and 24.7 mGy (localizer has no dose): mean 25.05; DLP 208.5 + 141.2.
    expect(row.doses.body32?.ctdivolMGy).toBe(25.05);
    expect(row.doses.body32?.dlpMGyCm).toBe(349.7);
  });
});
