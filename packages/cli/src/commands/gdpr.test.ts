/**
 * The Art. 30 record of the demo study, from the demo's study definition and node configurations, against
 * the golden files in fixtures/ (reviewed by hand; regenerate with FEDHUB_UPDATE_GOLDEN=1 and review the
 * diff). Also: every demo analysis lies inside the demo study, and the record is byte-identical across runs.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getAlgorithm } from '@fedhub/algorithms';
import { parseNodeConfig } from '@fedhub/node';
import { CreateStudyRequestSchema, type Study, studyRefusal } from '@fedhub/protocol';
import { buildArt30Record, renderArt30Html, renderArt30Markdown } from '@fedhub/sdk';
import { COHORT_DICTIONARY, DEMO_CENTRES, DOSE_DICTIONARY } from '@fedhub/testkit';
import { describe, expect, it } from 'vitest';
import { DEMO_ANALYSES, DEMO_STUDY } from './demo.js';
import { siteFromNodeConfig } from './gdpr.js';

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures');
const STUDY_ID = '6f1d3c9e-2a4b-4c5d-8e7f-0a1b2c3d4e5f';
const NODE_IDS = [
  '11111111-1111-4111-8111-111111111111',
  '22222222-2222-4222-8222-222222222222',
  '33333333-3333-4333-8333-333333333333',
];

function demoStudy(): Study {
  const req = CreateStudyRequestSchema.parse({
    collaborationId: '99999999-9999-4999-8999-999999999999',
    ...structuredClone(DEMO_STUDY),
  });
  const { nodeIds: _n, ...rest } = req;
  return {
    ...rest,
    id: STUDY_ID,
    nodeIds: NODE_IDS,
    status: 'active',
    stoppedAt: null,
    createdBy: '88888888-8888-4888-8888-888888888888',
    owner: null,
    createdAt: '2026-01-05T09:00:00.000Z',
    updatedAt: '2026-01-05T09:00:00.000Z',
  };
}

/** The demo's node configuration (as `fedhub demo` writes it), with differential privacy and manual approval at one site. */
function demoSite(i: number) {
  const raw = {
    hub: { url: 'https://hub.example' },
    dataDir: `/srv/fedhub/${i}`,
    datasets: [
      {
        name: 'cohort',
        file: 'cohort.csv',
        description: 'Radiotherapy cohort',
        dictionary: { columns: COHORT_DICTIONARY },
      },
      {
        name: 'ct_dose',
        file: 'ct_dose.csv',
        description: 'CT dose records',
        dictionary: { columns: DOSE_DICTIONARY },
      },
    ],
    policy: { minCellCount: 5, minSubsetSize: 10 },
    ...(i === 2
      ? {
          privacy: {
            quota: { maxResultsPerStudy: 200 },
            differential: [
              {
                dataset: 'cohort',
                mechanism: 'discrete-gaussian',
                budget: { epsilon: 2, delta: 1e-6 },
                perRelease: { epsilon: 0.25, delta: 1e-7 },
              },
            ],
          },
          approvals: { defaultMode: 'manual' },
        }
      : {}),
  };
  return siteFromNodeConfig(DEMO_CENTRES[i]!.name, parseNodeConfig(raw, '/srv/fedhub'), STUDY_ID);
}

function input() {
  return {
    study: demoStudy(),
    collaboration: { name: 'Radiotherapy outcomes consortium' },
    nodes: DEMO_CENTRES.slice(0, 3).map((c, i) => ({ id: NODE_IDS[i]!, name: c.name, organisation: c.name })),
    // fixed versions: the golden file tests the record, not the current algorithm versions
    algorithms: [
      'summary',
      'crosstab',
      'glm',
      'km',
      'coxph',
      'drl-survey',
      'validate',
      'validate-survival',
      'ping',
    ].map((name) => ({
      name,
      version: '1.0.0',
      title: getAlgorithm(name)!.title,
      releases: getAlgorithm(name)!.releases,
    })),
    // the third site's configuration is not given: the record must say so
    sites: [demoSite(0), demoSite(2)],
  };
}

function golden(name: string, text: string): void {
  const path = join(FIXTURES, name);
  if (process.env.FEDHUB_UPDATE_GOLDEN === '1') writeFileSync(path, text);
  expect(text).toBe(readFileSync(path, 'utf8'));
}

describe('GDPR Art. 30 record of the demo study', () => {
  it('every demo analysis lies inside the demo study', () => {
    const study = demoStudy();
    for (const a of DEMO_ANALYSES) {
      const alg = getAlgorithm(a.algorithm)!;
      const params = alg.paramsSchema.parse(structuredClone(a.params));
      const refusal = studyRefusal(
        study,
        { algorithm: alg.name, version: alg.version, variables: alg.variables(params), params, nodeCount: 3 },
        '2026-06-01T00:00:00.000Z',
      );
      expect(refusal?.message ?? null, a.title).toBeNull();
    }
  });

  it('matches the golden Markdown, HTML and JSON, and is deterministic', () => {
    const record = buildArt30Record(input());
    golden('gdpr-art30-demo.md', renderArt30Markdown(record));
    golden('gdpr-art30-demo.html', renderArt30Html(record));
    golden('gdpr-art30-demo.json', `${JSON.stringify(record, null, 2)}\n`);
    expect(renderArt30Markdown(buildArt30Record(input()))).toBe(renderArt30Markdown(record));
    expect(renderArt30Markdown(record)).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:/);
  });

  it('prints the date only when given, and lists what an incomplete study lacks', () => {
    const dated = renderArt30Markdown(buildArt30Record({ ...input(), asOf: '2026-11-29' }));
    expect(dated).toContain('As of 2026-11-29.');
    const bare = buildArt30Record({
      ...input(),
      study: {
        ...demoStudy(),
        legalBasis: ['art6-1e-public-interest'],
        ethicsApprovalRef: null,
        variables: null,
        minNodes: 1,
        endsAt: null,
      },
    });
    expect(bare.annex.gaps).toEqual(
      expect.arrayContaining([
        'No Art. 9(2) condition is declared; health data are a special category.',
        'No ethics approval reference.',
        'The study does not restrict variables: every column of every dataset may be used.',
        'Results may pool as few as 1 node(s).',
        'The study has no end date.',
        'No node configuration for Hospital B: its controls are not documented here.',
      ]),
    );
  });
});
