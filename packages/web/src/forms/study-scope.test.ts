import type { AlgorithmInfo, DataDictionary } from '@fedhub/protocol';
import { describe, expect, it } from 'vitest';
import { notPermittedText, scopeAlgorithms, scopeDatasets } from './study-scope.js';

const datasets: DataDictionary[] = [
  {
    name: 'cohort',
    columns: [
      { name: 'age', type: 'numeric' },
      { name: 'sex', type: 'categorical' },
      { name: 'dose_gy', type: 'numeric' },
    ],
  },
  { name: 'imaging', columns: [{ name: 'ctdi', type: 'numeric' }] },
];
const algorithms = [
  { name: 'summary', version: '1.1.0' },
  { name: 'glm', version: '1.0.0' },
  { name: 'km', version: '1.0.0' },
] as AlgorithmInfo[];

describe('study scope', () => {
  it('keeps only the allowed columns and datasets', () => {
    const out = scopeDatasets(datasets, {
      variables: [{ dataset: 'cohort', columns: ['dose_gy', 'age', 'missing'] }],
      algorithms: null,
    });
    expect(out.map((d) => d.name)).toEqual(['cohort']);
    expect(out[0]?.columns.map((c) => c.name)).toEqual(['age', 'dose_gy']);
  });
  it('an unrestricted study (null) keeps everything; an empty list keeps nothing', () => {
    expect(scopeDatasets(datasets, { variables: null, algorithms: null })).toHaveLength(2);
    expect(scopeDatasets(datasets, { variables: [], algorithms: [] })).toHaveLength(0);
    expect(scopeAlgorithms(algorithms, { variables: null, algorithms: [] })).toHaveLength(0);
  });
  it('honours a pinned version', () => {
    const out = scopeAlgorithms(algorithms, {
      variables: null,
      algorithms: [{ name: 'summary', version: '1.0.0' }, { name: 'glm' }],
    });
    expect(out.map((a) => a.name)).toEqual(['glm']);
  });
  it('says why an algorithm a link asked for cannot run on the study', () => {
    const study = {
      title: 'Toxicity',
      variables: null,
      algorithms: [{ name: 'glm' }, { name: 'km', version: '1.0.0' }],
    };
    const allowed = scopeAlgorithms(algorithms, study);
    expect(notPermittedText('validate', study, allowed)).toBe(
      `The study "Toxicity" does not permit validate (it permits glm, km 1.0.0): ask the study's owner to add validate (edit the study), or choose another study.`,
    );
    expect(notPermittedText('glm', study, allowed)).toBeNull();
    expect(notPermittedText('', study, allowed)).toBeNull();
    expect(notPermittedText('validate', undefined, allowed)).toBeNull();
  });
});
