import type { Command } from 'commander';
import { formatTaskOutcome } from '../format-result.js';
import { printJson, table } from '../output.js';
import { parseParams } from '../params-option.js';
import { clientFromEnvironment } from '../session.js';
import { watchTask } from '../task-progress.js';
import { resolveOnnxModelParams } from './model-onnx.js';

type Global = { hub?: string; json?: boolean };

export function registerRunCommands(program: Command): void {
  program
    .command('run <algorithm>')
    .description('run a federated algorithm on a study and print the result')
    .requiredOption('--study <id>', 'study id')
    .requiredOption('--params <json>', 'algorithm parameters as JSON (or @file.json)')
    .option('--version <v>', 'algorithm version (default: latest)')
    .option('--nodes <ids...>', "a subset of the study's nodes")
    .option('--title <text>', "a title that tells the task apart in the study's task list")
    .option('--no-wait', 'submit and print the task id without waiting')
    .option('--hub <url>')
    .option('--json', 'machine-readable output')
    .action(
      async (
        algorithm: string,
        opts: Global & {
          study: string;
          params: string;
          version?: string;
          nodes?: string[];
          title?: string;
          wait: boolean;
        },
      ) => {
        const client = clientFromEnvironment(opts);
        const params = await resolveOnnxModelParams(client, await parseParams(opts.params), {
          allowFile: false,
        });
        const task = await client.createTask({
          studyId: opts.study,
          algorithm,
          params,
          ...(opts.version ? { version: opts.version } : {}),
          ...(opts.nodes ? { nodeIds: opts.nodes } : {}),
          ...(opts.title ? { title: opts.title } : {}),
        });
        if (!opts.wait) {
          opts.json ? printJson(task) : process.stdout.write(`task ${task.id} submitted\n`);
          return;
        }
        const done = await watchTask(client, task.id, { quiet: opts.json });
        opts.json ? printJson(done) : process.stdout.write(`${formatTaskOutcome(done)}\n`);
        if (done.status !== 'completed') process.exitCode = 2;
      },
    );

  const task = program.command('task').description('tasks and their per-node runs');
  task
    .command('show <taskId>')
    .option('--hub <url>')
    .option('--json')
    .action(async (id: string, opts: Global) => {
      const t = await clientFromEnvironment(opts).getTask(id);
      if (opts.json) return printJson(t);
      process.stdout.write(`task ${t.id}: ${t.algorithm}@${t.version}, ${t.status}, round ${t.round}\n`);
      process.stdout.write(
        `${table(
          ['node', 'round', 'attempt', 'status', 'error'],
          t.runs.map((r) => [
            r.nodeName,
            r.round,
            r.attempt,
            r.status,
            r.error ? `${r.error.code}: ${r.error.message}` : '',
          ]),
        )}\n`,
      );
      if (t.status !== 'running') process.stdout.write(`\n${formatTaskOutcome(t)}\n`);
    });
  task
    .command('watch <taskId>')
    .description('follow a task with a progress bar until it ends')
    .option('--hub <url>')
    .option('--json')
    .action(async (id: string, opts: Global) => {
      const client = clientFromEnvironment(opts);
      const done = await watchTask(client, id, { quiet: opts.json });
      opts.json ? printJson(done) : process.stdout.write(`${formatTaskOutcome(done)}\n`);
      if (done.status !== 'completed') process.exitCode = 2;
    });
  task
    .command('list')
    .requiredOption('--study <id>')
    .option('--hub <url>')
    .option('--json')
    .action(async (opts: Global & { study: string }) => {
      const list = await clientFromEnvironment(opts).listTasks(opts.study);
      opts.json
        ? printJson(list)
        : process.stdout.write(
            `${table(
              ['id', 'algorithm', 'status', 'created'],
              list.map((t) => [t.id, `${t.algorithm}@${t.version}`, t.status, t.createdAt]),
            )}\n`,
          );
    });
}
