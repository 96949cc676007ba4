import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { extractDoseReport, extractStudyDoses } from './extract.js';

// Synthetic objects written by fixtures/dose/make-ct-fixtures.mjs (inputs: CTDIvol 10/12/14 mGy body series,
// 50/50 mGy head series, and a burned-in-only dose page).
const FIX = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/dose');
const files = readdirSync(FIX)
  .filter((f) => f.endsWith('.dcm'))
  .map((name) => ({ name, data: readFileSync(path.join(FIX, name)) }));

describe('CT image header fallback', () => {
  it('groups images per series/acquisition, averages CTDIvol and keeps phantoms apart', () => {
    const images = files.filter((f) => f.name.startsWith('ct-'));
    expect(images).toHaveLength(5);
    const { reports, skipped } = extractStudyDoses(images);
    expect(skipped).toEqual([]);
    expect(reports).toHaveLength(1);
    const r = reports[0];
    expect(r?.source).toBe('ct-header');
    expect(r?.events).toHaveLength(2);
    const body = r?.events.find((e) => e.phantom === 'body32');
    const head = r?.events.find((e) => e.phantom === 'head16');
    expect(body?.ctdivolMGy).toBe((10 + 12 + 14) / 3);
    expect(body?.acquisitionTypeText).toBe('SPIRAL');
    expect(body?.waterEquivalentDiameterMm).toBe(280);
    expect(body?.provenance.ctdivolMGy?.source).toBe('ct-header');
    expect(head?.ctdivolMGy).toBe(50);
    expect(r?.events.every((e) => e.dlpMGyCm === null)).toBe(true);
    expect(r?.warnings).toContain('CT image headers carry no DLP: events have CTDIvol only');
    expect(r?.patient).toEqual({ sex: 'F', ageYears: 54, weightKg: 71.5, sizeM: null });
  });

  it('says clearly that a dose page without header values holds burned-in text only', () => {
    const page = files.find((f) => f.name === 'dose-page-burned-in.dcm');
    if (!page) throw new Error('fixture dose-page-burned-in.dcm missing');
    const r = extractDoseReport(page.data, { file: page.name });
    expect(r.source).toBe('vendor-dose-page');
    expect(r.events).toEqual([]);
    expect(r.warnings.join(' ')).toMatch(/burned-in text only/);
  });

  it('skips a text SR with a coded reason and still extracts the rest', () => {
    const { reports, skipped } = extractStudyDoses(files);
    expect(reports).toHaveLength(1);
    expect(skipped).toEqual([
      expect.objectContaining({ file: 'sr-text-report.dcm', code: 'FH_ERR_DOSE_NOT_DOSE_OBJECT' }),
    ]);
    expect(skipped[0]?.reason).toMatch(/no CT dose content/);
  });

  it('keeps the image-header events when the dose page of the study is burned-in only', () => {
    const { reports } = extractStudyDoses(files);
    expect(reports).toHaveLength(1);
    expect(reports[0]?.source).toBe('ct-header');
    expect(reports[0]?.events).toHaveLength(2);
    expect(reports[0]?.warnings.some((w) => w.startsWith('vendor-dose-page report'))).toBe(true);
  });
});
