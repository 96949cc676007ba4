import type { TaskDetail } from '@fedhub/protocol';
import { describe, expect, it } from 'vitest';
import { ProgressPrinter, type ProgressState, progressLine, progressState } from './task-progress.js';

const state = (round: number, done: number, total = 3, status = 'running'): ProgressState => ({
  round,
  done,
  total,
  nodes: Array.from({ length: total }, (_, i) => `Centre ${i}: ${i < done ? 'completed' : 'running'}`).join(
    ', ',
  ),
  finished: status !== 'running',
  status,
});

function sink(tty: boolean, columns = 60) {
  const writes: string[] = [];
  return { writes, out: { write: (s: string) => writes.push(s), isTTY: tty, columns } };
}

describe('task progress', () => {
  it('derives the round, runs done and node states from a task', () => {
    const t = {
      round: 2,
      status: 'running',
      runs: [
        { round: 1, nodeName: 'A', status: 'completed' },
        { round: 2, nodeName: 'A', status: 'completed' },
        { round: 2, nodeName: 'B', status: 'claimed' },
      ],
    } as unknown as TaskDetail;
    expect(progressState(t)).toEqual({
      round: 2,
      done: 1,
      total: 2,
      nodes: 'A: completed, B: claimed',
      finished: false,
      status: 'running',
    });
  });

  it("shows a running node's cases done / total where it reports them (validate-imaging)", () => {
    const t = {
      round: 1,
      status: 'running',
      runs: [
        { round: 1, nodeName: 'A', status: 'claimed', progress: { done: 12, total: 40 } },
        { round: 1, nodeName: 'B', status: 'completed', progress: { done: 30, total: 30 } },
        { round: 1, nodeName: 'C', status: 'claimed', progress: null },
      ],
    } as unknown as TaskDetail;
    expect(progressState(t).nodes).toBe('A: claimed 12/40 cases, B: completed, C: claimed');
  });

  it('cuts the line to the width so that it cannot wrap', () => {
    const line = progressLine(state(3, 1), 40);
    expect(line).toHaveLength(40);
    expect(line.endsWith('…')).toBe(true);
    expect(progressLine(state(3, 1))).toBe(
      '[#..] round 3: 1/3 node runs done (Centre 0: completed, Centre 1: running, Centre 2: running)',
    );
  });

  it('rewrites one line in place on a terminal: 24 updates of a GLM end as one line', () => {
    const { writes, out } = sink(true, 60);
    const p = new ProgressPrinter(out);
    for (let round = 1; round <= 8; round++)
      for (let done = 0; done < 3; done++) p.update(state(round, done));
    p.end();
    const text = writes.join('');
    expect(text.split('\n')).toHaveLength(2); // one line, then the final newline
    expect(text.endsWith('\n')).toBe(true);
    // each update starts at the line's beginning and erases it; none is wider than the terminal
    for (const w of writes.slice(0, -1)) {
      expect(w.startsWith('\x1b[2K\x1b[1G')).toBe(true);
      expect(w.includes('\r') || w.includes('\n')).toBe(false);
      expect(w.length - 8).toBeLessThan(60);
    }
  });

  it('takes a terminal that reports no width as 80 columns', () => {
    const { writes, out } = sink(true, 0);
    new ProgressPrinter(out).update(state(1, 1));
    expect(writes[0]!.length - 8).toBe(79);
  });

  it('prints one plain line per round and the last state when not on a terminal', () => {
    const { writes, out } = sink(false);
    const p = new ProgressPrinter(out);
    for (let round = 1; round <= 8; round++)
      for (let done = 0; done <= 3; done++) p.update(state(round, done));
    p.end();
    expect(writes).toHaveLength(9);
    expect(writes.every((w) => w.endsWith('\n') && !w.includes('\r'))).toBe(true);
    expect(writes[0]).toBe('round 1: 3 node runs\n');
    expect(writes[8]).toBe(`${progressLine(state(8, 3))}\n`);
  });

  it('keeps the last state of a task that ends mid-round when not on a terminal', () => {
    const { writes, out } = sink(false);
    const p = new ProgressPrinter(out);
    p.update(state(1, 0));
    p.update(state(1, 1));
    p.end();
    expect(writes).toEqual(['round 1: 3 node runs\n', `${progressLine(state(1, 1))}\n`]);
  });
});
