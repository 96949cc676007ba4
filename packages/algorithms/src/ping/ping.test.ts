import { describe, expect, it } from 'vitest';
import { isDeclaredRelease, type LocalContext } from '../types.js';
import { ping } from './ping.js';

describe('ping', () => {
  it('releases the node name only, reads nothing, and the aggregate lists the nodes', async () => {
    const ctx = {
      node: { id: 'n1', name: 'Hospital A' },
      dataset: () => {
        throw new Error('ping reads no dataset');
      },
    } as unknown as LocalContext;
    const r = await ping.local(ctx, {}, null, 1);
    expect(isDeclaredRelease(r)).toBe(true);
    expect(r.payload).toEqual({ node: 'Hospital A' });
    expect(r.disclosure).toEqual({ subsetSize: null, cells: [] });
    const out = ping.aggregate({
      params: {},
      round: 1,
      state: null,
      parts: [
        { nodeId: 'n2', nodeName: 'Hospital B', payload: { node: 'Hospital B' } },
        { nodeId: 'n1', nodeName: 'Hospital A', payload: { node: 'Hospital A' } },
      ],
    });
    expect(out).toEqual({ kind: 'done', result: { algorithm: 'ping', nodes: ['Hospital A', 'Hospital B'] } });
  });
});
