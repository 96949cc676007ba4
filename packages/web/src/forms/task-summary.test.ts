import { describe, expect, it } from 'vitest';
import { paramsSummary, taskData, taskFilter } from './task-summary.js';

describe('task summary', () => {
  it('names what an imaging task reads: the DICOM store and its cohort or join table', () => {
    const vi = {
      algorithm: 'validate-imaging',
      params: {
        model: { onnx: `sha256:${'a'.repeat(64)}`, registered: 'gtv-seg@2' },
        cohort: {
          dataset: 'imaging_cohort',
          patient: 'patient_id',
          filter: { column: 'sex', op: 'eq', value: 'F' },
        },
        structure: 'GTV',
      },
    };
    expect(taskData(vi)).toBe('DICOM store, imaging_cohort');
    expect(taskFilter(vi)).toBe('sex = F');
    expect(paramsSummary(vi.algorithm, vi.params)).toBe('validate-imaging: model gtv-seg@2; structure GTV');
    const dvh = {
      algorithm: 'dvh-extract',
      params: { output: 'dvh', structures: ['GTV'], join: { dataset: 'c' } },
    };
    expect(taskData(dvh)).toBe('DICOM store, c');
    expect(paramsSummary(dvh.algorithm, dvh.params)).toBe('dvh-extract: structures GTV; → dvh');
    expect(taskData({ algorithm: 'radiomics-extract', params: { roi: 'GTV', output: 'r' } })).toBe(
      'DICOM store',
    );
  });

  it('keeps a table dataset as it is, and says none without one', () => {
    expect(taskData({ algorithm: 'lkb', params: { dataset: 'dvh', organ: 'Lungs' } })).toBe('dvh');
    expect(paramsSummary('lkb', { dataset: 'dvh', organ: 'Lungs', outcome: 'outcome' })).toBe(
      'lkb: outcome outcome; organ Lungs',
    );
    expect(taskData({ algorithm: 'ping', params: {} })).toBe('none');
  });
});
