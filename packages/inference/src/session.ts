/**
 * An onnxruntime session for an untrusted model, held in its own process: the model's bytes go over IPC
 * (never a path), the runner has an empty environment, onnxruntime runs with capped intra/inter-op threads,
 * sequential execution and the CPU memory arena off (memory is returned after each run instead of growing a
 * pool), and every run has a wall-clock limit past which the process is killed (onnxruntime-node runs
 * synchronously and cannot be interrupted in-process). Feeds are checked against the signature first and
 * outputs for NaN after. Memory: the runner's V8 heap is capped (`--max-old-space-size`), and a watchdog in
 * this process reads the runner's resident set and its peak (VmRSS, VmHWM in /proc/<pid>/status) while a
 * request is open, killing it past `maxRunnerRssMiB` (FH_ERR_MODEL_MEMORY): onnxruntime's native buffers
 * (intermediate tensors above all) are outside the V8 heap. The peak is read again when an answer arrives,
 * so a spike between two reads still refuses the run. Where /proc is absent (not Linux) only the heap cap
 * and the element caps hold.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { FedhubError } from '@fedhub/protocol';
import { checkFeeds, checkOutputs, type OnnxFeed, type OnnxOutput } from './feeds.js';
import { inspectOnnxModel, type OnnxModelInfo } from './inspect.js';
import { DEFAULT_ONNX_LIMITS, type OnnxLimits } from './limits.js';
import { RUNNER_SOURCE } from './runner-source.js';

const ORT_PATH = createRequire(import.meta.url).resolve('onnxruntime-node');

interface Pending {
  resolve: (m: RunnerMessage) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
  watchdog: NodeJS.Timeout | null;
}

/** The resident set and its peak of process `pid` in MiB (Linux /proc), or null where it cannot be read. */
export function processMemoryMiB(pid: number): { rss: number; peak: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => {
      const m = new RegExp(`^${key}:\\s+(\\d+)\\s+kB`, 'm').exec(status);
      return m ? Number(m[1]) : null;
    };
    const rss = kb('VmRSS');
    const peak = kb('VmHWM') ?? rss;
    return rss === null || peak === null ? null : { rss: rss / 1024, peak: peak / 1024 };
  } catch {
    return null;
  }
}

interface RunnerMessage {
  type: 'loaded' | 'result' | 'error';
  id: number;
  stage?: string;
  message?: string;
  outputs?: Record<string, OnnxOutput>;
}

/** An open model: its signature and the process that runs it. Close it when done. */
export class OnnxSession {
  readonly info: OnnxModelInfo;
  readonly limits: OnnxLimits;
  #child: ChildProcess;
  #pending = new Map<number, Pending>();
  #next = 1;
  #closed = false;
  #queue: Promise<unknown> = Promise.resolve();

  /** @internal use {@link openOnnxSession} */
  constructor(info: OnnxModelInfo, limits: OnnxLimits) {
    this.info = info;
    this.limits = limits;
    this.#child = spawn(
      process.execPath,
      [`--max-old-space-size=${limits.runnerHeapMiB}`, '-e', RUNNER_SOURCE, ORT_PATH],
      {
        stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
        serialization: 'advanced',
        env: {},
      },
    );
    this.#child.on('message', (m: RunnerMessage) => {
      const p = this.#pending.get(m.id);
      if (!p) return;
      this.#pending.delete(m.id);
      clearTimeout(p.timer);
      if (p.watchdog) clearInterval(p.watchdog);
      // the peak since the runner started: a spike between two watchdog reads still counts
      const over = this.#overCap();
      if (over) {
        this.#killForMemory(p, String(m.type), over);
        return;
      }
      p.resolve(m);
    });
    this.#child.on('exit', (code, signal) => {
      this.#closed = true;
      for (const p of this.#pending.values()) {
        clearTimeout(p.timer);
        if (p.watchdog) clearInterval(p.watchdog);
        p.reject(
          new FedhubError('FH_ERR_ALGORITHM_FAILED', 'The ONNX runner process stopped', {
            exitCode: code,
            signal,
          }),
        );
      }
      this.#pending.clear();
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The runner's resident memory (MiB) where it is past the cap, else null (also where it cannot be read). */
  #overCap(): number | null {
    const pid = this.#child.pid;
    if (pid === undefined) return null;
    const m = processMemoryMiB(pid);
    if (!m) return null;
    const used = Math.max(m.rss, m.peak);
    return used > this.limits.maxRunnerRssMiB ? used : null;
  }

  #killForMemory(p: Pending, stage: string, usedMiB: number): void {
    clearTimeout(p.timer);
    if (p.watchdog) clearInterval(p.watchdog);
    this.#closed = true;
    this.#child.kill('SIGKILL');
    p.reject(
      new FedhubError(
        'FH_ERR_MODEL_MEMORY',
        `The ONNX model used more than the ${this.limits.maxRunnerRssMiB} MiB of memory this node allows and was stopped`,
        { stage, limitMiB: this.limits.maxRunnerRssMiB, usedMiB: Math.ceil(usedMiB) },
      ),
    );
  }

  /** @internal sends one request and waits for its answer, killing the runner past the time limit. */
  request(message: Record<string, unknown>, timeoutMs = this.limits.runTimeoutMs): Promise<RunnerMessage> {
    if (this.#closed)
      return Promise.reject(new FedhubError('FH_ERR_ALGORITHM_FAILED', 'The ONNX session is closed'));
    const id = this.#next++;
    return new Promise<RunnerMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        const p = this.#pending.get(id);
        if (p?.watchdog) clearInterval(p.watchdog);
        this.#pending.delete(id);
        this.#closed = true;
        this.#child.kill('SIGKILL');
        reject(
          new FedhubError(
            'FH_ERR_MODEL_TIMEOUT',
            `The ONNX model ran past its limit of ${timeoutMs} ms and was stopped`,
            {
              stage: message.type,
              limitMs: timeoutMs,
            },
          ),
        );
      }, timeoutMs);
      const pending: Pending = { resolve, reject, timer, watchdog: null };
      pending.watchdog = setInterval(() => {
        const over = this.#overCap();
        if (over && this.#pending.get(id) === pending) {
          this.#pending.delete(id);
          this.#killForMemory(pending, String(message.type), over);
        }
      }, this.limits.rssPollMs);
      this.#pending.set(id, pending);
      this.#child.send({ ...message, id });
    });
  }

  /** Runs one request after the previous one ended (one run at a time per session). */
  serial<T>(f: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(f, f);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Stops the runner process. */
  close(): void {
    if (!this.#closed) {
      this.#closed = true;
      this.#child.kill('SIGKILL');
    }
  }
}

function classifyLoadError(message: string): FedhubError {
  const unsupported =
    /No Op registered|not a registered function|Could not find an implementation|No opset import|Unsupported|is not supported/i;
  return unsupported.test(message)
    ? new FedhubError('FH_ERR_MODEL_UNSUPPORTED_OP', 'onnxruntime cannot run an operator of the ONNX model', {
        runtime: message,
      })
    : new FedhubError('FH_ERR_MODEL_INVALID', 'onnxruntime refused the ONNX model', { runtime: message });
}

/**
 * Inspects the model (size, graph, domains, external data) and, if it passes, loads it into a fresh runner
 * process. Throws the inspection's errors, FH_ERR_MODEL_UNSUPPORTED_OP or FH_ERR_MODEL_INVALID when
 * onnxruntime refuses it, FH_ERR_MODEL_TIMEOUT when loading runs past the limit.
 */
export async function openOnnxSession(
  bytes: Uint8Array,
  limits: OnnxLimits = DEFAULT_ONNX_LIMITS,
): Promise<OnnxSession> {
  const info = inspectOnnxModel(bytes, limits);
  const session = new OnnxSession(info, limits);
  try {
    const load = { type: 'load', bytes: new Uint8Array(bytes), threads: limits.threads };
    const answer = await session.request(load, limits.loadTimeoutMs);
    if (answer.type === 'error') throw classifyLoadError(answer.message ?? '');
    return session;
  } catch (e) {
    session.close();
    throw e;
  }
}

/**
 * Runs the model on `feeds` (checked against its signature first) and returns its outputs (checked for NaN
 * and size). `fetches` names the outputs wanted (default: all). Errors are coded and carry no data values.
 */
export function runOnnx(
  session: OnnxSession,
  feeds: Readonly<Record<string, OnnxFeed>>,
  fetches?: readonly string[],
): Promise<Record<string, OnnxOutput>> {
  checkFeeds(session.info, feeds, session.limits);
  for (const f of fetches ?? []) {
    if (!session.info.outputs.some((o) => o.name === f)) {
      throw new FedhubError('FH_ERR_MODEL_INPUT_MISMATCH', `The model has no output "${f}"`, { output: f });
    }
  }
  return session.serial(async () => {
    const plain = Object.fromEntries(
      Object.entries(feeds).map(([k, v]) => [k, { type: v.type, data: v.data, dims: [...v.dims] }]),
    );
    const answer = await session.request({
      type: 'run',
      feeds: plain,
      fetches: fetches ? [...fetches] : undefined,
    });
    if (answer.type === 'error') {
      // onnxruntime's run-time messages name inputs, shapes and operators, not values; kept for the node's log
      throw new FedhubError(
        'FH_ERR_MODEL_INPUT_MISMATCH',
        'onnxruntime could not run the model on the given inputs',
        {
          runtime: answer.message,
        },
      );
    }
    const outputs = answer.outputs ?? {};
    checkOutputs(outputs, session.limits);
    return outputs;
  });
}
