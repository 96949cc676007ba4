/**
 * The ONNX model registry routes (SQLite): registration checks the file and the card, stores the digest and
 * signature, audits, refuses a second file under a registered version, and serves the file by digest only
 * to nodes of the model's collaboration.
 */
import { createHash } from 'node:crypto';
import { verifyMessage } from '@fedhub/crypto';
import { buildOnnxModel, logisticRegressionModel } from '@fedhub/inference/test-support';
import { canonicalJson } from '@fedhub/protocol';
import { sqliteBackend, startTestHub } from '@fedhub/testkit/hub-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedWorld } from './world.js';

let hub: Awaited<ReturnType<typeof startTestHub>>;
let world: Awaited<ReturnType<typeof seedWorld>>;
beforeAll(async () => {
  hub = await startTestHub(sqliteBackend);
  world = await seedWorld(hub);
});
afterAll(() => hub.dispose());

const card = {
  intendedUse: 'Risk of grade >= 2 toxicity after pelvic RT, adults',
  trainingData: 'Single centre, 2015-2020, 812 patients, 31% events',
  inputs: [{ name: 'x', description: 'age, mean dose, sex', preprocessing: 'years; Gy; male = 1' }],
  output: { name: 'p', meaning: 'predicted probability of grade >= 2 toxicity' },
  licence: 'Apache-2.0',
};
const model = logisticRegressionModel({ coefficients: [0.03, 0.06, 0.4], intercept: -5 });
const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
const register = (body: Record<string, unknown>, token = world.researcherA.token) =>
  hub.call('POST', '/api/onnx-models', {
    token,
    body: {
      name: 'tox-net',
      version: '1.0.0',
      collaborationId: world.collabA.id,
      card,
      onnx: b64(model),
      ...body,
    },
  });

describe('POST /api/onnx-models', () => {
  it('stores the digest, the signature read from the graph and the card, and audits it', async () => {
    const r = await register({});
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.sha256).toBe(createHash('sha256').update(model).digest('hex'));
    expect(r.body.signature.inputs).toEqual([
      { name: 'x', kind: 'tensor', elementType: 'float32', shape: ['N', 3] },
    ]);
    expect(r.body.signature.operators).toEqual(['ai.onnx:Add', 'ai.onnx:MatMul', 'ai.onnx:Sigmoid']);
    expect(r.body.card.licence).toBe('Apache-2.0');
    const got = await hub.call('GET', '/api/onnx-models/tox-net/versions/1.0.0', {
      token: world.researcherA.token,
    });
    expect(got.body.sha256).toBe(r.body.sha256);
    const audit = await hub.handle.db
      .selectFrom('audit_events')
      .select(['action', 'details'])
      .where('action', '=', 'model.onnx-registered')
      .execute();
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0]!.details as string).sha256).toBe(r.body.sha256);
  });

  it('refuses another file under a registered version (a new file is a new version)', async () => {
    const other = logisticRegressionModel({ coefficients: [0.03, 0.06, 0.5], intercept: -5 });
    const r = await register({ onnx: b64(other) });
    expect(r.status).toBe(409);
    expect(r.body.code).toBe('FH_ERR_ALREADY_EXISTS');
    expect(r.body.message).toContain('a new file is a new version');
    expect((await register({ onnx: b64(other), version: '1.1.0' })).status).toBe(201);
  });

  it('refuses bad files and cards with coded errors', async () => {
    const custom = buildOnnxModel({
      inputs: [{ name: 'x', type: 'float32', shape: ['N', 3] }],
      outputs: [{ name: 'p', type: 'float32', shape: ['N', 1] }],
      nodes: [{ op: 'Fancy', domain: 'com.vendor', inputs: ['x'], outputs: ['p'] }],
    });
    const unknownOp = buildOnnxModel({
      inputs: [{ name: 'x', type: 'float32', shape: ['N', 3] }],
      outputs: [{ name: 'p', type: 'float32', shape: ['N', 1] }],
      nodes: [{ op: 'NotAnOnnxOperator', inputs: ['x'], outputs: ['p'] }],
    });
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [{ version: '2', onnx: b64(custom) }, 422, 'FH_ERR_MODEL_UNSUPPORTED_OP'],
      [{ version: '3', onnx: b64(unknownOp) }, 422, 'FH_ERR_MODEL_UNSUPPORTED_OP'],
      [
        { version: '4', onnx: b64(new TextEncoder().encode('age,dose\n61,40\n')) },
        422,
        'FH_ERR_MODEL_INVALID',
      ],
      [
        { version: '5', card: { ...card, inputs: [{ ...card.inputs[0], name: 'features' }] } },
        422,
        'FH_ERR_MODEL_INPUT_MISMATCH',
      ],
      [{ version: '6', card: { ...card, licence: undefined } }, 400, 'FH_ERR_VALIDATION'],
      [{ version: '7', onnx: 'not base64!' }, 400, 'FH_ERR_VALIDATION'],
    ];
    for (const [body, status, code] of cases) {
      const r = await register(body);
      expect([r.status, r.body.code], JSON.stringify(body).slice(0, 80)).toEqual([status, code]);
    }
  });

  it('refuses a collaboration the researcher is not in, and hides models from other collaborations', async () => {
    expect((await register({ version: '9' }, world.researcherB.token)).status).toBe(404);
    const list = await hub.call('GET', '/api/onnx-models', { token: world.researcherB.token });
    expect(list.body).toEqual([]);
  });
});

describe('GET /api/node/onnx-models/:sha256', () => {
  it("serves the file to a node of the model's collaboration, 404 to others", async () => {
    const sha = createHash('sha256').update(model).digest('hex');
    const a = await hub.call('GET', `/api/node/onnx-models/${sha}`, { token: world.nodeA.token });
    expect(a.status).toBe(200);
    expect(Buffer.from(a.body.onnx, 'base64').equals(Buffer.from(model))).toBe(true);
    const b = await hub.call('GET', `/api/node/onnx-models/${sha}`, { token: world.nodeB.token });
    expect(b.status).toBe(404);
    const user = await hub.call('GET', `/api/node/onnx-models/${sha}`, { token: world.researcherA.token });
    expect(user.status).toBe(401);
  });
});

describe('the validation report', () => {
  async function completedValidateTask(onnx: string) {
    const id = crypto.randomUUID();
    const now = new Date(hub.clock.now()).toISOString();
    await hub.handle.db
      .insertInto('tasks')
      .values({
        id,
        study_id: world.studyA.id,
        collaboration_id: world.collabA.id,
        algorithm: 'validate',
        version: '1.4.0',
        digest: 'd'.repeat(64),
        params: JSON.stringify({
          dataset: 'cohort',
          outcome: 'y',
          model: { onnx, inputs: { x: ['age', 'dose', 'male'] }, output: 'p' },
        }),
        node_ids: JSON.stringify([world.nodeA.id]),
        status: 'completed',
        round: 4,
        first_round: 1,
        aggregator_state: null,
        result: JSON.stringify({
          algorithm: 'validate',
          outcome: 'y',
          scoreResolution: 0.001,
          nodes: ['Node A', 'Node B', 'Node C'],
          subgroups: {
            column: 'sex',
            centresWithheld: 0,
            levels: [
              {
                level: 'F',
                n: 500,
                events: 180,
                auc: 0.7111,
                aucCiLower: 0.66,
                aucCiUpper: 0.76,
                brier: 0.2,
                observedExpected: 0.97,
              },
              {
                level: 'M',
                n: 561,
                events: 220,
                auc: 0.7402,
                aucCiLower: 0.7,
                aucCiUpper: 0.78,
                brier: 0.21,
                observedExpected: 1.02,
              },
            ],
          },
          pooled: {
            n: 1061,
            events: 400,
            auc: 0.7283,
            aucCiLower: 0.698,
            aucCiUpper: 0.758,
            brier: 0.2099,
            calibrationSlope: 0.8735,
            calibrationSlopeStdError: 0.08,
            calibrationInLarge: -0.4766,
            calibrationInLargeStdError: 0.07,
            hosmerLemeshow: { pValue: 0.01 },
            excluded: { missingValues: 7, centresWithFewerMissingThanMinimum: 1 },
            netBenefit: [
              { threshold: 0.2, netBenefit: 0.21, treatAll: 0.2 },
              { threshold: 0.3, netBenefit: null, treatAll: 0.1 },
            ],
          },
        }),
        error: null,
        revision: 1,
        created_by: world.researcherA.id,
        created_at: now,
        finished_at: now,
      })
      .execute();
    return id;
  }

  it('attaches validate tasks of this file only, and signs a report with the checklist; both audited', async () => {
    const sha = createHash('sha256').update(model).digest('hex');
    const task = await completedValidateTask(`sha256:${sha}`);
    const url = '/api/onnx-models/tox-net/versions/1.0.0';
    const attach = (taskId: string) =>
      hub.call('POST', `${url}/validations`, { token: world.researcherA.token, body: { taskId } });
    expect((await attach(task)).status).toBe(201);
    expect((await attach(task)).body.code).toBe('FH_ERR_ALREADY_EXISTS');
    const other = await completedValidateTask(`sha256:${'e'.repeat(64)}`);
    expect((await attach(other)).body.code).toBe('FH_ERR_VALIDATION');

    const r = await hub.call('GET', `${url}/report`, { token: world.researcherA.token });
    expect(r.status).toBe(200);
    const { signature, ...body } = r.body;
    expect(verifyMessage(signature.publicKey, canonicalJson(body), signature.value)).toBe(true);
    expect(
      verifyMessage(signature.publicKey, canonicalJson({ ...body, issuedAt: 'x' }), signature.value),
    ).toBe(false);
    const v = body.validations[0];
    expect(v.pooled.auc).toBe(0.7283);
    expect(v.pooled.calibrationSlopeCi95[0]).toBeCloseTo(0.8735 - 1.959963984540054 * 0.08, 12);
    expect(v.excluded).toEqual({ missingValues: 7, centresWithFewerMissingThanMinimum: 1 });
    // the subgroup table is part of the signed body
    expect(v.subgroups.levels.map((l: { level: string; auc: number }) => [l.level, l.auc])).toEqual([
      ['F', 0.7111],
      ['M', 0.7402],
    ]);
    const topics = (body.checklist as { topic: string; status: string; text: string }[]).map((c) => [
      c.topic,
      c.status,
    ]);
    expect(topics).toContainEqual(['Sample size', 'filled by fedhub']);
    expect(topics).toContainEqual(['Missing data', 'filled by fedhub']);
    expect(topics).toContainEqual(['Fairness and subgroups', 'filled by fedhub']);
    expect(topics).toContainEqual(['Ethics, funding, conflicts, registration, protocol', 'for the authors']);
    expect(body.checklist.find((c: { topic: string }) => c.topic === 'Sample size').text).toContain(
      '1061 records, 400 events, 3 centres',
    );

    const html = await hub.app.inject({
      method: 'GET',
      url: `${url}/report.html`,
      headers: { authorization: `Bearer ${world.researcherA.token}` },
    });
    expect(html.statusCode).toBe(200);
    expect(html.body).toContain('Validation report: tox-net@1.0.0');
    expect(html.body).toContain('suppressed');
    expect(html.body).toContain('Subgroups by <code>sex</code>');
    expect(html.body).toContain('<td>M</td><td>561</td><td>220</td><td>0.740</td>');
    expect(html.body).not.toContain('<script');
    const actions = (await hub.handle.db.selectFrom('audit_events').select('action').execute()).map(
      (a) => a.action,
    );
    expect(actions).toContain('model.onnx-validated');
    expect(actions.filter((a) => a === 'model.onnx-report-issued')).toHaveLength(2);
  });

  it('attaches an imaging validation: the report gives cases excluded and why, under the policy', async () => {
    const sha = createHash('sha256').update(model).digest('hex');
    const id = crypto.randomUUID();
    const now = new Date(hub.clock.now()).toISOString();
    await hub.handle.db
      .insertInto('tasks')
      .values({
        id,
        study_id: world.studyA.id,
        collaboration_id: world.collabA.id,
        algorithm: 'validate-imaging',
        version: '1.0.0',
        digest: 'd'.repeat(64),
        params: JSON.stringify({
          model: { onnx: `sha256:${sha}`, registered: 'tox-net@1.0.0' },
          selection: { modality: 'CT', seriesDescription: 'thorax*' },
          cohort: { dataset: 'cohort', patient: 'patient' },
          structure: 'Rectum',
        }),
        node_ids: JSON.stringify([world.nodeA.id]),
        status: 'completed',
        round: 1,
        first_round: 1,
        aggregator_state: null,
        result: JSON.stringify({
          algorithm: 'validate-imaging',
          task: 'segmentation',
          structure: 'Rectum',
          nodes: ['Node A', 'Node B', 'Node C'],
          cases: {
            processed: 57,
            excluded: [
              { reason: 'missing-structure', count: null },
              { reason: 'no-series', count: 6 },
            ],
          },
          segmentation: {
            dice: { n: 57, mean: 0.81, median: 0.83, q1: 0.76, q3: 0.99962 },
            hd95: { n: 57, mean: 4.2, median: 3.9, q1: 2.5, q3: 5.5 },
            emptyPredictions: 0,
          },
        }),
        error: null,
        revision: 1,
        created_by: world.researcherA.id,
        created_at: now,
        finished_at: now,
      })
      .execute();
    const url = '/api/onnx-models/tox-net/versions/1.0.0';
    const attach = await hub.call('POST', `${url}/validations`, {
      token: world.researcherA.token,
      body: { taskId: id },
    });
    expect(attach.status).toBe(201);
    const r = await hub.call('GET', `${url}/report`, { token: world.researcherA.token });
    const v = r.body.validations.find((x: { taskId: string }) => x.taskId === id);
    expect(v.kind).toBe('imaging');
    expect(v.cases).toEqual({
      processed: 57,
      excluded: [
        { reason: 'missing-structure', count: null },
        { reason: 'no-series', count: 6 },
      ],
    });
    expect(v.pooled.dice.median).toBe(0.83);
    const flow = r.body.checklist.find(
      (c: { topic: string }) => c.topic === 'Data: flow of cases, exclusions',
    );
    expect(flow.status).toBe('filled by fedhub');
    expect(flow.text).toContain('57 cases processed; excluded: missing-structure: not released');
    expect(flow.text).toContain('no-series: 6');
    const html = await hub.app.inject({
      method: 'GET',
      url: `${url}/report.html`,
      headers: { authorization: `Bearer ${world.researcherA.token}` },
    });
    expect(html.body).toContain('<h3>Cases excluded and why</h3>');
    expect(html.body).toContain('<tr><td>no-series</td><td>6</td></tr>');
    // a quartile of 0.99962 is not shown as 1.000; HD95 in mm with one decimal
    expect(html.body).toContain(
      '<tr><td>Dice</td><td>57</td><td>0.810</td><td>0.830</td><td>0.760 to 0.9996</td></tr>',
    );
    expect(html.body).toContain(
      '<tr><td>HD95 (mm)</td><td>57</td><td>4.2</td><td>3.9</td><td>2.5 to 5.5</td></tr>',
    );
  });
});
