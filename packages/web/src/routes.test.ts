import { describe, expect, it } from 'vitest';
import { navFor, parseRoute } from './routes.js';

describe('routes', () => {
  it('parses hash paths', () => {
    expect(parseRoute('#/studies/abc')).toEqual({ page: 'study', id: 'abc' });
    expect(parseRoute('/studies/new')).toEqual({ page: 'new-study' });
    expect(parseRoute('/run?study=s1')).toEqual({ page: 'run', studyId: 's1' });
    expect(parseRoute('/run?from=t1')).toEqual({ page: 'run', from: 't1' });
    expect(parseRoute('/run?study=s1&algorithm=validate&model=risk%401')).toEqual({
      page: 'run',
      studyId: 's1',
      algorithm: 'validate',
      model: 'risk@1',
    });
    expect(parseRoute('/my-tasks')).toEqual({ page: 'my-tasks' });
    expect(parseRoute('/tasks/t1')).toEqual({ page: 'task', id: 't1' });
    expect(parseRoute('')).toEqual({ page: 'federation' });
    expect(parseRoute('/studies/abc/edit')).toEqual({ page: 'edit-study', id: 'abc' });
    expect(parseRoute('/models/toxicity-risk/2')).toEqual({
      page: 'model',
      name: 'toxicity-risk',
      version: 2,
    });
    expect(parseRoute('/models/toxicity-risk/x')).toEqual({ page: 'studies' });
    expect(parseRoute('/inbox')).toEqual({ page: 'inbox' });
    expect(parseRoute('/onnx-models')).toEqual({ page: 'onnx-models' });
    expect(parseRoute('/onnx-models/new')).toEqual({ page: 'onnx-register' });
    expect(parseRoute('/onnx-models/tox-net/1.0.0%2Brc')).toEqual({
      page: 'onnx-model',
      name: 'tox-net',
      version: '1.0.0+rc',
    });
  });
  it('shows sections by role', () => {
    expect(navFor(['auditor']).map((n) => n.label)).toEqual(['Federation', 'Audit']);
    expect(navFor(['researcher']).map((n) => n.label)).toEqual([
      'Federation',
      'Studies',
      'Run analysis',
      'My tasks',
      'ONNX models',
    ]);
    expect(navFor(['node-admin']).map((n) => n.label)).toEqual(['Federation', 'Studies', 'Approvals inbox']);
    expect(navFor(['hub-admin']).map((n) => n.label)).toEqual([
      'Federation',
      'Studies',
      'Run analysis',
      'My tasks',
      'ONNX models',
      'Approvals inbox',
      'Audit',
      'Administration',
    ]);
  });
  it('routes the administration sections, users by default', () => {
    expect(parseRoute('/admin')).toEqual({ page: 'admin', section: 'users' });
    expect(parseRoute('/admin/nodes')).toEqual({ page: 'admin', section: 'nodes' });
    expect(parseRoute('/admin/collaborations')).toEqual({ page: 'admin', section: 'collaborations' });
    expect(parseRoute('/admin/organisations')).toEqual({ page: 'admin', section: 'organisations' });
    expect(parseRoute('/admin/whatever')).toEqual({ page: 'admin', section: 'users' });
  });
});
