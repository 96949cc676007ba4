/** Issue 15, item 12: an organisation's auditor reads only its own part of the audit trail. */
import { expect, it } from 'vitest';
import type { SuiteState } from './suite-state.js';

export function scopingTests(s: SuiteState): void {
  it("scopes an organisation's auditor to its organisation and collaborations", async () => {
    const all = await s.hub.call('GET', '/api/audit?limit=1000', { token: s.w.admin.token });
    const mine = await s.hub.call('GET', '/api/audit?limit=1000', { token: s.w.auditorA.token });
    expect(all.status).toBe(200);
    expect(mine.status).toBe(200);
    const objects = (body: Array<{ object: string | null }>) => new Set(body.map((e) => e.object));
    const everything = objects(all.body);
    const seen = objects(mine.body);
    const b = [
      `study:${s.w.studyB.id}`,
      `task:${s.w.taskB.id}`,
      `node:${s.w.nodeB.id}`,
      `collaboration:${s.w.collabB.id}`,
    ];
    const a = [
      `study:${s.w.studyA.id}`,
      `task:${s.w.taskA.id}`,
      `node:${s.w.nodeA.id}`,
      `collaboration:${s.w.collabA.id}`,
    ];
    for (const o of [...a, ...b]) expect(everything.has(o), o).toBe(true);
    for (const o of a) expect(seen.has(o), o).toBe(true);
    for (const o of b) expect(seen.has(o), o).toBe(false);
    expect(mine.body.length).toBeLessThan(all.body.length);
    // nothing of B's through the actor either
    expect(mine.body.some((e: { actor: string }) => e.actor === `user:${s.w.researcherB.id}`)).toBe(false);
  });
}
