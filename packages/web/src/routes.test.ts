import { describe, expect, it } from 'vitest';
import { navFor, parseRoute } from './routes.js';

describe('routes', () => {
  it('parses hash paths', () => {
    expect(parseRoute('#/studies/abc')).toEqual({ page: 'study', id: 'abc' });
    expect(parseRoute('/studies/new')).toEqual({ page: 'new-study' });
    expect(parseRoute('/run?study=s1')).toEqual({ page: 'run', studyId: 's1' });
    expect(parseRoute('/tasks/t1')).toEqual({ page: 'task', id: 't1' });
    expect(parseRoute('')).toEqual({ page: 'federation' });
  });
  it('shows sections by role', () => {
    expect(navFor(['auditor']).map((n) => n.label)).toEqual(['Federation', 'Audit']);
    expect(navFor(['researcher']).map((n) => n.label)).toEqual(['Federation', 'Studies', 'Run analysis']);
    expect(navFor(['hub-admin']).map((n) => n.label)).toEqual([
      'Federation',
      'Studies',
      'Run analysis',
      'Audit',
    ]);
  });
});
