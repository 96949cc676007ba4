/** Follows a task to its end with a progress bar (on a terminal) or one line per change (otherwise). */
import type { TaskDetail } from '@fedhub/protocol';
import type { HubClient } from '@fedhub/sdk';
import cliProgress from 'cli-progress';

const TERMINAL = new Set(['completed', 'refused', 'failed', 'cancelled']);

export async function watchTask(
  client: HubClient,
  taskId: string,
  opts: { quiet?: boolean; timeoutMs?: number } = {},
): Promise<TaskDetail> {
  const tty = process.stderr.isTTY && !opts.quiet;
  const bar = tty
    ? new cliProgress.SingleBar(
        {
          format: ' {bar} {value}/{total} node runs | round {round} | {state}',
          stream: process.stderr,
          hideCursor: true,
          clearOnComplete: false,
        },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  let started = false;
  let lastLine = '';
  const update = (t: TaskDetail) => {
    const current = t.runs.filter((r) => r.round === t.round);
    const done = current.filter((r) => TERMINAL.has(r.status)).length;
    // cases done / total where the node reports them (validate-imaging)
    const state = current
      .map(
        (r) =>
          `${r.nodeName}: ${r.status}${r.progress && r.status === 'claimed' ? ` ${r.progress.done}/${r.progress.total} cases` : ''}`,
      )
      .join(', ');
    if (bar) {
      if (!started) bar.start(current.length, done, { round: t.round, state });
      else bar.setTotal(current.length);
      bar.update(done, { round: t.round, state });
      started = true;
    } else if (!opts.quiet) {
      const line = `round ${t.round}: ${done}/${current.length} node runs done (${state})`;
      if (line !== lastLine) process.stderr.write(`${line}\n`);
      lastLine = line;
    }
  };
  try {
    return await client.waitForTask(taskId, { onUpdate: update, timeoutMs: opts.timeoutMs });
  } finally {
    bar?.stop();
  }
}
