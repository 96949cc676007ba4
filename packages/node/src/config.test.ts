import { DisclosurePolicySchema } from '@fedhub/protocol';
import { describe, expect, it } from 'vitest';
import { parseNodeConfig } from './config.js';
import { RoundFloorsSchema } from './governance/round-floors.js';

const minimal = (extra: Record<string, unknown> = {}) =>
  parseNodeConfig({ hub: { url: 'https://hub.example.org' }, ...extra }, '/srv/node');

describe('node config defaults come from the sections’ own schemas', () => {
  it('an absent policy is the disclosure policy’s and the round floors’ field defaults', () => {
    const c = minimal();
    expect(c.policy).toEqual({ ...DisclosurePolicySchema.parse({}), ...RoundFloorsSchema.parse({}) });
    // the values the documentation promises
    expect(c.policy).toEqual({
      minCellCount: 5,
      minSubsetSize: 10,
      maxParameterRatio: 0.33,
      minResidualDf: 10,
      minNodes: 3,
      minOrganisations: 3,
    });
  });

  it('a partial policy keeps the other fields’ defaults', () => {
    expect(minimal({ policy: { minCellCount: 11 } }).policy).toMatchObject({
      minCellCount: 11,
      minSubsetSize: 10,
    });
  });

  it('limits, approvals, log and the DICOM sections default field by field', () => {
    const c = minimal({ dicom: {} });
    expect(c.limits).toEqual({ maxRunMemoryMb: 2048, maxRunSeconds: 1800 });
    expect(c.approvals).toEqual({
      defaultMode: 'automatic',
      studies: {},
      automatic: {},
      acceptHubDecisions: true,
    });
    expect(c.log).toEqual({ level: 'info' });
    expect(c.dicom?.deidentification).toEqual({
      profile: 'basic',
      options: ['retain-long-modified-dates'],
      allowSopClasses: [],
      allowBurnedInAnnotation: false,
      rtStructureNames: true,
    });
    expect(c.dicom?.workers).toEqual({ size: 2, maxMemoryMb: 512, timeoutMs: 30_000 });
  });
});
