import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DoseError } from './errors.js';
import { extractDoseReport } from './extract.js';

/** The shared reference folder, resolved from the repository root (the folder holding package-lock.json). */
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

interface ExpectedEvent {
  uid: string | null;
  acquisitionType: string | null;
  acquisitionTypeCode: string | null;
  targetRegion: string | null;
  targetRegionCode: string | null;
  ctdivol: number | null;
  dlp: number | null;
  phantom: string | null;
  phantomCode: string | null;
}
interface ExpectedFile {
  manufacturer: string;
  model: string;
  studyInstanceUID: string;
  sopClassUID: string;
  eventCount: number;
  declaredEventCount: number;
  dlpTotal: number;
  dlpSum: number;
  events: ExpectedEvent[];
}

const REF = referenceDir();
const expected = JSON.parse(readFileSync(path.join(REF, 'expected.json'), 'utf8')) as {
  files: Record<string, ExpectedFile>;
};
const PHANTOM_CODE = { 'DCM:113690': 'head16', 'DCM:113691': 'body32' } as const;

describe('extractDoseReport on the reference dose reports', () => {
  it('covers every .dcm file of the reference folder', () => {
    const files = readdirSync(REF)
      .filter((f) => f.endsWith('.dcm'))
      .sort();
    expect(files).toEqual(Object.keys(expected.files).sort());
    expect(files.length).toBe(17);
  });

  for (const [name, exp] of Object.entries(expected.files)) {
    describe(name, () => {
      const report = extractDoseReport(readFileSync(path.join(REF, name)), { file: name });

      it('has the expected study, device, source and event count', () => {
        expect(report.studyInstanceUid).toBe(exp.studyInstanceUID);
        expect(report.sopClassUid).toBe(exp.sopClassUID);
        expect(report.device.manufacturer).toBe(exp.manufacturer);
        expect(report.device.model).toBe(exp.model);
        const src = { '1.2.840.10008.5.1.4.1.1.88.67': 'rdsr', '1.2.840.10008.5.1.4.1.1.88.22': 'esr' }[
          exp.sopClassUID
        ];
        expect(report.source).toBe(src ?? 'vendor-dose-page');
        expect(report.events).toHaveLength(exp.eventCount);
        expect(report.totals.declaredEventCount).toBe(exp.declaredEventCount);
      });

      it('gives every event its UID, type, region, CTDIvol, DLP and phantom', () => {
        report.events.forEach((ev, i) => {
          const e = exp.events[i] as ExpectedEvent;
          expect(ev.uid).toBe(e.uid);
          if (e.acquisitionTypeCode) {
            expect(`${ev.acquisitionType?.scheme}:${ev.acquisitionType?.value}`).toBe(e.acquisitionTypeCode);
          } else {
            expect(ev.acquisitionTypeText).toBe(e.acquisitionType);
          }
          expect(ev.targetRegion ? `${ev.targetRegion.scheme}:${ev.targetRegion.value}` : null).toBe(
            e.targetRegionCode,
          );
          expect(ev.ctdivolMGy).toBe(e.ctdivol);
          expect(ev.dlpMGyCm).toBe(e.dlp);
          expect(ev.phantom).toBe(
            e.phantomCode ? PHANTOM_CODE[e.phantomCode as keyof typeof PHANTOM_CODE] : null,
          );
          if (e.ctdivol !== null) expect(ev.provenance.ctdivolMGy?.file).toBe(name);
        });
      });

      it('declares the expected total, and the event DLPs sum to it within its stated precision', () => {
        expect(report.totals.declaredDlpMGyCm).toBe(exp.dlpTotal);
        expect(report.totals.eventDlpSumMGyCm).toBeCloseTo(exp.dlpSum, 9);
        const declared = report.totals.declaredDlpMGyCm as number;
        const decimals = (String(declared).split('.')[1] ?? '').length;
        expect(Math.abs(report.totals.eventDlpSumMGyCm - declared)).toBeLessThanOrEqual(
          0.5 * 10 ** -decimals,
        );
      });
    });
  }

  it('reads units written as mGycm (GE Enhanced SR) as mGy.cm', () => {
    const r = extractDoseReport(readFileSync(path.join(REF, 'CT-ESR-GE_Optima.dcm')), { file: 'x' });
    expect(r.totals.declaredDlpMGyCm).toBe(415.82);
    expect(r.warnings.filter((w) => w.includes('unknown unit'))).toEqual([]);
  });

  it('repairs UTF-8 text that dcmjs decodes as Latin-1 inside SR items (Siemens TAP protocol "testæøå")', () => {
    const r = extractDoseReport(readFileSync(path.join(REF, 'CT-RDSR-Siemens_Flash-TAP-SS.dcm')));
    expect(r.events[0]?.protocol).toBe('test\u00e6\u00f8\u00e5');
    expect(r.events[3]?.protocol).toBe('TAP');
  });

  it('reads the report-level Start of X-Ray Irradiation (DCM 113809)', () => {
    const r = extractDoseReport(readFileSync(path.join(REF, 'CT-RDSR-Siemens-Multi-2.dcm')));
    expect(r.irradiationStartDateTime).toBe('20180105172103.083003');
  });

  it('does not crash on the malformed DS "10.50/ 15.00" and reports it as a warning', () => {
    const r = extractDoseReport(readFileSync(path.join(REF, 'CT-RDSR-Toshiba_MultiValSD.dcm')));
    expect(r.warnings.some((w) => w.startsWith('malformed numeric value'))).toBe(true);
  });

  it('records provenance paths into the SR tree and patient attributes from the header', () => {
    const r = extractDoseReport(readFileSync(path.join(REF, 'CT-RDSR-ToshibaPixelMed.dcm')), {
      file: 'p.dcm',
    });
    const ev = r.events[1];
    expect(ev?.provenance.dlpMGyCm).toMatchObject({ source: 'rdsr', file: 'p.dcm' });
    expect(ev?.provenance.dlpMGyCm?.path).toMatch(/\(DCM:113819\)\/\d+\(DCM:113829\)\/\d+\(DCM:113838\)$/);
    expect(ev?.scanningLengthMm).toBe(82.09);
    expect(r.patient).toEqual({ sex: 'M', ageYears: 42, weightKg: 75, sizeM: null });
  });

  it('reads the Philips dose page header (Exposure Dose Sequence and private ELSCINT1 DLP)', () => {
    const r = extractDoseReport(readFileSync(path.join(REF, 'CT-SC-Philips_Brilliance16P.dcm')), {
      file: 's',
    });
    expect(r.events[2]?.provenance.dlpMGyCm?.path).toBe('(0040,030E)[3]/(00E1,xx21 ELSCINT1)');
    expect(r.events[2]?.scanningLengthMm).toBe(173);
    expect(r.warnings).toContain('dose page states no CTDI phantom; phantom left unknown');
  });

  it('rejects a truncated file and a non-DICOM buffer with a coded error naming the file', () => {
    const buf = readFileSync(path.join(REF, 'CT-RDSR-Siemens-Multi-1.dcm'));
    const cut = () => extractDoseReport(buf.subarray(0, 3000), { file: 'cut.dcm' });
    expect(cut).toThrow(DoseError);
    expect(cut).toThrow(/cut\.dcm/);
    try {
      extractDoseReport(new Uint8Array(40), { file: 'tiny' });
      expect.unreachable();
    } catch (err) {
      expect((err as DoseError).code).toBe('FH_ERR_DOSE_UNREADABLE');
    }
  });
});
