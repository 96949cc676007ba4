/** The `fedhub` command. */
import { Command, CommanderError } from 'commander';

export const CLI_VERSION = '0.1.0';

/**
 * The command modules, loaded only when their commands run: `fedhub dicom deidentify` must not pay for
 * loading the hub (Fastify, SQLite) and the node (DuckDB), about a second of start-up. `names` are the
 * top-level commands a module registers; a command not listed here loads every module (so `--help` and a
 * module someone forgot to list still work).
 */
export const COMMAND_MODULES: ReadonlyArray<{
  names: readonly string[];
  load: () => Promise<(program: Command) => void>;
}> = [
  { names: ['hub'], load: async () => (await import('./commands/hub.js')).registerHubCommands },
  { names: ['node'], load: async () => (await import('./commands/node.js')).registerNodeCommands },
  {
    names: ['login', 'passwd', 'org', 'user', 'collab', 'study'],
    load: async () => (await import('./commands/admin.js')).registerAdminCommands,
  },
  { names: ['run', 'task'], load: async () => (await import('./commands/run.js')).registerRunCommands },
  { names: ['demo'], load: async () => (await import('./commands/demo.js')).registerDemoCommand },
  {
    names: ['simulate'],
    load: async () => (await import('./commands/simulate.js')).registerSimulateCommand,
  },
  {
    names: ['dicom'],
    load: async () => (await import('./commands/dicom-register.js')).registerDicomCommands,
  },
  { names: ['dose'], load: async () => (await import('./commands/dose.js')).registerDoseCommands },
  {
    names: ['radiomics'],
    load: async () => (await import('./commands/radiomics.js')).registerRadiomicsCommand,
  },
  { names: ['rt'], load: async () => (await import('./commands/rt.js')).registerRtCommands },
  { names: ['audit'], load: async () => (await import('./commands/audit.js')).registerAuditCommands },
  { names: ['gdpr'], load: async () => (await import('./commands/gdpr.js')).registerGdprCommands },
  { names: ['model'], load: async () => (await import('./commands/model.js')).registerModelCommands },
  { names: ['access'], load: async () => (await import('./commands/access.js')).registerAccessCommands },
];

/**
 * Each top-level command's one-line description, as its module registers it: `fedhub --help` lists them
 * without loading the modules (seconds of start-up). `main.test.ts` checks them against the modules.
 */
export const COMMAND_SUMMARIES: Readonly<Record<string, string>> = {
  hub: 'run the hub (coordination server)',
  node: 'run a hospital node (data station)',
  login: 'sign in to a hub and keep the session (~/.config/fedhub/session.json, mode 0600)',
  passwd:
    'change your password (reads the current and then the new password, one per line, from standard input)',
  org: 'organisations (hospitals, the hub operator)',
  user: 'user accounts',
  collab: 'collaborations (consortia of organisations)',
  study: "studies: a collaboration's project with its purpose and nodes",
  run: 'run a federated algorithm on a study and print the result',
  task: 'tasks and their per-node runs',
  demo: 'run a demo federation: a hub and three hospital nodes with synthetic data',
  simulate: 'start a hub and one node per data file on loopback, run one task, print the result, stop',
  dicom: 'DICOM at the hospital: de-identification and intake',
  dose: 'CT dose: extraction, the node dose registry, DRL survey reports',
  radiomics:
    'IBSI-compliant radiomics features of a region of interest (NIfTI, or DICOM series with RTSTRUCT or SEG)',
  rt: 'Radiotherapy: DVHs from DICOM RT',
  audit: 'the tamper-evident audit trails of the hub and of a node',
  gdpr: 'GDPR records of processing',
  model: 'the model registry: register, validate, model cards',
  access: 'revoke access: users, roles, API tokens, passwords, nodes, organisations (audited)',
};

const isHelpFlag = (a: string) => a === '--help' || a === '-h';

/** The program with the modules `argv` needs (all of them when `argv` is not given or names no module). */
export async function buildProgram(argv?: readonly string[]): Promise<Command> {
  const program = new Command('fedhub')
    .description(
      'Federated analytics for medical physics and radiology: hub, hospital nodes, governed algorithms',
    )
    .version(CLI_VERSION)
    // `--version` after a sub-command is that command's option (`run --version`, `node approve --version`),
    // not the program's: program options are read only before the sub-command
    .enablePositionalOptions()
    .showHelpAfterError()
    .exitOverride();
  const args = argv?.slice(2) ?? [];
  const first = args.find((a) => !a.startsWith('-'));
  // `fedhub --version` (no command, no help) needs no command module: it starts in Node's time alone
  if (first === undefined && args.some((a) => a === '--version' || a === '-V') && !args.some(isHelpFlag))
    return program;
  // `fedhub --help` lists the commands from their summaries: loading every module costs seconds
  if (first === undefined && args.some(isHelpFlag)) {
    for (const m of COMMAND_MODULES)
      for (const name of m.names) program.command(name).description(COMMAND_SUMMARIES[name] ?? '');
    return program;
  }
  const wanted = COMMAND_MODULES.filter((m) => first !== undefined && m.names.includes(first));
  for (const m of wanted.length > 0 ? wanted : COMMAND_MODULES) (await m.load())(program);
  return program;
}

/**
 * Runs the CLI; returns the exit code. Errors print one line (and, with --json, a JSON error body on one
 * stdout line, so that a caller reading line by line, as startFedhubProcess does, sees the whole error).
 */
export async function main(argv: string[]): Promise<number> {
  try {
    const program = await buildProgram(argv);
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    // loaded here, not at start-up: output.js brings the protocol and SDK packages
    const { errorBody } = await import('./output.js');
    const body = errorBody(err);
    if (argv.includes('--json')) process.stdout.write(`${JSON.stringify({ error: body })}\n`);
    process.stderr.write(`fedhub: ${body.code}: ${body.message}\n`);
    return 1;
  }
}
