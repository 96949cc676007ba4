import { type GlmFamily, type GlmFamilySpec, glmFamily } from './family.js';
import { type GlmNodeData, GlmScalar, glmPartialSize } from './partial.js';

const BOUNDARY_EPS = 10 * 2.220446049250313e-16;

/**
 * The GLM partial computed row by row from the family table (R's glm.fit written out plainly): the slow
 * reference that the fast inlined loop of {@link glmLocalPartial} must equal for every family (see
 * partial-reference.test.ts). Not used in production.
 */
export function glmReferencePartial(
  data: GlmNodeData,
  spec: GlmFamilySpec | GlmFamily,
  beta: Float64Array | null,
): Float64Array {
  const fam = glmFamily(spec);
  const { x, p, y, n } = data;
  const out = new Float64Array(glmPartialSize(p));
  const s = p * p + p;
  for (let i = 0; i < n; i++) {
    const w = data.weights ? data.weights[i]! : 1;
    const off = data.offset ? data.offset[i]! : 0;
    let eta = off;
    if (beta) for (let j = 0; j < p; j++) eta += x[i * p + j]! * beta[j]!;
    else eta = fam.linkfun(fam.muStart(y[i]!, w));
    const mu = fam.linkinv(eta);
    const me = fam.muEta(eta);
    const v = fam.variance(mu);
    out[s + GlmScalar.deviance]! += fam.devResid(y[i]!, mu, w);
    out[s + GlmScalar.aicSum]! += fam.aicTerm(y[i]!, mu, w);
    out[s + GlmScalar.pearson]! += (w * (y[i]! - mu) ** 2) / v;
    out[s + GlmScalar.sumW]! += w;
    out[s + GlmScalar.sumWY]! += w * y[i]!;
    const onBoundary =
      fam.kernel === 'logit' ? Math.abs(eta) > 30 : fam.kernel === 'log-poisson' ? mu < BOUNDARY_EPS : false;
    if (onBoundary) out[s + GlmScalar.boundary]! += 1;
    if (!(w > 0)) continue;
    out[s + GlmScalar.nObs]! += 1;
    const ww = (w * me * me) / v;
    const z = eta - off + (y[i]! - mu) / me;
    for (let j = 0; j < p; j++) {
      out[p * p + j]! += ww * z * x[i * p + j]!;
      for (let k = j; k < p; k++) out[j * p + k]! += ww * x[i * p + j]! * x[i * p + k]!;
    }
  }
  return out;
}
