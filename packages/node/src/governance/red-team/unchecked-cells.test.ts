/**
 * Red team, class 2 of issue #14: cells that nobody checked. Each attack runs through the node's real
 * executor against the default policy (5/10/0.33/10) and fails if the target's value can be derived.
 * Each also runs once under a policy that allows cells of one record, to show the attack is real (it does
 * give the value away when the cell is not checked), so the default's refusal is what protects.
 */
import type { ColumnSpec } from '@fedhub/protocol';
import { describe, expect, it } from 'vitest';
import { buildNodes, federate, type Row, resultOf } from './attack-harness.js';

const COLUMNS: ColumnSpec[] = [
  { name: 'a', type: 'categorical', levels: ['A', 'B'] },
  { name: 'b', type: 'categorical', levels: ['X', 'Y'] },
  { name: 'y', type: 'numeric' },
  { name: 'tox', type: 'integer', min: 0, max: 1 },
  { name: 'x', type: 'numeric' },
  // the declared range gives Cox its event-time axis (docs/privacy.md)
  { name: 'months', type: 'numeric', min: 0, max: 1000 },
  { name: 'dead', type: 'integer', min: 0, max: 1 },
];

/** Deterministic filler values (a linear congruential sequence), so every run sees the same rows. */
function filler(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

function rows(
  cells: Array<[string, string, number]>,
  seed: number,
  extra: (i: number) => Partial<Row> = () => ({}),
) {
  const u = filler(seed);
  const out: Row[] = [];
  for (const [a, b, n] of cells)
    for (let i = 0; i < n; i++)
      out.push({
        a,
        b,
        y: Math.round((50 + 20 * u()) * 1000) / 1000,
        tox: u() < 0.4 ? 1 : 0,
        x: 0,
        months: Math.round(1 + 60 * u()),
        dead: u() < 0.5 ? 1 : 0,
        ...extra(out.length),
      });
  return out;
}

const TARGET_Y = 123.456;
const ALLOW_ONE = { minCellCount: 1 };

/** Node A holds the target alone in the a:b cell B:Y; the other nodes hold no B:Y record at all. */
function interactionNodes() {
  const target: Row = { a: 'B', b: 'Y', y: TARGET_Y, tox: 1, x: 0, months: 17, dead: 1 };
  return [
    [
      ...rows(
        [
          ['A', 'X', 15],
          ['A', 'Y', 15],
          ['B', 'X', 15],
        ],
        1,
      ),
      target,
    ],
    rows(
      [
        ['A', 'X', 15],
        ['A', 'Y', 15],
        ['B', 'X', 15],
      ],
      2,
    ),
    rows(
      [
        ['A', 'X', 15],
        ['A', 'Y', 15],
        ['B', 'X', 15],
      ],
      3,
    ),
  ];
}

describe('red team, class 2: every count cell behind a release is checked', () => {
  it('glm y ~ factor(a) * factor(b) with one record in the a:b cell is refused (else its y is the cell mean)', async () => {
    const params = { dataset: 'd', formula: 'y ~ factor(a) * factor(b)', family: 'gaussian' };
    const open = await buildNodes('d', COLUMNS, interactionNodes(), { policy: ALLOW_ONE });
    try {
      // unchecked, the saturated model's coefficients sum to the B:Y cell's mean: the target's own y
      const got = await federate('glm', params, open.nodes);
      expect(got.kind).toBe('result');
      const coef = resultOf<{ coefficients: Array<{ estimate: number }> }>(got).coefficients;
      expect(coef.reduce((s, c) => s + c.estimate, 0)).toBeCloseTo(TARGET_Y, 6);
    } finally {
      open.close();
    }
    const fed = await buildNodes('d', COLUMNS, interactionNodes());
    try {
      const got = await federate('glm', params, fed.nodes);
      expect(got.kind).toBe('refused');
      if (got.kind !== 'refused') return;
      expect(got.body.code).toBe('FH_ERR_SMALL_CELL');
      // the node's own log names the cell for its data officer
      expect(got.logged.map((e) => e.message).join(' ')).toContain('a=B, b=Y');
    } finally {
      fed.close();
    }
  });

  it("a main-effects glm is refused too: X'X holds the count of every pair of levels", async () => {
    const fed = await buildNodes('d', COLUMNS, interactionNodes());
    try {
      const got = await federate('glm', { dataset: 'd', formula: 'y ~ factor(a) + factor(b)' }, fed.nodes);
      expect(got.kind === 'refused' && got.body.code).toBe('FH_ERR_SMALL_CELL');
    } finally {
      fed.close();
    }
  });

  it('binomial glm: a level with a single event is refused (the cell of factor x outcome)', async () => {
    // level B: 8 records at node A, one of them (the target) with tox = 1
    const b = rows([['B', 'X', 8]], 4, (i) => ({ tox: i === 0 ? 1 : 0 }));
    const data = [[...rows([['A', 'X', 30]], 5), ...b], rows([['A', 'X', 30]], 6), rows([['A', 'X', 30]], 7)];
    const params = { dataset: 'd', formula: 'tox ~ factor(a)', family: 'binomial' };
    const open = await buildNodes('d', COLUMNS, data, { policy: ALLOW_ONE });
    try {
      const got = await federate('glm', params, open.nodes);
      const coef = resultOf<{ coefficients: Array<{ estimate: number }> }>(got).coefficients;
      const pB = 1 / (1 + Math.exp(-(coef[0]!.estimate + coef[1]!.estimate)));
      expect(Math.round(pB * 8)).toBe(1);
    } finally {
      open.close();
    }
    const fed = await buildNodes('d', COLUMNS, data);
    try {
      const got = await federate('glm', params, fed.nodes);
      expect(got.kind === 'refused' && got.body.code).toBe('FH_ERR_SMALL_CELL');
    } finally {
      fed.close();
    }
  });

  it('coxph with one record in an a:b cell is refused', async () => {
    const fed = await buildNodes('d', COLUMNS, interactionNodes());
    try {
      const got = await federate(
        'coxph',
        { dataset: 'd', formula: 'Surv(months, dead) ~ factor(a) * factor(b)' },
        fed.nodes,
      );
      expect(got.kind === 'refused' && got.body.code).toBe('FH_ERR_SMALL_CELL');
    } finally {
      fed.close();
    }
  });

  it('validate: a crafted frozen model that scores one patient alone (a score bin and a Hosmer–Lemeshow group of one) is refused', async () => {
    // x = 1 for the target only, 0 to 0.3 for everyone else: the model gives the target 0.9, everyone else
    // 0.2 to 0.41; the upper risk group then holds the target alone, its observed count the target's outcome
    const target = (i: number) => (i === 0 ? { x: 1, tox: 1 } : { x: (i % 4) / 10 });
    const data = [
      rows([['A', 'X', 40]], 8, target),
      rows([['A', 'X', 40]], 9, (i) => ({ x: (i % 4) / 10 })),
      rows([['A', 'X', 40]], 10, (i) => ({ x: (i % 4) / 10 })),
    ];
    const params = {
      dataset: 'd',
      outcome: 'tox',
      model: {
        formula: '~ x',
        coefficients: { '(Intercept)': Math.log(0.2 / 0.8), x: Math.log(9) - Math.log(0.25) },
      },
      scoreResolution: 0.001,
    };
    const open = await buildNodes('d', COLUMNS, data, { policy: ALLOW_ONE });
    try {
      const got = await federate('validate', params, open.nodes);
      const hl = resultOf<{ pooled: { hosmerLemeshow: { n: number[]; observed: number[] } } }>(got).pooled
        .hosmerLemeshow;
      expect(hl.n.at(-1)).toBe(1);
      expect(hl.observed.at(-1)).toBe(1);
    } finally {
      open.close();
    }
    const fed = await buildNodes('d', COLUMNS, data);
    try {
      const got = await federate('validate', params, fed.nodes);
      expect(got.kind === 'refused' && got.body.code).toBe('FH_ERR_SMALL_CELL');
    } finally {
      fed.close();
    }
  });

  it('summary: a missing count of one is refused (it says that the selected patient has no value)', async () => {
    const withMissing = rows([['A', 'X', 30]], 11, (i) => (i === 0 ? { y: null } : {}));
    const params = { dataset: 'd', columns: ['y'] };
    const open = await buildNodes('d', COLUMNS, [withMissing], { policy: ALLOW_ONE });
    try {
      const got = await federate('summary', params, open.nodes);
      expect(resultOf<{ columns: Array<{ missing: number }> }>(got).columns[0]!.missing).toBe(1);
    } finally {
      open.close();
    }
    const fed = await buildNodes('d', COLUMNS, [withMissing]);
    try {
      const got = await federate('summary', params, fed.nodes);
      expect(got.kind === 'refused' && got.body.code).toBe('FH_ERR_SMALL_CELL');
    } finally {
      fed.close();
    }
  });

  it('crosstab: a combination with a missing value counted once is refused', async () => {
    const data = [
      rows(
        [
          ['A', 'X', 20],
          ['B', 'Y', 20],
        ],
        12,
        (i) => (i === 0 ? { b: null } : {}),
      ),
    ];
    const fed = await buildNodes('d', COLUMNS, data);
    try {
      const got = await federate('crosstab', { dataset: 'd', rows: 'a', cols: 'b' }, fed.nodes);
      expect(got.kind === 'refused' && got.body.code).toBe('FH_ERR_SMALL_CELL');
    } finally {
      fed.close();
    }
  });
});

describe('red team, class 2: DRL strata', () => {
  const DOSE: ColumnSpec[] = [
    // declared exams: the pooled survey's masked layout is the dictionary's, never the data's
    { name: 'exam', type: 'categorical', levels: ['chest', 'head'] },
    { name: 'phantom', type: 'categorical', levels: ['16', '32'] },
    { name: 'age', type: 'numeric' },
    { name: 'ctdivol_mgy', type: 'numeric' },
    { name: 'dlp_mgycm', type: 'numeric' },
  ];
  const exams = (exam: string, phantom: string, n: number, ctdi: number, missingCtdi = 0): Row[] =>
    Array.from({ length: n }, (_, i) => ({
      exam,
      phantom,
      age: 50,
      ctdivol_mgy: i < missingCtdi ? null : ctdi + i / 100,
      dlp_mgycm: 40 * ctdi,
    }));

  it("a stratum only one facility released gives no DRL (it would be that facility's median)", async () => {
    const fed = await buildNodes('dose', DOSE, [
      [...exams('chest', '32', 25, 9), ...exams('head', '16', 25, 50)],
      exams('head', '16', 25, 55),
      exams('head', '16', 25, 60),
    ]);
    try {
      const got = await federate('drl-survey', { dataset: 'dose' }, fed.nodes);
      expect(got.kind).toBe('result');
      const r = resultOf<{ results: Array<{ exam: string; nFacilities: number }> }>(got);
      expect(r.results.map((x) => x.exam)).not.toContain('chest');
      expect(r.results.every((x) => x.nFacilities >= 3)).toBe(true);
    } finally {
      fed.close();
    }
  });

  it("a median over fewer values than the node's minimum cell count is refused, whatever minN the researcher sets", async () => {
    // 25 chest exams, 17 without CTDIvol: the CTDIvol median would stand on 8 values; the researcher's
    // minN 5 allows it, this node's policy (minimum cell count 10) does not
    const fed = await buildNodes('dose', DOSE, [exams('chest', '32', 25, 9, 17)], {
      policy: { minCellCount: 10 },
    });
    try {
      const got = await federate('drl-survey', { dataset: 'dose', minN: 5 }, fed.nodes);
      expect(got.kind === 'refused' && got.body.code).toBe('FH_ERR_SMALL_CELL');
    } finally {
      fed.close();
    }
  });
});
