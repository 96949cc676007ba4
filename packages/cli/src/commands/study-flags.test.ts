/** `fedhub study create|update` flags and --file become a request the hub's schema accepts. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateStudyRequestSchema } from '@fedhub/protocol';
import { afterAll, describe, expect, it } from 'vitest';
import { studyFields } from './admin.js';

const dir = mkdtempSync(join(tmpdir(), 'fedhub-study-flags-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('study flags', () => {
  it('reshapes flags over a YAML file into a valid create request', () => {
    const file = join(dir, 'study.yaml');
    writeFileSync(
      file,
      'title: From file\npurpose: Dose-toxicity\nlegalBasis: [art6-1e-public-interest, art9-2j-research]\nminNodes: 4\n',
    );
    const body = studyFields({
      file,
      title: 'From flags',
      variables: ['cohort:age, sex,dose_gy', 'ct_dose:dlp_mgycm'],
      algorithms: ['summary', 'glm@1.1.0'],
      minNodes: '3',
      ends: '2030-12-31',
      perNodeBreakdown: true,
      dpo: 'DPO',
      dpoContact: 'dpo@example.org',
    });
    const req = CreateStudyRequestSchema.parse({ collaborationId: crypto.randomUUID(), ...body });
    expect(req).toMatchObject({
      title: 'From flags',
      purpose: 'Dose-toxicity',
      legalBasis: ['art6-1e-public-interest', 'art9-2j-research'],
      variables: [
        { dataset: 'cohort', columns: ['age', 'sex', 'dose_gy'] },
        { dataset: 'ct_dose', columns: ['dlp_mgycm'] },
      ],
      algorithms: [{ name: 'summary' }, { name: 'glm', version: '1.1.0' }],
      minNodes: 3,
      endsAt: '2030-12-31',
      releasePerNodeBreakdown: true,
      dpo: { name: 'DPO', contact: 'dpo@example.org' },
    });
  });

  it('names a malformed flag', () => {
    expect(() => studyFields({ variables: ['cohort'] })).toThrow(
      /--variables "cohort": write dataset:column/,
    );
    expect(() => studyFields({ minNodes: '0' })).toThrow(/--min-nodes "0"/);
    const list = join(dir, 'list.yaml');
    writeFileSync(list, '- a\n- b\n');
    expect(() => studyFields({ file: list })).toThrow(/expected a mapping/);
  });
});
