import { describe, expect, it } from 'vitest';
import { poolNodes, readCohortNodes, readFixtureJson } from '../test-support.js';
import { buildDesignMatrix, CODED_LEVELS, dropInterceptColumn } from './design.js';
import { mergeLevels } from './levels.js';
import { parseFormula } from './parse.js';

interface MmCase {
  formula: string;
  columns: string[];
  rows: number[];
  matrix: number[]; // R's t(m[rows, ]) column-major, i.e. row-major rows x columns
}
const fx = readFixtureJson<{ cases: MmCase[] }>('model-matrix.json');
const nodes = readCohortNodes();
const pooled = poolNodes(nodes);
// Global level sets agreed across nodes (centre C lacks stage IV, so the merge matters).
const levels = {
  sex: mergeLevels(nodes.map((nd) => [...new Set(nd.text['sex'])])),
  stage: mergeLevels(nodes.map((nd) => [...new Set(nd.text['stage'])])),
};

describe('design matrix against R model.matrix', () => {
  for (const c of fx.cases) {
    it(c.formula, () => {
      const f = parseFormula(c.formula);
      const dm = buildDesignMatrix(f, { numeric: pooled.numeric, categorical: pooled.text }, { levels });
      expect(dm.columnNames).toEqual(c.columns);
      const p = c.columns.length;
      c.rows.forEach((row, r) => {
        for (let j = 0; j < p; j++) expect(dm.x[row * p + j]).toBeCloseTo(c.matrix[r * p + j]!, 12);
      });
    });
  }
  it('dropIntercept leaves out the intercept column and keeps the contrasts (as coxph codes them)', () => {
    const f = parseFormula('Surv(months, dead) ~ age + sex + stage + age:sex');
    const data = { numeric: pooled.numeric, categorical: pooled.text };
    const full = buildDesignMatrix(f, data, { levels });
    const dropped = buildDesignMatrix(f, data, { levels, dropIntercept: true });
    expect(dropped).toEqual(dropInterceptColumn(full));
    expect(dropped.columnNames).toEqual(['age', 'sexM', 'stageII', 'stageIII', 'stageIV', 'age:sexM']);
  });

  it('takes level codes riding on a categorical column as the strings they stand for', () => {
    const f = parseFormula('y ~ age + sex + stage + age:stage');
    const n = 6;
    const sex = ['M', 'F', 'M', 'M', 'F', 'F'];
    const stage = ['II', 'IV', 'I', 'II', 'III', 'IV'];
    const coded = (values: string[]) => {
      const local = [...new Set(values)].sort();
      const out = [...values];
      Object.defineProperty(out, CODED_LEVELS, {
        value: { codes: Float64Array.from(values, (v) => local.indexOf(v) + 1), levels: local },
      });
      return out;
    };
    const numeric = {
      y: Float64Array.from({ length: n }, (_, i) => i % 2),
      age: Float64Array.of(50, 61, 47, 70, 66, 58),
    };
    const opts = { levels: { sex: ['F', 'M'], stage: ['I', 'II', 'III', 'IV'] } };
    const plain = buildDesignMatrix(f, { numeric, categorical: { sex, stage } }, opts);
    expect(
      buildDesignMatrix(f, { numeric, categorical: { sex: coded(sex), stage: coded(stage) } }, opts),
    ).toEqual(plain);
    // a coded value outside the global levels is reported as the string path reports it
    expect(() =>
      buildDesignMatrix(
        f,
        { numeric, categorical: { sex: coded(sex), stage: coded(stage) } },
        {
          levels: { sex: ['F', 'M'], stage: ['I', 'II', 'III'] },
        },
      ),
    ).toThrow(/row 1: value 'IV' is not in the global level set/);
  });

  it('codes a factor of over 256 levels, and uses a response already on shared memory as it is', () => {
    const f = parseFormula('y ~ g');
    const levelsG = Array.from({ length: 300 }, (_, k) => `l${String(k).padStart(3, '0')}`);
    const g = Array.from({ length: 900 }, (_, i) => levelsG[(i * 7) % 300]!);
    const y = new Float64Array(new SharedArrayBuffer(8 * g.length));
    y.set(Float64Array.from(g, (_, i) => i % 2));
    const dm = buildDesignMatrix(
      f,
      { numeric: { y }, categorical: { g } },
      { levels: { g: levelsG }, shared: true },
    );
    expect(dm.p).toBe(300);
    // each row: the intercept, and a 1 in its level's column (the reference level l000 has none)
    for (let i = 0; i < g.length; i++) {
      const k = levelsG.indexOf(g[i]!);
      const row = Array.from(dm.x.subarray(i * dm.p, (i + 1) * dm.p));
      expect(row.reduce((a, b) => a + b, 0)).toBe(k === 0 ? 1 : 2);
      if (k > 0) expect(row[k]).toBe(1);
    }
    expect(dm.y).toBe(y);
    // not on shared memory: copied onto it
    const plainY = Float64Array.from(y);
    const copied = buildDesignMatrix(
      f,
      { numeric: { y: plainY }, categorical: { g } },
      { levels: { g: levelsG }, shared: true },
    );
    expect(copied.y).not.toBe(plainY);
    expect(copied.y!.buffer instanceof SharedArrayBuffer).toBe(true);
    expect(Array.from(copied.y!)).toEqual(Array.from(y));
  });

  it('a node that lacks a level still gets every global column', () => {
    const c = nodes[2]!;
    expect(c.text['stage']).not.toContain('IV');
    const dm = buildDesignMatrix(
      parseFormula('toxicity ~ factor(stage)'),
      { numeric: c.numeric, categorical: c.text },
      { levels },
    );
    expect(dm.columnNames).toEqual(['(Intercept)', 'factor(stage)II', 'factor(stage)III', 'factor(stage)IV']);
  });
  it('honours a reference level, Surv responses and offsets', () => {
    const f = parseFormula('Surv(months, dead) ~ sex + offset(log(exposure))');
    const dm = buildDesignMatrix(
      f,
      { numeric: pooled.numeric, categorical: pooled.text },
      { levels, ref: { sex: 'M' } },
    );
    expect(dm.columnNames).toEqual(['(Intercept)', 'sexF']);
    expect(dm.y![0]).toBe(pooled.numeric['months']![0]);
    expect(dm.event![0]).toBe(pooled.numeric['dead']![0]);
    expect(dm.offset![0]).toBeCloseTo(Math.log(pooled.numeric['exposure']![0]!), 15);
  });
  it('strata() terms give stratum codes and survival-style labels, not columns', () => {
    const centre = mergeLevels(nodes.map((nd) => nd.text['centre']!));
    const dm = buildDesignMatrix(
      parseFormula('Surv(months, dead) ~ age + strata(centre, sex)'),
      { numeric: pooled.numeric, categorical: pooled.text },
      { levels: { ...levels, centre } },
    );
    expect(dm.columnNames).toEqual(['(Intercept)', 'age']);
    expect(dm.strataLabels).toEqual([
      'centre=A, sex=F',
      'centre=A, sex=M',
      'centre=B, sex=F',
      'centre=B, sex=M',
      'centre=C, sex=F',
      'centre=C, sex=M',
    ]);
    const i = pooled.text['centre']!.indexOf('B');
    expect(dm.strataLabels[dm.strata![i]!]).toBe(`centre=B, sex=${pooled.text['sex']![i]}`);
  });
  it('reports bad formulas and unknown levels with codes', () => {
    expect(() => parseFormula('y ~ a +')).toThrow(/end of formula/);
    expect(() => parseFormula('y ~ I(a)')).toThrow(/unsupported function/);
    expect(() =>
      buildDesignMatrix(
        parseFormula('y ~ sex'),
        { numeric: { y: new Float64Array(1) }, categorical: { sex: ['X'] } },
        {
          levels: { sex: ['F', 'M'] },
        },
      ),
    ).toThrow(/not in the global level set/);
  });
});
