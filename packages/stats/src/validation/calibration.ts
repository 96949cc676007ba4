import { StatsError, StatsErrorCode } from '../errors.js';
import { fitGlmFederated } from '../glm/fit.js';
import type { GlmNodeData } from '../glm/partial.js';
import type { GlmSummary } from '../glm/summary.js';

function logits(p: Float64Array): Float64Array {
  return p.map((v, i) => {
    if (!(v > 0 && v < 1)) {
      throw new StatsError(
        StatsErrorCode.InvalidArgument,
        `calibration: predicted probability p[${i}] = ${v} not in (0, 1)`,
      );
    }
    return Math.log(v / (1 - v));
  });
}

/** Node data for the calibration slope: binomial GLM of y on [1, logit(p)]. */
export function calibrationSlopeNodeData(y: Float64Array, p: Float64Array): GlmNodeData {
  const lp = logits(p);
  const x = new Float64Array(2 * y.length);
  for (let i = 0; i < y.length; i++) {
    x[2 * i] = 1;
    x[2 * i + 1] = lp[i]!;
  }
  return { x, n: y.length, p: 2, y };
}

/** Node data for calibration-in-the-large: binomial GLM y ~ 1 with offset logit(p). */
export function calibrationInLargeNodeData(y: Float64Array, p: Float64Array): GlmNodeData {
  return { x: new Float64Array(y.length).fill(1), n: y.length, p: 1, y, offset: logits(p) };
}

/** Calibration slope and intercept (in the large) of a frozen model, both with R glm summaries. */
export interface CalibrationResult {
  /** Coefficient of logit(p) in glm(y ~ logit(p), binomial); 1 is perfect. */
  readonly slope: number;
  readonly slopeStdError: number;
  /** Intercept of glm(y ~ 1, offset = logit(p), binomial); 0 is perfect. */
  readonly interceptInLarge: number;
  readonly interceptInLargeStdError: number;
  readonly slopeFit: GlmSummary;
  readonly interceptFit: GlmSummary;
}

/** Federated calibration over in-memory nodes (each with its y and predicted p), reusing the GLM. */
export function calibrationFederated(
  nodes: readonly { y: Float64Array; p: Float64Array }[],
): CalibrationResult {
  const slopeFit = fitGlmFederated(
    nodes.map((d) => calibrationSlopeNodeData(d.y, d.p)),
    'binomial',
    ['(Intercept)', 'logit(p)'],
  );
  const interceptFit = fitGlmFederated(
    nodes.map((d) => calibrationInLargeNodeData(d.y, d.p)),
    'binomial',
    ['(Intercept)'],
  );
  return {
    slope: slopeFit.estimate[1]!,
    slopeStdError: slopeFit.stdError[1]!,
    interceptInLarge: interceptFit.estimate[0]!,
    interceptInLargeStdError: interceptFit.stdError[0]!,
    slopeFit,
    interceptFit,
  };
}
