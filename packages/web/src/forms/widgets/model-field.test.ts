import type { Task } from '@fedhub/protocol';
import { describe, expect, it } from 'vitest';
import { draftFromTask, outcomeOfTask } from './model-field.js';

const glmTask = {
  id: 'f327b4a5-9620-408b-a3aa-ec37367191ef',
  algorithm: 'glm',
  status: 'completed',
  title: 'Grade >= 2 toxicity',
  createdAt: '2026-12-07T22:17:47.000Z',
  params: { dataset: 'cohort', formula: 'toxicity ~ dose_gy + age', family: 'binomial' },
  result: {
    formula: 'toxicity ~ dose_gy + age',
    family: 'binomial',
    coefficients: [
      { term: '(Intercept)', estimate: -11.8 },
      { term: 'dose_gy', estimate: 0.163 },
      { term: 'age', estimate: 0.011 },
    ],
  },
} as unknown as Task;

describe('validate this model, from a fitted task', () => {
  it("fills the outcome with the model's own and names the model by the task's title", () => {
    expect(outcomeOfTask(glmTask)).toBe('toxicity');
    const label = (t: Task) => {
      const d = draftFromTask('glm', t);
      return d && 'label' in d ? d.label : undefined;
    };
    expect(label(glmTask)).toBe('Grade >= 2 toxicity (glm, 2026-12-07)');
    expect(label({ ...glmTask, title: null } as unknown as Task)).toBe('task f327b4a5 (glm, 2026-12-07)');
  });
  it('leaves the outcome to the researcher when it is no plain column', () => {
    const cbind = { ...glmTask, params: { formula: 'cbind(a, b) ~ x' } } as unknown as Task;
    expect(outcomeOfTask(cbind)).toBeNull();
    expect(outcomeOfTask({ ...glmTask, algorithm: 'coxph' })).toBeNull();
  });
});
