/**
 * Red team, class 1 of issue #14: refusals as oracles. Each attack provokes a refusal or a failure through
 * the node's real executor and fails if what the hub receives holds a count, a level label, a value or a
 * row number: the body must be { code, message, details: { algorithm, parameter? } } with the catalogue's
 * text, while the node's own log keeps the full detail for its data officer.
 */
import { type ColumnSpec, ERROR_CATALOGUE, type ErrorBody } from '@fedhub/protocol';
import { describe, expect, it } from 'vitest';
import { bodyKeys, buildNodes, federate, type Outcome, type Row } from './attack-harness.js';

const COLUMNS: ColumnSpec[] = [
  // levels come from the dictionary (docs/privacy.md); the secret dose is one of them
  { name: 'dose_level', type: 'categorical', levels: ['60', '70', '66.37'] },
  { name: 'grade', type: 'categorical', levels: ['G1', 'G2', 'G3'] },
  { name: 'age', type: 'numeric' },
  { name: 'y', type: 'numeric' },
  { name: 'tox', type: 'integer', min: 0, max: 1 },
];

/** Level labels that are data values (a dose, an age) and the target's exact values. */
const SECRET_LEVEL = '66.37';
const TARGET_AGE = 97.25;

function cohort(n: number, target: Row | null): Row[] {
  const out: Row[] = [];
  for (let i = 0; i < n; i++)
    out.push({
      dose_level: i % 2 === 0 ? '60' : '70',
      grade: i % 3 === 0 ? 'G1' : 'G2',
      age: 30 + (i % 30),
      y: 10 + (i % 7),
      tox: i % 4 === 0 ? 1 : 0,
    });
  if (target) out.push(target);
  return out;
}

const TARGET: Row = { dose_level: SECRET_LEVEL, grade: 'G3', age: TARGET_AGE, y: 99, tox: 1 };

/** The refusal the hub got, after checking its shape and that it quotes nothing it must not. */
function refusal(got: Outcome, forbidden: string[]): ErrorBody {
  expect(got.kind).toBe('refused');
  if (got.kind !== 'refused') throw new Error('not refused');
  const body = got.body;
  expect(bodyKeys(body).top.every((k) => ['code', 'message', 'details'].includes(k))).toBe(true);
  expect(bodyKeys(body).details.every((k) => ['algorithm', 'parameter'].includes(k))).toBe(true);
  // the message is the node's name and the catalogue's text for the code (and a parameter path)
  const text = ERROR_CATALOGUE[body.code as keyof typeof ERROR_CATALOGUE].message;
  expect(body.message).toMatch(
    new RegExp(
      `^Hospital [A-Z]: ${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}( \\(parameter [A-Za-z0-9_.-]+\\))?$`,
    ),
  );
  const sent = JSON.stringify(body);
  for (const f of forbidden) expect(sent).not.toContain(f);
  // no number at all besides the algorithm's version and array indices of a parameter path
  const parameter = (body.details as { parameter?: string } | undefined)?.parameter ?? '';
  expect(sent.replace(/@\d+\.\d+\.\d+/, '').replaceAll(parameter, '')).not.toMatch(/\d/);
  return body;
}

describe('red team, class 1: refusals carry no data', () => {
  it('a small cell: neither its count nor its level label (a dose value) reaches the hub', async () => {
    const fed = await buildNodes('d', COLUMNS, [cohort(40, TARGET)]);
    try {
      const got = await federate('crosstab', { dataset: 'd', rows: 'dose_level', cols: 'grade' }, fed.nodes);
      const body = refusal(got, [SECRET_LEVEL, 'G3', 'dose_level=']);
      expect(body.code).toBe('FH_ERR_SMALL_CELL');
      // the data officer's log has the cell
      if (got.kind === 'refused') expect(got.logged[0]?.message).toContain(`dose_level=${SECRET_LEVEL}`);
    } finally {
      fed.close();
    }
  });

  it('a design cell of a glm: no level, no count', async () => {
    const fed = await buildNodes('d', COLUMNS, [cohort(60, TARGET)]);
    try {
      const got = await federate(
        'glm',
        { dataset: 'd', formula: 'y ~ factor(dose_level) * factor(grade)' },
        fed.nodes,
      );
      refusal(got, [SECRET_LEVEL, 'G3']);
    } finally {
      fed.close();
    }
  });

  it('a small selection: the refusal does not say how many records it holds', async () => {
    const fed = await buildNodes('d', COLUMNS, [cohort(40, TARGET)]);
    try {
      // "is there anyone older than 58?": the exact count would answer it
      const got = await federate(
        'summary',
        { dataset: 'd', columns: ['y'], filter: { column: 'age', op: 'gt', value: 58.5 } },
        fed.nodes,
      );
      expect(refusal(got, []).code).toBe('FH_ERR_SMALL_SUBSET');
    } finally {
      fed.close();
    }
  });

  it('a differencing refusal says which rule, not by how many records the selections differ', async () => {
    const fed = await buildNodes('d', COLUMNS, [cohort(40, TARGET)], { ledger: true });
    try {
      const studyId = crypto.randomUUID();
      expect((await federate('summary', { dataset: 'd', columns: ['y'] }, fed.nodes, { studyId })).kind).toBe(
        'result',
      );
      const got = await federate(
        'summary',
        // everyone but the oldest patient: the difference of the two sums is the target's y
        { dataset: 'd', columns: ['y'], filter: { column: 'age', op: 'lt', value: 90 } },
        fed.nodes,
        { studyId },
      );
      const body = refusal(got, [String(TARGET_AGE), '"1"']);
      expect(body.code).toBe('FH_ERR_DIFFERENCING');
    } finally {
      fed.close();
    }
  });

  it("an algorithm's own error that lists the levels it saw is reduced to the rule and the parameter", async () => {
    // six patients at the secret dose level: enough for its cells, so the algorithm itself errs
    const secret = Array.from({ length: 6 }, (_, i) => ({ ...TARGET, grade: 'G1', tox: i % 2 }));
    const fed = await buildNodes('d', COLUMNS, [[...cohort(60, null), ...secret]]);
    try {
      // coefficients missing a term: the algorithm's message lists the model's terms at this node, which
      // name every level of the factor present there (the secret dose among them)
      const got = await federate(
        'validate',
        {
          dataset: 'd',
          outcome: 'tox',
          model: { formula: '~ factor(dose_level)', coefficients: { '(Intercept)': 0 } },
        },
        fed.nodes,
      );
      const body = refusal(got, [SECRET_LEVEL]);
      expect(body.code).toBe('FH_ERR_BAD_PARAMS');
      expect(body.details).toMatchObject({ parameter: 'model.coefficients' });
      if (got.kind === 'refused') expect(got.logged[0]?.message).toContain(SECRET_LEVEL);
    } finally {
      fed.close();
    }
  });

  it('a column-type refusal names the parameter that holds the column, nothing read from it', async () => {
    const fed = await buildNodes('d', COLUMNS, [cohort(40, TARGET)]);
    try {
      // a text column used as a numeric summary column: the column type check refuses, naming the column
      // as a parameter path, nothing from the rows
      const got = await federate('summary', { dataset: 'd', columns: ['dose_level'] }, fed.nodes);
      const body = refusal(got, [SECRET_LEVEL]);
      expect(body.details).toMatchObject({ parameter: 'columns.0' });
    } finally {
      fed.close();
    }
  });
});
