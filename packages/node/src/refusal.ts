/**
 * What a refusal tells the hub: the rule's code, the catalogue's text for it, the algorithm, and at most
 * the parameter at fault as a path into the task's own parameters. Nothing an algorithm or a check wrote
 * crosses: their messages and details may hold counts, level labels, values or row numbers (a refusal
 * that says "the selection holds 1 records" or names the cell `age=47, toxicity=1` answers a question
 * about a patient). The full error stays in the node's log.
 *
 * The allow-list is the shape of the body itself: `details` is built here from two keys only.
 */
import {
  ERROR_CATALOGUE,
  type ErrorBody,
  type FedhubError,
  isErrorCode,
  type RunAssignment,
} from '@fedhub/protocol';

/** A path segment: a parameter's key (as the schema or the researcher wrote it) or an array index. */
const SEGMENT = /^(?:[A-Za-z_][A-Za-z0-9_-]{0,62}|\d{1,4})$/;

function child(value: unknown, key: string): { found: boolean; value: unknown } {
  if (value !== null && typeof value === 'object' && Object.hasOwn(value, key))
    return { found: true, value: (value as Record<string, unknown>)[key] };
  return { found: false, value: undefined };
}

/**
 * `path` when it names a place in `params` (or a missing key of an object there, as a required
 * parameter left out): a path of the researcher's own parameters, never a value read from data.
 */
function parameterPath(params: unknown, path: string): string | undefined {
  const segments = path.split('.');
  if (path === '' || !segments.every((s) => SEGMENT.test(s))) return undefined;
  let at: unknown = params;
  for (let i = 0; i < segments.length; i++) {
    const next = child(at, segments[i]!);
    if (!next.found) {
      const last = i === segments.length - 1;
      return last && at !== null && typeof at === 'object' && !Array.isArray(at) ? path : undefined;
    }
    at = next.value;
  }
  return path;
}

/** The path of the first parameter whose value is `value` (a column an error names), if any. */
function pathOfValue(params: unknown, value: string, prefix = '', depth = 0): string | undefined {
  if (depth > 6 || params === null || typeof params !== 'object') return undefined;
  for (const [k, v] of Object.entries(params)) {
    if (!SEGMENT.test(k)) continue;
    const here = prefix ? `${prefix}.${k}` : k;
    if (v === value) return here;
    const deeper = pathOfValue(v, value, here, depth + 1);
    if (deeper) return deeper;
  }
  return undefined;
}

/** The parameter an error is about, as a path into `params`, where the error says which. */
export function parameterAtFault(err: FedhubError, params: unknown): string | undefined {
  const d = err.details;
  if (d === null || typeof d !== 'object') return undefined;
  const { parameter, column, dataset } = d as { parameter?: unknown; column?: unknown; dataset?: unknown };
  if (typeof parameter === 'string') {
    const p = parameterPath(params, parameter);
    if (p) return p;
  }
  if (typeof column === 'string') return pathOfValue(params, column);
  if (typeof dataset === 'string') return pathOfValue(params, dataset);
  return undefined;
}

/**
 * The body sent to the hub for a refusal or failure at this node. With `beforeData` (the run was refused
 * before its local half read anything: unknown algorithm, parameters, study gate, approvals) the check's
 * own message goes too, as it can hold nothing read from data; otherwise only the catalogue's text.
 *
 * @example
 * refusalBody(new FedhubError('FH_ERR_SMALL_CELL', 'age=47: 1 record'), run, 'Centre A')
 * // { code: 'FH_ERR_SMALL_CELL', message: 'Centre A: A released count is below the minimum cell count',
 * //   details: { algorithm: 'glm@1.2.0' } }
 */
export function refusalBody(
  err: FedhubError,
  run: RunAssignment,
  nodeName: string,
  opts: { beforeData?: boolean } = {},
): ErrorBody {
  const code = isErrorCode(err.code) ? err.code : 'FH_ERR_ALGORITHM_FAILED';
  const parameter = parameterAtFault(err, run.params);
  const text = opts.beforeData === true ? err.message : ERROR_CATALOGUE[code].message;
  return {
    code,
    message: `${nodeName}: ${text}${parameter ? ` (parameter ${parameter})` : ''}`,
    details: { algorithm: `${run.algorithm}@${run.version}`, ...(parameter ? { parameter } : {}) },
  };
}
