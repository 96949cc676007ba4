/** The `fedhub` command. */
import { Command, CommanderError } from 'commander';
import { registerAdminCommands } from './commands/admin.js';
import { registerAuditCommands } from './commands/audit.js';
import { registerDemoCommand } from './commands/demo.js';
import { registerDicomCommands } from './commands/dicom.js';
import { registerDoseCommands } from './commands/dose.js';
import { registerHubCommands } from './commands/hub.js';
import { registerNodeCommands } from './commands/node.js';
import { registerRadiomicsCommand } from './commands/radiomics.js';
import { registerRunCommands } from './commands/run.js';
import { registerSimulateCommand } from './commands/simulate.js';
import { errorBody } from './output.js';

export const CLI_VERSION = '0.1.0';

export function buildProgram(): Command {
  const program = new Command('fedhub')
    .description(
      'Federated analytics for medical physics and radiology: hub, hospital nodes, governed algorithms',
    )
    .version(CLI_VERSION)
    .showHelpAfterError()
    .exitOverride();
  registerHubCommands(program);
  registerNodeCommands(program);
  registerAdminCommands(program);
  registerRunCommands(program);
  registerDemoCommand(program);
  registerSimulateCommand(program);
  registerDicomCommands(program);
  registerDoseCommands(program);
  registerRadiomicsCommand(program);
  registerAuditCommands(program);
  return program;
}

/** Runs the CLI; returns the exit code. Errors print one line (or a JSON error body with --json). */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    const body = errorBody(err);
    if (argv.includes('--json')) process.stdout.write(`${JSON.stringify({ error: body }, null, 2)}\n`);
    process.stderr.write(`fedhub: ${body.code}: ${body.message}\n`);
    return 1;
  }
}
