/**
 * The model registry routes, written once and run on each backend: registration of a completed glm task
 * (a real federated fit on three DuckDB-backed nodes) with its provenance, versioning, visibility, refusal
 * of tasks that are not completed glm/coxph fits, validation with the frozen coefficients (the validate or
 * validate-survival task's result computed by a real local federation), the model card as JSON and as
 * well-formed HTML.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getAlgorithm } from '@fedhub/algorithms';
import { generateNodeKeys, sha256Hex } from '@fedhub/crypto';
import { DatasetStore, type LocalNode, runLocalFederation } from '@fedhub/node';
import { canonicalJson, DisclosurePolicySchema, type Json } from '@fedhub/protocol';
import { COHORT_DICTIONARY, DEMO_CENTRES, generateCohort, toCsv } from '@fedhub/testkit';
import { type Backend, startTestHub, type TestHub } from '@fedhub/testkit/hub-harness';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHub, loadHubConfig } from '../src/index.js';
import { seedWorld, type World } from './world.js';

// biome-ignore lint/suspicious/noExplicitAny: response bodies are checked field by field in the tests
type AnyBody = any;

const FORMULA = 'toxicity ~ dose_gy + age + sex';

/** Checks that every non-void element is closed in order (the HTML the card renderer writes is XHTML-like). */
export function assertBalancedHtml(html: string): void {
  const VOID = new Set(['meta', 'br', 'hr', 'img', 'input', 'link']);
  const stack: string[] = [];
  const body = html.replace(/^<!DOCTYPE html>/i, '');
  for (const m of body.matchAll(/<(\/?)([a-zA-Z][a-zA-Z0-9]*)\b[^>]*?(\/?)>/g)) {
    const [, closing, tag, selfClosing] = m;
    const name = tag!.toLowerCase();
    if (VOID.has(name) || selfClosing) continue;
    if (closing) {
      const open = stack.pop();
      if (open !== name) throw new Error(`</${name}> closes <${open}> at offset ${m.index}`);
    } else stack.push(name);
  }
  if (stack.length > 0) throw new Error(`unclosed elements: ${stack.join(', ')}`);
  // no raw < or > outside tags: user text is escaped
  if (/<(?![a-zA-Z/!])/.test(body)) throw new Error('a raw "<" outside a tag');
}

export function modelRegistryTests(backend: Backend): void {
  describe(`model registry on ${backend.name}`, () => {
    let hub: TestHub & { dispose(): Promise<void> };
    let app: FastifyInstance;
    let w: World;
    let studyId: string;
    let glmResult: Json;
    const work = mkdtempSync(join(tmpdir(), 'fedhub-models-'));
    const nodes: LocalNode[] = [];
    const call = async (
      method: 'GET' | 'POST' | 'PUT' | 'DELETE',
      url: string,
      token: string,
      body?: unknown,
    ): Promise<{ status: number; body: AnyBody; text: string; type: string }> => {
      const res = await app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${token}` },
        ...(body !== undefined ? { payload: body as never } : {}),
      });
      const type = String(res.headers['content-type'] ?? '');
      return {
        status: res.statusCode,
        body: type.includes('json') ? JSON.parse(res.body) : null,
        text: res.body,
        type,
      };
    };

    async function insertTask(algorithm: string, status: string, params: Json, result: Json | null) {
      const a = getAlgorithm(algorithm)!;
      const id = crypto.randomUUID();
      await hub.handle.db
        .insertInto('tasks')
        .values({
          id,
          study_id: studyId,
          collaboration_id: w.collabA.id,
          algorithm: a.name,
          version: a.version,
          digest: a.digest,
          params: JSON.stringify(params),
          node_ids: JSON.stringify([w.nodeA.id]),
          status,
          round: 1,
          aggregator_state: null,
          result: result === null ? null : JSON.stringify(result),
          error: null,
          revision: 1,
          created_by: w.researcherA.id,
          created_at: new Date(hub.clock.now()).toISOString(),
          finished_at: status === 'completed' ? new Date(hub.clock.now()).toISOString() : null,
        } as never)
        .execute();
      return id;
    }

    async function complete(taskId: string, result: Json) {
      await hub.handle.db
        .updateTable('tasks')
        .set({
          status: 'completed',
          result: JSON.stringify(result),
          finished_at: new Date(hub.clock.now()).toISOString(),
        })
        .where('id', '=', taskId)
        .execute();
    }

    beforeAll(async () => {
      hub = await startTestHub(backend, { accessTokenTtlSec: 86_400 });
      w = await seedWorld(hub);
      // a second app over the same database offering the built-in algorithms (glm, validate)
      app = buildHub({ config: loadHubConfig({}, { logLevel: 'silent' }), db: hub.handle, clock: hub.clock });
      await app.ready();
      const study = await call('POST', '/api/studies', w.researcherA.token, {
        collaborationId: w.collabA.id,
        title: 'Toxicity model',
        purpose: 'fit and validate a toxicity risk model',
        nodeIds: [w.nodeA.id],
        minNodes: 1,
      });
      expect(study.status, JSON.stringify(study.body)).toBe(201);
      studyId = study.body.id;
      const hb = await w.nodeA.call('POST', '/api/node/heartbeat', {
        version: 'test',
        clock: new Date(hub.clock.now()).toISOString(),
        datasets: [{ name: 'cohort', columns: COHORT_DICTIONARY }],
      });
      expect(hb.status, JSON.stringify(hb.body)).toBe(200);
      const policy = DisclosurePolicySchema.parse({});
      for (const [i, centre] of DEMO_CENTRES.slice(0, 3).entries()) {
        const file = join(work, `c${i}.csv`);
        writeFileSync(file, toCsv(generateCohort(centre, 400, 21 + i)));
        const datasets = await DatasetStore.open([
          { name: 'cohort', file, format: 'csv', columns: COHORT_DICTIONARY, onInvalid: 'reject' },
        ]);
        nodes.push({ id: `n${i}`, name: centre.name, datasets, keys: generateNodeKeys(), policy });
      }
      glmResult = (
        await runLocalFederation('glm', { dataset: 'cohort', formula: FORMULA, family: 'binomial' }, nodes)
      ).result;
    });
    afterAll(async () => {
      for (const n of nodes) n.datasets.close();
      await app?.close();
      await hub?.dispose();
      rmSync(work, { recursive: true, force: true });
    });

    it('refuses to register a task that is not a glm or coxph fit, or not completed', async () => {
      const ping = await call('POST', '/api/models', w.researcherA.token, {
        name: 'toxicity',
        taskId: w.taskA.id,
        intendedUse: 'none',
      });
      expect(ping.status).toBe(400);
      expect(ping.body.code).toBe('FH_ERR_VALIDATION');
      expect(ping.body.message).toContain('ran ping');
      const running = await insertTask(
        'glm',
        'running',
        { dataset: 'cohort', formula: FORMULA, family: 'binomial' },
        null,
      );
      const r = await call('POST', '/api/models', w.researcherA.token, {
        name: 'toxicity',
        taskId: running,
        intendedUse: 'none',
      });
      expect(r.status).toBe(409);
      expect(r.body.code).toBe('FH_ERR_CONFLICT');
      expect(r.body.message).toContain('is running');
      // a researcher of another collaboration cannot see the task at all
      const foreign = await call('POST', '/api/models', w.researcherB.token, {
        name: 'toxicity',
        taskId: running,
        intendedUse: 'none',
      });
      expect(foreign.status).toBe(404);
    });

    it('registers a completed glm task with its provenance, versioned and immutable', async () => {
      const taskId = await insertTask(
        'glm',
        'completed',
        { dataset: 'cohort', formula: FORMULA, family: 'binomial' },
        glmResult,
      );
      const r = await call('POST', '/api/models', w.researcherA.token, {
        name: 'toxicity',
        taskId,
        intendedUse: 'Risk of grade >= 2 toxicity <before> radiotherapy',
        limitations: ['Synthetic training data'],
      });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      const mv = r.body;
      const fit = glmResult as {
        coefficients: Array<{ term: string; estimate: number; stdError: number }>;
        covariance: number[];
        n: number;
      };
      expect(mv).toMatchObject({
        name: 'toxicity',
        version: 1,
        kind: 'glm',
        studyId,
        taskId,
        collaborationId: w.collabA.id,
        formula: FORMULA,
        family: 'binomial',
        link: 'logit',
        dataset: 'cohort',
        algorithm: {
          name: 'glm',
          version: getAlgorithm('glm')!.version,
          digest: getAlgorithm('glm')!.digest,
        },
        validations: [],
      });
      expect(mv.coefficients.map((c: { term: string }) => c.term)).toEqual([
        '(Intercept)',
        'dose_gy',
        'age',
        'sexM',
      ]);
      expect(mv.coefficients).toEqual(
        fit.coefficients.map((c) => ({ term: c.term, estimate: c.estimate, stdError: c.stdError })),
      );
      expect(mv.covariance).toHaveLength(16);
      expect(mv.training.n).toBe(1200);
      expect(mv.nodes).toEqual([
        {
          id: w.nodeA.id,
          name: 'Node A',
          dictionaryHash: sha256Hex(canonicalJson({ name: 'cohort', columns: COHORT_DICTIONARY } as never)),
        },
      ]);
      const again = await call('POST', '/api/models', w.researcherA.token, {
        name: 'toxicity',
        taskId,
        intendedUse: 'second version',
      });
      expect(again.body.version).toBe(2);
      const versions = await call('GET', '/api/models/toxicity', w.researcherA.token);
      expect(versions.body.map((v: { version: number }) => v.version)).toEqual([1, 2]);
      expect(
        (await call('GET', '/api/models/toxicity/versions/1', w.researcherA.token)).body.intendedUse,
      ).toContain('<before>');
      // other collaborations see nothing; nothing modifies a version
      expect((await call('GET', '/api/models/toxicity/versions/1', w.researcherB.token)).status).toBe(404);
      expect((await call('GET', '/api/models', w.researcherB.token)).body).toEqual([]);
      expect(
        (await call('PUT', '/api/models/toxicity/versions/1', w.researcherA.token, { intendedUse: 'x' }))
          .status,
      ).toBe(404);
      expect((await call('DELETE', '/api/models/toxicity/versions/1', w.researcherA.token)).status).toBe(404);
      const audit = await call('GET', '/api/audit?action=model.registered', w.admin.token);
      expect(audit.status).toBe(200);
      expect(JSON.stringify(audit.body)).toContain(taskId);
    });

    it('keeps model names per collaboration: another collaboration registers the same name, unaware of the first', async () => {
      // a completed glm task of collaboration B
      const a = getAlgorithm('glm')!;
      const taskB = crypto.randomUUID();
      const now = new Date(hub.clock.now()).toISOString();
      await hub.handle.db
        .insertInto('tasks')
        .values({
          id: taskB,
          study_id: w.studyB.id,
          collaboration_id: w.collabB.id,
          algorithm: a.name,
          version: a.version,
          digest: a.digest,
          params: JSON.stringify({ dataset: 'cohort', formula: FORMULA, family: 'binomial' }),
          node_ids: JSON.stringify([w.nodeB.id]),
          status: 'completed',
          round: 1,
          aggregator_state: null,
          result: JSON.stringify(glmResult),
          error: null,
          revision: 1,
          created_by: w.researcherB.id,
          created_at: now,
          finished_at: now,
        } as never)
        .execute();
      // collaboration A's "toxicity" exists (registered above): B is told nothing of it
      const r = await call('POST', '/api/models', w.researcherB.token, {
        name: 'toxicity',
        taskId: taskB,
        intendedUse: 'B’s own toxicity model',
      });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      expect(r.body).toMatchObject({ name: 'toxicity', version: 1, collaborationId: w.collabB.id });
      const seenByA = await call('GET', '/api/models/toxicity/versions/1', w.researcherA.token);
      const seenByB = await call('GET', '/api/models/toxicity/versions/1', w.researcherB.token);
      expect(seenByA.body.collaborationId).toBe(w.collabA.id);
      expect(seenByB.body.collaborationId).toBe(w.collabB.id);
      const listB = await call('GET', '/api/models?name=toxicity', w.researcherB.token);
      expect(JSON.stringify(listB.body)).not.toContain(w.collabA.id);
    });

    it('a coxph fit stratified by centre (adjustForCentre) is validated within centres; strata are refused', async () => {
      const params = {
        dataset: 'cohort',
        formula: 'Surv(months, dead) ~ age + sex',
        ties: 'efron',
        timeResolution: 3,
        adjustForCentre: true,
      };
      const fit = (await runLocalFederation('coxph', params, nodes)).result as {
        coefficients: Array<{ term: string; estimate: number }>;
        adjustForCentre?: boolean;
      };
      expect(fit.adjustForCentre).toBe(true);
      const taskId = await insertTask('coxph', 'completed', params, fit as unknown as Json);
      const r = await call('POST', '/api/models', w.researcherA.token, {
        name: 'survival-by-centre',
        taskId,
        intendedUse: 'Overall survival after radiotherapy, baseline per centre',
      });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      expect(r.body.training.adjustForCentre).toBe(true);
      const submitted = await call(
        'POST',
        '/api/models/survival-by-centre/versions/1/validate',
        w.researcherA.token,
        { studyId, dataset: 'cohort' },
      );
      expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);
      expect(submitted.body.params).toMatchObject({ adjustForCentre: true, timeResolution: 3 });
      // the centres run it: pairs compared within each centre only
      const report = (await runLocalFederation('validate-survival', submitted.body.params, nodes)).result as {
        adjustForCentre?: boolean;
        pooled: { concordance: number };
      };
      expect(report.adjustForCentre).toBe(true);
      expect(report.pooled.concordance).toBeGreaterThan(0.5);
      const strata = await call(
        'POST',
        '/api/models/survival-by-centre/versions/1/validate',
        w.researcherA.token,
        { studyId, dataset: 'cohort', strata: 'sex' },
      );
      expect(strata.status).toBe(400);
      expect(strata.body.code).toBe('FH_ERR_VALIDATION');
      expect(strata.body.message).toContain('adjustForCentre');
      // a version registered from a coxph result that did not say it (before coxph 1.4.0): the fit's
      // parameters do
      const { adjustForCentre: _said, ...older } = fit;
      const olderTask = await insertTask('coxph', 'completed', params, older as unknown as Json);
      const v2 = await call('POST', '/api/models', w.researcherA.token, {
        name: 'survival-by-centre',
        taskId: olderTask,
        intendedUse: 'Overall survival after radiotherapy, baseline per centre',
      });
      expect(v2.status, JSON.stringify(v2.body)).toBe(201);
      expect(v2.body.training.adjustForCentre).toBeUndefined();
      const again = await call(
        'POST',
        `/api/models/survival-by-centre/versions/${v2.body.version}/validate`,
        w.researcherA.token,
        { studyId, dataset: 'cohort' },
      );
      expect(again.status, JSON.stringify(again.body)).toBe(201);
      expect(again.body.params).toMatchObject({ adjustForCentre: true });
    });

    it('registers a coxph fit with its ties and concordance; validation submits validate-survival and the card shows C per centre', async () => {
      const params = {
        dataset: 'cohort',
        formula: 'Surv(months, dead) ~ age + sex',
        ties: 'efron',
        timeResolution: 3,
      };
      const fit = (await runLocalFederation('coxph', params, nodes)).result as {
        coefficients: Array<{ term: string; estimate: number }>;
        concordance: { value: number };
      };
      const taskId = await insertTask('coxph', 'completed', params, fit as unknown as Json);
      const r = await call('POST', '/api/models', w.researcherA.token, {
        name: 'survival',
        taskId,
        intendedUse: 'Overall survival after radiotherapy',
      });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      expect(r.body).toMatchObject({ kind: 'coxph', ties: 'efron', family: null, version: 1 });
      expect(r.body.coefficients.map((c: { term: string }) => c.term)).toEqual(
        fit.coefficients.map((c) => c.term),
      );
      expect(r.body.training.concordance).toBe(fit.concordance.value);

      const submitted = await call('POST', '/api/models/survival/versions/1/validate', w.researcherA.token, {
        studyId,
        dataset: 'cohort',
      });
      expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);
      const task = submitted.body;
      expect(task.algorithm).toBe('validate-survival');
      // the whole formula (Surv() names time and event), the frozen coefficients, training's coarsening
      expect(task.params).toEqual({
        dataset: 'cohort',
        model: {
          formula: 'Surv(months, dead) ~ age + sex',
          coefficients: Object.fromEntries(fit.coefficients.map((c) => [c.term, c.estimate])),
        },
        timeResolution: 3,
      });
      // the validating centres run it: a real local federation over their data
      const report = (await runLocalFederation('validate-survival', task.params, nodes)).result as {
        pooled: { concordance: number; ciLower: number; ciUpper: number; n: number };
        perCentre: Array<{ centre: string; concordance: number }>;
      };
      // on the training rows with training's coarsening, the frozen model's C is the fit's own C
      // (coxph bins its linear predictor at 200 levels, validate-survival at 0.01)
      expect(Math.abs(report.pooled.concordance - fit.concordance.value)).toBeLessThan(5e-3);
      await complete(task.id, report as unknown as Json);
      const attached = await call(
        'POST',
        '/api/models/survival/versions/1/validations',
        w.researcherA.token,
        { taskId: task.id },
      );
      expect(attached.status, JSON.stringify(attached.body)).toBe(201);
      expect(attached.body.validations[0].report.pooled.concordance).toBe(report.pooled.concordance);
      // a binary validate task is not a validation of a survival model
      const binary = await insertTask(
        'validate',
        'completed',
        { dataset: 'cohort', outcome: 'dead', model: task.params.model },
        report as unknown as Json,
      );
      const wrong = await call('POST', '/api/models/survival/versions/1/validations', w.researcherA.token, {
        taskId: binary,
      });
      expect(wrong.status).toBe(400);
      expect(wrong.body.message).toContain('not validate-survival');

      const card = await call('GET', '/api/models/survival/versions/1/card', w.researcherA.token);
      expect(card.status).toBe(200);
      expect(card.body.performance.map((p: { centre: string }) => p.centre)).toEqual([
        ...report.perCentre.map((c) => c.centre),
        'pooled',
      ]);
      expect(card.body.performance.map((p: { concordance: number }) => p.concordance)).toEqual([
        ...report.perCentre.map((c) => c.concordance),
        report.pooled.concordance,
      ]);
      expect(card.body.performance.at(-1)).toMatchObject({
        n: report.pooled.n,
        auc: null,
        concordanceCiLower: report.pooled.ciLower,
        concordanceCiUpper: report.pooled.ciUpper,
      });
      expect(card.body.calibration).toEqual([]);
      const html = await call('GET', '/api/models/survival/versions/1/card.html', w.researcherA.token);
      assertBalancedHtml(html.text);
      expect(html.text).toContain("Harrell's C (95% CI)");
      expect(html.text).toContain(report.pooled.concordance.toFixed(3));
      expect(html.text).not.toContain('AUC (95% CI)');
      const audit = await call('GET', '/api/audit?action=model.validated', w.admin.token);
      expect(JSON.stringify(audit.body)).toContain(task.id);

      // a binomial glm still needs its outcome column
      const noOutcome = await call('POST', '/api/models/toxicity/versions/1/validate', w.researcherA.token, {
        studyId,
        dataset: 'cohort',
      });
      expect(noOutcome.status).toBe(400);
      expect(noOutcome.body.message).toContain('give the observed binary outcome column');
    });

    it('validates version 1 with its frozen coefficients and attaches the report; the card shows it', async () => {
      const submitted = await call('POST', '/api/models/toxicity/versions/1/validate', w.researcherA.token, {
        studyId,
        dataset: 'cohort',
        outcome: 'toxicity',
      });
      expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);
      const task = submitted.body;
      expect(task.algorithm).toBe('validate');
      const fit = glmResult as { coefficients: Array<{ term: string; estimate: number }> };
      expect(task.params.model).toEqual({
        formula: '~ dose_gy + age + sex',
        coefficients: Object.fromEntries(fit.coefficients.map((c) => [c.term, c.estimate])),
      });
      const early = await call('POST', '/api/models/toxicity/versions/1/validations', w.researcherA.token, {
        taskId: task.id,
      });
      expect(early.status).toBe(409);
      // the validating centres run the task: a real local federation over their data
      // the nodes' score histograms at 0.001 have bins under the default minimum cell count (the node's
      // release gate refuses them); this suite is about the registry, so the nodes allow cells of one here
      const lenient = nodes.map((n) => ({ ...n, policy: { ...n.policy, minCellCount: 1 } }));
      const report = (await runLocalFederation('validate', task.params, lenient)).result;
      await complete(task.id, report);
      const attached = await call(
        'POST',
        '/api/models/toxicity/versions/1/validations',
        w.researcherA.token,
        { taskId: task.id },
      );
      expect(attached.status, JSON.stringify(attached.body)).toBe(201);
      expect(attached.body.validations).toHaveLength(1);
      expect(attached.body.validations[0].report.pooled.auc).toBeGreaterThan(0.5);
      const twice = await call('POST', '/api/models/toxicity/versions/1/validations', w.researcherA.token, {
        taskId: task.id,
      });
      expect(twice.status).toBe(409);
      // a validate task with other coefficients is not this model's validation
      const other = await insertTask(
        'validate',
        'completed',
        {
          ...task.params,
          model: { ...task.params.model, coefficients: { ...task.params.model.coefficients, age: 0 } },
        },
        report,
      );
      const wrong = await call('POST', '/api/models/toxicity/versions/1/validations', w.researcherA.token, {
        taskId: other,
      });
      expect(wrong.status).toBe(400);
      expect(wrong.body.message).toContain('differ from the registered ones');

      const card = await call('GET', '/api/models/toxicity/versions/1/card', w.researcherA.token);
      expect(card.status).toBe(200);
      const pooled = (
        report as { pooled: { auc: number; brier: number; hosmerLemeshow: { pValue: number; n: number[] } } }
      ).pooled;
      expect(card.body.performance.map((p: { centre: string }) => p.centre)).toEqual([
        ...DEMO_CENTRES.slice(0, 3).map((c) => c.name),
        'pooled',
      ]);
      expect(card.body.performance.at(-1)).toMatchObject({
        auc: pooled.auc,
        brier: pooled.brier,
        hosmerLemeshowP: pooled.hosmerLemeshow.pValue,
      });
      expect(card.body.calibration[0].groups).toHaveLength(pooled.hosmerLemeshow.n.length);
      expect(card.body.provenance.algorithm.name).toBe('glm');
      expect(card.body.trainingData.n).toBe(1200);
      expect(card.body.limitations).toEqual(['Synthetic training data']);
      const v2 = await call('GET', '/api/models/toxicity/versions/2/card', w.researcherA.token);
      expect(v2.body.limitations).toEqual(['Not yet validated at any centre outside its training.']);

      const html = await call('GET', '/api/models/toxicity/versions/1/card.html', w.researcherA.token);
      expect(html.status).toBe(200);
      expect(html.type).toContain('text/html');
      assertBalancedHtml(html.text);
      expect(html.text).toContain('&lt;before&gt;');
      expect(html.text).toContain('<svg');
      expect(html.text.match(/<circle /g)?.length).toBe(pooled.hosmerLemeshow.n.filter((k) => k > 0).length);
      const audit = await call('GET', '/api/audit?action=model.validated', w.admin.token);
      expect(JSON.stringify(audit.body)).toContain(task.id);
    });
  });
}
