/** Starts `fedhub` sub-commands as separate processes and waits for their JSON readiness line. */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** Path of the `fedhub` launcher script. */
export const FEDHUB_BIN = fileURLToPath(new URL('../bin/fedhub.js', import.meta.url));

export interface Started {
  child: ChildProcess;
  ready: Record<string, unknown>;
}

/**
 * Spawns `node fedhub.js ...args`, sends its stderr (logs) to `logFile`, and resolves with the first JSON
 * line it prints on stdout; rejects if it exits first or takes longer than `timeoutMs`.
 */
export function startFedhubProcess(
  args: string[],
  logFile: string,
  timeoutMs = 60_000,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Started> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [FEDHUB_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
    const log = createWriteStream(logFile, { flags: 'a' });
    child.stderr!.pipe(log);
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `fedhub ${args.join(' ')} did not become ready within ${timeoutMs / 1000} s (log: ${logFile})`,
        ),
      );
    }, timeoutMs);
    const rl = createInterface({ input: child.stdout! });
    rl.once('line', (line) => {
      clearTimeout(timer);
      let ready: Record<string, unknown>;
      try {
        ready = JSON.parse(line) as Record<string, unknown>;
      } catch {
        reject(new Error(`fedhub ${args.join(' ')} printed "${line}" instead of its JSON readiness line`));
        return;
      }
      const error = ready?.error as { code?: string; message?: string } | undefined;
      if (error && typeof error === 'object')
        reject(
          new Error(`fedhub ${args.join(' ')} failed: ${error.code}: ${error.message} (log: ${logFile})`),
        );
      else resolve({ child, ready });
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(
        new Error(`fedhub ${args.join(' ')} exited (${signal ?? code}) before it was ready; see ${logFile}`),
      );
    });
  });
}

/** SIGTERM, then SIGKILL after `graceMs`. */
export async function stopProcess(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
