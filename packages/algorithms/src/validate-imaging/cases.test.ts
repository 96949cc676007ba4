import { FedhubError } from '@fedhub/protocol';
import * as rx from '@fedhub/radiomics';
import { describe, expect, it } from 'vitest';
import type { ImagingSeries } from '../types.js';
import { globToRegExp, type ImageModel, runCase, selectCases } from './cases.js';

const s = (
  patient: string,
  uid: string,
  modality: string,
  seriesDescription: string | null = null,
): ImagingSeries => ({
  patientPseudonym: patient,
  studyInstanceUid: `${patient}/st`,
  seriesInstanceUid: uid,
  modality,
  seriesDescription,
});

describe('case selection', () => {
  it('a Series Description glob: * and ?, case-insensitive, whole text, regex characters literal', () => {
    const g = globToRegExp('thorax*b3?f');
    expect(g.test('Thorax 2.0 B30f')).toBe(true);
    expect(g.test('x Thorax 2.0 B30f')).toBe(false);
    expect(globToRegExp('a.b(c)').test('a.b(c)')).toBe(true);
    expect(globToRegExp('a.b').test('axb')).toBe(false);
  });

  it('one series per cohort patient; none or several are reasons, masks travel with the case', () => {
    const series = [
      s('p1', 'p1/ct', 'CT', 'Thorax'),
      s('p1', 'p1/rt', 'RTSTRUCT'),
      s('p2', 'p2/ct1', 'CT', 'Thorax'),
      s('p2', 'p2/ct2', 'CT', 'Thorax late'),
      s('p3', 'p3/mr', 'MR', 'Thorax'),
      s('p4', 'p4/ct', 'CT', 'Head'),
    ];
    const out = selectCases(series, { modality: 'CT', seriesDescription: 'thorax*' }, [
      'p4',
      'p3',
      'p2',
      'p1',
      'p5',
    ]);
    expect(
      out.map((c) =>
        'reason' in c ? [c.patient, c.reason] : [c.patient, c.image.seriesInstanceUid, c.masks.length],
      ),
    ).toEqual([
      ['p1', 'p1/ct', 1],
      ['p2', 'several-series'],
      ['p3', 'no-series'],
      ['p4', 'no-series'],
      ['p5', 'no-series'],
    ]);
    expect(selectCases(series, { modality: 'CT', seriesDescription: 'thorax' }, ['p2'])).toMatchObject([
      { patient: 'p2', image: { seriesInstanceUid: 'p2/ct1' } },
    ]);
  });
});

describe('one case through a model', () => {
  const patient = rx.syntheticCtPatient({ patientId: 'p', seed: 3 });
  const imaging = {
    series: async () => [],
    files: async (uid: string) =>
      uid === 'ct' ? patient.ct : uid === 'rt' ? [patient.rtstruct] : [new Uint8Array(10)],
  };
  const c = { patient: 'p', image: s('p', 'ct', 'CT'), masks: [s('p', 'rt', 'RTSTRUCT')] };
  const spec = {
    preprocessing: {
      spacing: null,
      intensity: { kind: 'none' as const },
      size: [8, 8, 4] as [number, number, number],
      crop: 'structure' as const,
      padValue: -1024,
      mode: '3d' as const,
      layout: 'channels-first' as const,
      channels: 1,
      slices: 'all' as const,
      sliceAggregation: 'max' as const,
    },
    output: { task: 'classification' as const, index: 0, scale: 'probability' as const },
  };
  const opts = { spec, selection: { modality: 'CT' }, structure: 'GTV', tolerances: [1] };
  const throwing = (code: string): ImageModel => ({
    run: async () => {
      throw new FedhubError(code as never, 'x');
    },
  });

  it('scores a case; the model sees the window around the structure', async () => {
    const seen: number[][] = [];
    const model: ImageModel = {
      run: async (t) => {
        seen.push(t.dims);
        return [0.25];
      },
    };
    expect(await runCase(rx, imaging, c, model, opts)).toEqual({ patient: 'p', score: 0.25 });
    expect(seen).toEqual([[1, 1, 4, 8, 8]]);
  });

  it('counts failures by reason: unreadable series, no structure, NaN, shape; a timeout ends the run', async () => {
    const ok: ImageModel = { run: async () => [0.5] };
    expect(await runCase(rx, imaging, { ...c, image: s('p', 'junk', 'CT') }, ok, opts)).toEqual({
      patient: 'p',
      reason: 'unreadable-series',
    });
    expect(await runCase(rx, imaging, c, ok, { ...opts, structure: 'PTV' })).toEqual({
      patient: 'p',
      reason: 'no-structure',
    });
    expect(await runCase(rx, imaging, { ...c, masks: [] }, ok, opts)).toEqual({
      patient: 'p',
      reason: 'no-structure',
    });
    expect(await runCase(rx, imaging, c, throwing('FH_ERR_MODEL_OUTPUT_NAN'), opts)).toEqual({
      patient: 'p',
      reason: 'nan-output',
    });
    expect(await runCase(rx, imaging, c, throwing('FH_ERR_MODEL_INPUT_MISMATCH'), opts)).toEqual({
      patient: 'p',
      reason: 'shape-mismatch',
    });
    expect(await runCase(rx, imaging, c, { run: async () => [Number.NaN] }, opts)).toEqual({
      patient: 'p',
      reason: 'nan-output',
    });
    await expect(runCase(rx, imaging, c, throwing('FH_ERR_MODEL_TIMEOUT'), opts)).rejects.toMatchObject({
      code: 'FH_ERR_MODEL_TIMEOUT',
    });
    // a body part the files do not carry: not a case at all (not a failure)
    expect(
      await runCase(rx, imaging, c, ok, { ...opts, selection: { modality: 'CT', bodyPart: 'HEAD' } }),
    ).toEqual({ patient: 'p', skipped: 'body-part' });
  });
});
