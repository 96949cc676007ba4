/**
 * Every option that shows a list placeholder (`<ids...>`) must be variadic in commander: a placeholder such
 * as `<name[@version]...>` is not recognised as one, so `--algorithms summary glm` failed with "too many
 * arguments" and a single value arrived as a string.
 */
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
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
});
