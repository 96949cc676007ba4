/**
 * The audit route's filters and names (issue 20: the audit page showed UUIDs, and filtering by username
 * found nothing): by username, actor, object or object kind, action or action kind; each event carries
 * its actor's and object's names, read at query time (the hashed chain keeps ids); an auditor still sees
 * only their scope.
 */

import { sqliteBackend, startTestHub, type TestHub } from '@fedhub/testkit/hub-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedWorld, type World } from './world.js';

let hub: TestHub & { dispose(): Promise<void> };
let w: World;
const audit = async (query: string, token = w.admin.token) => {
  const r = await hub.call('GET', `/api/audit?limit=1000&${query}`, { token });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body as Array<{
    actor: string;
    action: string;
    object: string | null;
    actorName: string | null;
    objectName: string | null;
    details: Record<string, unknown>;
    detailNames?: Record<string, string>;
  }>;
};

beforeAll(async () => {
  hub = await startTestHub(sqliteBackend);
  w = await seedWorld(hub);
});
afterAll(async () => {
  await hub?.dispose();
});

describe('audit filters and names', () => {
  it('names actors and objects instead of ids', async () => {
    const all = await audit('');
    const study = all.find((e) => e.action === 'study.created' && e.object === `study:${w.studyA.id}`);
    expect(study?.objectName).toBe(w.studyA.title);
    expect(study?.actorName).toBe('researcher-a');
    const org = all.find((e) => e.object === `organisation:${w.orgA.id}`);
    expect(org?.objectName).toBe('Hospital A');
    expect(org?.actorName).toBe('admin');
    const task = all.find((e) => e.action === 'task.submitted' && e.object === `task:${w.taskA.id}`);
    expect(task?.objectName).toBe(`ping in “${w.studyA.title}”`);
    // the ids in the details by name too: the task's study and nodes, the user's organisation
    expect(task?.detailNames?.[w.studyA.id]).toBe(w.studyA.title);
    const nodeIds = (task?.details.nodeIds ?? []) as string[];
    expect(nodeIds.length).toBeGreaterThan(0);
    for (const id of nodeIds) expect(task?.detailNames?.[id]).toEqual(expect.any(String));
    const user = all.find((e) => e.action === 'user.created' && e.details.organisationId === w.orgA.id);
    expect(user?.detailNames?.[w.orgA.id]).toBe('Hospital A');
  });

  it('filters by username: only what that person did; an unknown name finds nothing', async () => {
    const rita = await audit('username=researcher-a');
    expect(rita.length).toBeGreaterThan(0);
    expect(rita.every((e) => e.actor === `user:${w.researcherA.id}` && e.actorName === 'researcher-a')).toBe(
      true,
    );
    expect(await audit('username=nobody')).toEqual([]);
    expect(await audit(`username=researcher-a&actor=user:${w.admin.id}`)).toEqual([]);
    expect(await audit(`actor=user:${w.researcherA.id}`)).toEqual(rita);
  });

  it('filters by object, object kind, action and action kind', async () => {
    const studyEvents = await audit(`object=study:${w.studyA.id}`);
    expect(studyEvents.length).toBeGreaterThan(0);
    expect(studyEvents.every((e) => e.object === `study:${w.studyA.id}`)).toBe(true);
    const studies = await audit('object=study:');
    expect(studies.every((e) => e.object?.startsWith('study:'))).toBe(true);
    expect(new Set(studies.map((e) => e.object)).size).toBeGreaterThanOrEqual(2);
    const tasks = await audit('action=task.');
    expect(tasks.length).toBeGreaterThan(0);
    expect(tasks.every((e) => e.action.startsWith('task.'))).toBe(true);
    expect((await audit('action=task.submitted')).every((e) => e.action === 'task.submitted')).toBe(true);
    // LIKE wildcards in a filter are taken literally
    expect(await audit('object=%25:')).toEqual([]);
    expect(await audit('action=_ask.')).toEqual([]);
  });

  it("keeps an auditor to their organisation's scope, filters included", async () => {
    const mine = await audit('object=study:', w.auditorA.token);
    expect(mine.some((e) => e.object === `study:${w.studyA.id}`)).toBe(true);
    expect(mine.some((e) => e.object === `study:${w.studyB.id}`)).toBe(false);
    expect(await audit('username=researcher-b', w.auditorA.token)).toEqual([]);
  });
});
