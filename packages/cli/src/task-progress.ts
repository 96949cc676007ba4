/**
 * Follows a task to its end. On a terminal: one status line rewritten in place (erase the line, back to
 * its first column; cut to the terminal's width so that it never wraps into a new line at each update). Not on
 * a terminal (a log file, CI): one plain line per round and one at the end, not one per change.
 * Written by hand rather than with cli-progress: its redraw relies on the terminal honouring "no auto-wrap",
 * and a long per-node state wrapped into a new line at each update (24 lines for one GLM, issue 20).
 */
import type { TaskDetail } from '@fedhub/protocol';
import type { HubClient } from '@fedhub/sdk';

const TERMINAL = new Set(['completed', 'refused', 'failed', 'cancelled']);
const ERASE_LINE = '\x1b[2K\x1b[1G';

/** What one update says: the round, node runs done of the round, and each node's state. */
export interface ProgressState {
  round: number;
  done: number;
  total: number;
  /** "Centre A: running, Centre B: completed" */
  nodes: string;
  finished: boolean;
  status: string;
}

export function progressState(t: TaskDetail): ProgressState {
  const current = t.runs.filter((r) => r.round === t.round);
  return {
    round: t.round,
    done: current.filter((r) => TERMINAL.has(r.status)).length,
    total: current.length,
    // cases done / total where the node reports them (validate-imaging)
    nodes: current
      .map(
        (r) =>
          `${r.nodeName}: ${r.status}${r.progress && r.status === 'claimed' ? ` ${r.progress.done}/${r.progress.total} cases` : ''}`,
      )
      .join(', '),
    finished: TERMINAL.has(t.status),
    status: t.status,
  };
}

/** The status line, at most `width` characters (cut with an ellipsis: a wrapped line cannot be rewritten). */
export function progressLine(s: ProgressState, width = Number.POSITIVE_INFINITY): string {
  const bar = s.total > 0 ? `[${'#'.repeat(s.done)}${'.'.repeat(Math.max(0, s.total - s.done))}] ` : '';
  const line = `${bar}round ${s.round}: ${s.done}/${s.total} node runs done${s.nodes ? ` (${s.nodes})` : ''}`;
  const max = Math.max(10, width);
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}

/** A sink for progress updates: in place on a terminal, one line per round otherwise. */
export class ProgressPrinter {
  private last = '';
  private lastRound = 0;
  private pending: ProgressState | null = null;

  constructor(
    private readonly out: { write(s: string): unknown; isTTY?: boolean; columns?: number },
    private readonly tty = Boolean(out.isTTY),
  ) {}

  update(s: ProgressState): void {
    if (this.tty) {
      // leave one column free: writing into the last column makes some terminals wrap (a terminal that
      // reports no width counts as 80 columns)
      const line = progressLine(s, (this.out.columns || 80) - 1);
      // erase the line and go to its first column (ANSI EL and CHA, as readline's clearLine and cursorTo do;
      // no carriage return, which a terminal set to map CR to NL would turn into a new line)
      if (line !== this.last) this.out.write(`${ERASE_LINE}${line}`);
      this.last = line;
      return;
    }
    // a plain log: a line when a round starts (polling may miss a round's intermediate states, so none
    // is printed for them) and the last state at the end
    if (s.round !== this.lastRound && s.total > 0) {
      this.out.write(`round ${s.round}: ${s.total} node run${s.total === 1 ? '' : 's'}\n`);
      this.lastRound = s.round;
    }
    this.pending = s;
  }

  /** Ends the display: the terminal's line is kept (with a newline), a plain log gets the last state. */
  end(): void {
    if (this.tty) {
      if (this.last) this.out.write('\n');
      return;
    }
    if (this.pending) this.out.write(`${progressLine(this.pending)}\n`);
    this.pending = null;
  }
}

export async function watchTask(
  client: HubClient,
  taskId: string,
  opts: { quiet?: boolean; timeoutMs?: number } = {},
): Promise<TaskDetail> {
  const printer = opts.quiet ? undefined : new ProgressPrinter(process.stderr);
  try {
    return await client.waitForTask(taskId, {
      onUpdate: (t) => printer?.update(progressState(t)),
      timeoutMs: opts.timeoutMs,
    });
  } finally {
    printer?.end();
  }
}
