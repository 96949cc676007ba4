/**
 * Two processes on one install (as the hub and a node are) compute the same digest for every algorithm
 * from the compiled code, and it differs from the digest of the sources (different code). Needs
 * `npx tsc -b` first.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { listAlgorithms } from './registry.js';

const run = promisify(execFile);
const script = `import('@fedhub/algorithms').then((m) => process.stdout.write(JSON.stringify(Object.fromEntries(m.listAlgorithms().map((a) => [a.name + '@' + a.version, a.digest])))))`;

describe('algorithm digest across processes', () => {
  it('is the same in two processes of one install', async () => {
    const [a, b] = await Promise.all(
      [1, 2].map(
        async () =>
          JSON.parse((await run(process.execPath, ['-e', script])).stdout) as Record<string, string>,
      ),
    );
    expect(Object.keys(a!)).toHaveLength(listAlgorithms().length);
    expect(a).toEqual(b);
    const fromSource = Object.fromEntries(listAlgorithms().map((x) => [`${x.name}@${x.version}`, x.digest]));
    for (const k of Object.keys(a!)) expect(a![k], k).not.toBe(fromSource[k]);
  }, 60_000);
});
