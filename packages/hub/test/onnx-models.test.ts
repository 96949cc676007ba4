/**
 * The ONNX model registry routes (SQLite): registration checks the file and the card, stores the digest and
 * signature, audits, refuses a second file under a registered version, and serves the file by digest only
 * to nodes of the model's collaboration.
 */
import { createHash } from 'node:crypto';
import { buildOnnxModel, logisticRegressionModel } from '@fedhub/inference/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqliteBackend, startTestHub } from './harness.js';
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
