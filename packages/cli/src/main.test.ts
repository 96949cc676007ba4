import { describe, expect, it } from 'vitest';
import { buildProgram, CLI_VERSION } from './main.js';

describe('buildProgram', () => {
  it('`fedhub --version` loads no command module', async () => {
    const program = await buildProgram(['node', 'fedhub', '--version']);
    expect(program.commands).toHaveLength(0);
    expect(program.version()).toBe(CLI_VERSION);
  });
  it('a command loads its own module, and help or no command all of them', async () => {
    expect(
      (await buildProgram(['node', 'fedhub', 'dose', '--version'])).commands.map((c) => c.name()),
    ).toEqual(['dose']);
    const all = await buildProgram(['node', 'fedhub', '--version', '--help']);
    expect(all.commands.map((c) => c.name())).toContain('run');
    expect((await buildProgram(['node', 'fedhub'])).commands.length).toBe(all.commands.length);
  });
});
