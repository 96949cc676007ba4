/**
 * Every option that shows a list placeholder (`<ids...>`) must be variadic in commander: a placeholder such
 * as `<name[@version]...>` is not recognised as one, so `--algorithms summary glm` failed with "too many
 * arguments" and a single value arrived as a string.
 */
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { DEMO_ANALYSES, demoRunCommand, demoTaskRequest } from './commands/demo.js';
import { buildProgram } from './main.js';

function walk(c: Command, path: string[] = []): Array<{ path: string; flags: string; variadic: boolean }> {
  const here = c.options.map((o) => ({
    path: [...path, c.name()].join(' '),
    flags: o.flags,
    variadic: o.variadic,
  }));
  return [...here, ...c.commands.flatMap((sub) => walk(sub, [...path, c.name()]))];
}

describe('command options', () => {
  it('declares every list placeholder as variadic', { timeout: 180_000 }, async () => {
    const options = walk(await buildProgram());
    const lists = options.filter((o) => /\.\.\.[>\]]$/.test(o.flags));
    expect(lists.length).toBeGreaterThan(5);
    expect(lists.filter((o) => !o.variadic).map((o) => `${o.path}: ${o.flags}`)).toEqual([]);
  });

  it('parses the README study create line', async () => {
    const program = await buildProgram(['node', 'fedhub', 'study', 'create']);
    const create = program.commands
      .find((c) => c.name() === 'study')
      ?.commands.find((c) => c.name() === 'create');
    if (!create) throw new Error('no study create command');
    create.action(() => {});
    await program.parseAsync(
      [
        'study',
        'create',
        '--collab',
        'c',
        '--title',
        'T',
        '--purpose',
        'P',
        '--legal-basis',
        'art6-1e-public-interest',
        'art9-2j-research',
        '--variables',
        'cohort:age,sex',
        '--algorithms',
        'summary',
        'glm',
        'coxph',
        'km',
        '--min-nodes',
        '3',
      ],
      { from: 'user' },
    );
    expect(create.opts().algorithms).toEqual(['summary', 'glm', 'coxph', 'km']);
    expect(create.opts().legalBasis).toEqual(['art6-1e-public-interest', 'art9-2j-research']);
  });

  it('parses each line the demo prints into the request the demo submits, title included', async () => {
    // shell words of a line quoted as the demo quotes: single quotes, '\'' for a quote inside
    const words = (line: string) =>
      [...line.matchAll(/'((?:[^']|'\\'')*)'|(\S+)/g)].map((m) =>
        m[1] !== undefined ? m[1].replaceAll("'\\''", "'") : m[2]!,
      );
    for (const a of DEMO_ANALYSES) {
      const program = await buildProgram(['node', 'fedhub', 'run']);
      const run = program.commands.find((c) => c.name() === 'run');
      if (!run) throw new Error('no run command');
      let got: { algorithm: string; opts: Record<string, unknown> } | undefined;
      run.action((algorithm: string, opts: Record<string, unknown>) => {
        got = { algorithm, opts };
      });
      const line = demoRunCommand(a, 'S');
      await program.parseAsync(words(line).slice(1), { from: 'user' });
      const want = demoTaskRequest(a, 'S');
      expect(want.title).toBe(a.title);
      expect(got?.algorithm).toBe(want.algorithm);
      expect(got?.opts.title).toBe(want.title);
      expect(got?.opts.study).toBe('S');
      expect(JSON.parse(String(got?.opts.params))).toEqual(want.params);
    }
  });
});
