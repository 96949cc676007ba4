import { describe, expect, it } from 'vitest';
import { buildProgram, CLI_VERSION, COMMAND_SUMMARIES } from './main.js';

describe('buildProgram', () => {
  it('`fedhub --version` loads no command module', async () => {
    const program = await buildProgram(['node', 'fedhub', '--version']);
    expect(program.commands).toHaveLength(0);
    expect(program.version()).toBe(CLI_VERSION);
  });
  it('a command loads its own module, and no command all of them', async () => {
    expect(
      (await buildProgram(['node', 'fedhub', 'dose', '--version'])).commands.map((c) => c.name()),
    ).toEqual(['dose']);
    const all = await buildProgram(['node', 'fedhub']);
    expect(all.commands.map((c) => c.name())).toContain('run');
    expect(all.commands.length).toBeGreaterThan(15);
  });
  it('`fedhub --help` lists every command with the description its module registers, loading none', async () => {
    const all = await buildProgram(['node', 'fedhub']);
    const help = await buildProgram(['node', 'fedhub', '--help']);
    const listed = (p: typeof all) => p.commands.map((c) => [c.name(), c.description()]);
    expect(listed(help)).toEqual(listed(all));
    expect(Object.keys(COMMAND_SUMMARIES)).toEqual(all.commands.map((c) => c.name()));
    // a sub-command's help still loads its module (its options are the module's)
    const sub = await buildProgram(['node', 'fedhub', 'dose', '--help']);
    expect(sub.commands[0]!.commands.length).toBeGreaterThan(0);
  });
});
