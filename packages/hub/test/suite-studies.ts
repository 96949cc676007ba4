import type { RunAssignment } from '@fedhub/protocol';
import { scriptedNode } from '@fedhub/testkit/hub-harness';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SuiteState } from './suite-state.js';

/**
 * Studies as the unit of permission: governance fields stored and returned, updates audited with their
 * widenings, stop, and each refusal at task submission. The hub clock starts at 2026-06-01.
 */
export function studyTests(s: SuiteState): void {
  describe('studies as the unit of permission', () => {
    let collabId: string;
    let nodes: Awaited<ReturnType<typeof scriptedNode>>[];
    const base = () => ({
      collaborationId: collabId,
      title: 'Toxicity after radiotherapy',
      purpose: 'Dose-toxicity relation across centres',
      legalBasis: ['art6-1e-public-interest', 'art9-2j-research'],
      legalBasisNote: 'National health research act, section 7',
      ethicsApprovalRef: 'METC 2026-041',
      dpiaRef: 'DPIA-RT-2026-03',
      dataCategories: ['health data: diagnosis, treatment, outcome'],
      dataSubjectCategories: ['patients treated with radiotherapy'],
      variables: [{ dataset: 'cohort', columns: ['age', 'dose_gy', 'toxicity'] }],
      algorithms: [{ name: 'summary' }],
      minNodes: 2,
      startsAt: '2026-01-01',
      endsAt: '2027-12-31',
      controller: { name: 'Hospital A', contact: 'privacy@hospital-a.example' },
      dpo: { name: 'DPO Hospital A', contact: 'dpo@hospital-a.example' },
      recipients: ['researchers of the collaboration'],
      retention: 'Results kept 15 years after the end of the study',
    });
    // titles are unique per collaboration: each study of this suite gets its own
    let made = 0;
    const create = async (over: Record<string, unknown> = {}) => {
      made += 1;
      const title = made === 1 ? base().title : `${base().title} (${made})`;
      const r = await s.hub.call('POST', '/api/studies', {
        token: s.w.researcherA.token,
        body: { ...base(), title, ...over },
      });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      return r.body as { id: string } & Record<string, unknown>;
    };
    const submit = (studyId: string, algorithm: string, params: unknown) =>
      s.hub.call('POST', '/api/tasks', {
        token: s.w.researcherA.token,
        body: { studyId, algorithm, params },
      });
    const SUMMARY = { dataset: 'cohort', columns: ['age', 'dose_gy'] };

    beforeAll(async () => {
      const collab = await s.hub.call('POST', '/api/collaborations', {
        token: s.w.admin.token,
        body: { name: 'Governed', organisationIds: [s.w.orgA.id] },
      });
      collabId = collab.body.id;
      nodes = [
        await scriptedNode(s.hub, s.w.admin.token, collabId, s.w.orgA.id, 'G1'),
        await scriptedNode(s.hub, s.w.admin.token, collabId, s.w.orgA.id, 'G2'),
      ];
    });

    it('stores and returns every governance field; old-style requests get the defaults', async () => {
      const st = await create();
      const got = await s.hub.call('GET', `/api/studies/${st.id}`, { token: s.w.researcherA.token });
      expect(got.body).toMatchObject({
        ...base(),
        nodeIds: nodes.map((n) => n.id),
        status: 'active',
        stoppedAt: null,
        releasePerNodeBreakdown: false,
      });
      const plain = await s.hub.call('POST', '/api/studies', {
        token: s.w.researcherA.token,
        body: { collaborationId: collabId, title: 'Plain', purpose: 'defaults' },
      });
      expect(plain.body).toMatchObject({
        legalBasis: [],
        variables: null,
        algorithms: null,
        minNodes: 3,
        startsAt: null,
        endsAt: null,
        releasePerNodeBreakdown: false,
        status: 'active',
      });
    });

    it('refuses a second study with the same title in the collaboration, on create and on rename', async () => {
      const first = await create({ title: 'Dose and toxicity, cohort 2' });
      for (const title of ['Dose and toxicity, cohort 2', '  dose AND toxicity,  cohort 2 ']) {
        const r = await s.hub.call('POST', '/api/studies', {
          token: s.w.researcherA.token,
          body: { ...base(), title },
        });
        expect(r.status).toBe(409);
        expect(r.body).toMatchObject({ code: 'FH_ERR_ALREADY_EXISTS', details: { studyId: first.id } });
      }
      const other = await create({ title: 'Another question' });
      const rename = await s.hub.call('PATCH', `/api/studies/${other.id}`, {
        token: s.w.researcherA.token,
        body: { title: 'Dose and toxicity, cohort 2' },
      });
      expect(rename.status).toBe(409);
      expect(rename.body.code).toBe('FH_ERR_ALREADY_EXISTS');
      // keeping its own title is no conflict
      const same = await s.hub.call('PATCH', `/api/studies/${first.id}`, {
        token: s.w.researcherA.token,
        body: { title: 'Dose and toxicity, cohort 2', purpose: 'a sharper question' },
      });
      expect(same.status).toBe(200);
    });

    it('refuses a malformed study: unknown algorithm, end before start, unknown legal basis', async () => {
      const bad = async (over: Record<string, unknown>, status: number, code: string) => {
        const r = await s.hub.call('POST', '/api/studies', {
          token: s.w.researcherA.token,
          body: { ...base(), ...over },
        });
        expect(r.status, JSON.stringify(r.body)).toBe(status);
        expect(r.body.code).toBe(code);
        return r.body;
      };
      expect(
        (await bad({ algorithms: [{ name: 'sumary' }] }, 422, 'FH_ERR_UNKNOWN_ALGORITHM')).message,
      ).toMatch(/sumary/);
      // a version the hub does not have would allow nothing
      await bad({ algorithms: [{ name: 'summary', version: '0.9.0' }] }, 422, 'FH_ERR_UNKNOWN_ALGORITHM');
      await bad({ startsAt: '2027-01-01', endsAt: '2026-01-01' }, 400, 'FH_ERR_VALIDATION');
      await bad({ legalBasis: ['art6-1g'] }, 400, 'FH_ERR_VALIDATION');
      await bad({ minNodes: 0 }, 400, 'FH_ERR_VALIDATION');
    });

    it('accepts a task inside the study and sends the study descriptor with each run', async () => {
      const st = await create();
      const t = await submit(st.id, 'summary', SUMMARY);
      expect(t.status, JSON.stringify(t.body)).toBe(201);
      const run = (await nodes[0]!.claim()) as RunAssignment;
      expect(run.study).toEqual({
        id: st.id,
        title: st.title,
        status: 'active',
        nodeIds: nodes.map((n) => n.id),
        minNodes: 2,
        variables: base().variables,
        algorithms: base().algorithms,
        startsAt: '2026-01-01',
        endsAt: '2027-12-31',
        releasePerNodeBreakdown: false,
        purpose: base().purpose,
        dataCategories: base().dataCategories,
      });
      expect(
        (await s.hub.call('POST', `/api/tasks/${t.body.id}/cancel`, { token: s.w.researcherA.token })).status,
      ).toBe(200);
    });

    it('refuses at submission what is outside the study, naming it', async () => {
      const st = await create();
      const refused = async (p: ReturnType<typeof submit>, code: string, text: RegExp) => {
        const r = await p;
        expect(r.status, JSON.stringify(r.body)).toBe(code === 'FH_ERR_STUDY_STOPPED' ? 409 : 422);
        expect(r.body.code).toBe(code);
        expect(r.body.message).toMatch(text);
      };
      await refused(
        submit(st.id, 'summary', { dataset: 'cohort', columns: ['age', 'bmi'] }),
        'FH_ERR_OUTSIDE_STUDY',
        /column "bmi" of dataset "cohort"/,
      );
      await refused(
        submit(st.id, 'summary', { ...SUMMARY, filter: { column: 'stage', op: 'eq', value: 'T1' } }),
        'FH_ERR_OUTSIDE_STUDY',
        /"stage"/,
      );
      await refused(
        submit(st.id, 'summary', { dataset: 'doses', columns: ['age'] }),
        'FH_ERR_OUTSIDE_STUDY',
        /dataset "doses"/,
      );
      await refused(
        submit(st.id, 'sum-rounds', { rounds: 1 }),
        'FH_ERR_OUTSIDE_STUDY',
        /algorithm sum-rounds/,
      );
      await refused(
        submit((await create({ endsAt: '2026-05-31' })).id, 'summary', SUMMARY),
        'FH_ERR_STUDY_PERIOD',
        /ended on 2026-05-31/,
      );
      await refused(
        submit((await create({ startsAt: '2026-06-02' })).id, 'summary', SUMMARY),
        'FH_ERR_STUDY_PERIOD',
        /starts on 2026-06-02/,
      );
      await refused(
        submit((await create({ minNodes: 3 })).id, 'summary', SUMMARY),
        'FH_ERR_TOO_FEW_NODES',
        /at least 3 nodes; 2 would/,
      );
      const refusals = await s.hub.handle.db
        .selectFrom('audit_events')
        .select('details')
        .where('action', '=', 'task.refused')
        .where('object', '=', `study:${st.id}`)
        .execute();
      expect(refusals.map((r) => JSON.parse(r.details).code)).toEqual([
        'FH_ERR_OUTSIDE_STUDY',
        'FH_ERR_OUTSIDE_STUDY',
        'FH_ERR_OUTSIDE_STUDY',
        'FH_ERR_OUTSIDE_STUDY',
      ]);
    });

    it('releases per-node parts of a result only when the study allows it', async () => {
      for (const allowed of [false, true]) {
        const st = await create({ releasePerNodeBreakdown: allowed });
        const t = await submit(st.id, 'summary', { dataset: 'cohort', columns: ['age'] });
        for (const [i, n] of nodes.entries()) {
          const run = (await n.claim()) as RunAssignment;
          const part = { columns: [{ column: 'age', n: 10 + i, missing: 0, mean: 50 + i, m2: 90 }] };
          expect((await n.post(run, n.result(run, part))).status).toBe(200);
        }
        const done = await s.hub.call('GET', `/api/tasks/${t.body.id}`, { token: s.w.researcherA.token });
        expect(done.body.status).toBe('completed');
        const col = done.body.result.columns[0];
        expect(col.n).toBe(21);
        if (allowed)
          expect(col.perNode).toEqual([
            { node: 'G1', n: 10 },
            { node: 'G2', n: 11 },
          ]);
        else expect(col).not.toHaveProperty('perNode');
      }
    });

    it('audits each update, naming the changes that widen the permission; stop is final', async () => {
      const st = await create();
      const patch = (body: unknown) =>
        s.hub.call('PATCH', `/api/studies/${st.id}`, { token: s.w.researcherA.token, body });
      const lastAudit = async () => {
        const row = await s.hub.handle.db
          .selectFrom('audit_events')
          .select(['action', 'details'])
          .where('object', '=', `study:${st.id}`)
          .orderBy('seq', 'desc')
          .executeTakeFirstOrThrow();
        return { action: row.action, details: JSON.parse(row.details) };
      };
      const wide = await patch({
        variables: [{ dataset: 'cohort', columns: ['age', 'dose_gy', 'toxicity', 'bmi'] }],
        releasePerNodeBreakdown: true,
      });
      expect(wide.status, JSON.stringify(wide.body)).toBe(200);
      expect(wide.body.variables[0].columns).toContain('bmi');
      expect(await lastAudit()).toMatchObject({
        action: 'study.updated',
        details: {
          changed: ['variables', 'releasePerNodeBreakdown'],
          widensPermission: true,
          widened: [
            { field: 'variables', detail: 'added cohort: bmi' },
            { field: 'releasePerNodeBreakdown', detail: 'per-node breakdowns may now be released' },
          ],
        },
      });
      expect((await submit(st.id, 'summary', { dataset: 'cohort', columns: ['bmi'] })).status).toBe(201);
      // allowing subgroup analyses widens the permission (the nodes ask their administrators again)
      expect((await patch({ releaseSubgroupAnalyses: true })).body.releaseSubgroupAnalyses).toBe(true);
      expect(await lastAudit()).toMatchObject({
        details: {
          changed: ['releaseSubgroupAnalyses'],
          widened: [{ field: 'releaseSubgroupAnalyses', detail: 'subgroup analyses may now be released' }],
        },
      });
      await nodes[0]!.claim();
      await nodes[1]!.claim();

      const narrow = await patch({ minNodes: 2, endsAt: '2026-12-31', dpiaRef: 'DPIA-RT-2026-04' });
      expect(narrow.status).toBe(200);
      expect(await lastAudit()).toMatchObject({
        action: 'study.updated',
        details: {
          changed: ['dpiaRef', 'endsAt'],
          widensPermission: false,
          before: { endsAt: '2027-12-31' },
          after: { endsAt: '2026-12-31' },
        },
      });
      const dropped = await patch({ algorithms: null });
      expect((await lastAudit()).details.widened).toEqual([
        { field: 'algorithms', detail: 'every algorithm (restriction removed)' },
      ]);
      expect(dropped.body.algorithms).toBeNull();

      const forbidden = await s.hub.call('POST', `/api/studies/${st.id}/stop`, {
        token: s.w.auditorA.token,
        body: { reason: 'not mine to stop' },
      });
      expect(forbidden.status).toBe(403);
      const stopped = await s.hub.call('POST', `/api/studies/${st.id}/stop`, {
        token: s.w.researcherA.token,
        body: { reason: 'ethics approval withdrawn' },
      });
      expect(stopped.body).toMatchObject({ status: 'stopped', stoppedAt: expect.any(String) });
      expect(await lastAudit()).toEqual({
        action: 'study.stopped',
        details: { reason: 'ethics approval withdrawn' },
      });
      const after = await submit(st.id, 'summary', SUMMARY);
      expect(after.status).toBe(409);
      expect(after.body.code).toBe('FH_ERR_STUDY_STOPPED');
      const again = await patch({ title: 'Revived' });
      expect(again.status).toBe(409);
      expect(again.body.code).toBe('FH_ERR_STUDY_STOPPED');
      expect(
        (
          await s.hub.call('POST', `/api/studies/${st.id}/stop`, {
            token: s.w.researcherA.token,
            body: { reason: 'twice' },
          })
        ).status,
      ).toBe(409);
    });
  });
}
