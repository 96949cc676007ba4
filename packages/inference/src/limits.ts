/** Limits under which an untrusted ONNX model is read and run. A node may tighten them in its config. */
export interface OnnxLimits {
  /** Largest model file accepted, in bytes. */
  readonly maxModelBytes: number;
  /** Threads onnxruntime may use inside one operator (intra-op) and across operators (inter-op). */
  readonly threads: number;
  /** Wall-clock limit for one run, in milliseconds: past it the runner process is killed. */
  readonly runTimeoutMs: number;
  /** Wall-clock limit for starting the runner and loading the model, in milliseconds. */
  readonly loadTimeoutMs: number;
  /** Largest number of elements fed to the model in one run, over all inputs. */
  readonly maxInputElements: number;
  /** Largest number of elements the model may return in one run, over all outputs. */
  readonly maxOutputElements: number;
  /** V8 heap cap of the runner process in MiB (`--max-old-space-size`: the feeds and outputs' JS copies). */
  readonly runnerHeapMiB: number;
  /**
   * Resident memory cap of the runner process in MiB (onnxruntime's native buffers included: intermediate
   * tensors are not bounded by the element caps). A watchdog reads the process's resident set and its peak
   * while a request is open and kills the runner past the cap (FH_ERR_MODEL_MEMORY). Linux (/proc) only.
   */
  readonly maxRunnerRssMiB: number;
  /** How often the watchdog reads the runner's memory while a request is open, in milliseconds. */
  readonly rssPollMs: number;
}

export const DEFAULT_ONNX_LIMITS: OnnxLimits = Object.freeze({
  maxModelBytes: 64 * 1024 * 1024,
  threads: 1,
  runTimeoutMs: 60_000,
  loadTimeoutMs: 30_000,
  maxInputElements: 64 * 1024 * 1024,
  maxOutputElements: 64 * 1024 * 1024,
  runnerHeapMiB: 512,
  maxRunnerRssMiB: 2048,
  rssPollMs: 25,
});

/** Limits with some fields overridden; every number must be positive. */
export function onnxLimits(overrides: Partial<OnnxLimits> = {}): OnnxLimits {
  const merged = { ...DEFAULT_ONNX_LIMITS, ...overrides };
  for (const [k, v] of Object.entries(merged)) {
    if (!(Number.isFinite(v) && v > 0)) throw new RangeError(`ONNX limit ${k} must be a positive number`);
  }
  return Object.freeze(merged);
}
