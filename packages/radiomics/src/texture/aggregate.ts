import { glcmFeatures, glcmMatrix } from './glcm.js';
import { glrlmMatrix } from './glrlm.js';
import type { LevelGrid, ZRange } from './grid.js';
import { directions2D, directions3D, roiCount } from './grid.js';
import { type CountMatrix, mergeCounts, runLikeFeatures } from './matrix-features.js';
import { mergeNgtdm, neighbourhoodMatrices, ngtdmFeatures } from './neighbourhood.js';
import { zoneMatrices } from './zones.js';

/** Texture aggregation: '2D' gives IBSI 2D and 2.5D features, '3D' gives 3D features. */
export type TextureMode = '2D' | '3D';

/** A feature value with the IBSI tag (suffix included), family and aggregation. */
export interface TextureValue {
  readonly tag: string;
  readonly family: string;
  readonly aggregation: string;
  readonly value: number;
}

function mean(rs: readonly Record<string, number>[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of Object.keys(rs[0] ?? {})) out[k] = rs.reduce((a, r) => a + (r[k] ?? 0), 0) / rs.length;
  return out;
}

function sumArrays(ms: readonly Float64Array[]): Float64Array {
  const out = new Float64Array(ms[0]?.length ?? 0);
  for (const m of ms)
    m.forEach((v, i) => {
      out[i] = (out[i] ?? 0) + v;
    });
  return out;
}

function emit(
  out: TextureValue[],
  family: string,
  aggregation: string,
  suffix: string,
  r: Record<string, number>,
): void {
  for (const [k, v] of Object.entries(r)) out.push({ tag: `${k}_${suffix}`, family, aggregation, value: v });
}

const total = (m: Float64Array) => m.reduce((a, b) => a + b, 0);
const countsOf = (m: CountMatrix) => total(m.m) > 0;

/** All IBSI texture features (GLCM, GLRLM, GLSZM, GLDZM, NGTDM, NGLDM) for the given aggregation mode. */
export function textureFeatures(
  g: LevelGrid,
  morph: Uint8Array,
  mode: TextureMode,
  alpha: number,
): TextureValue[] {
  const out: TextureValue[] = [];
  const ng = g.ng;
  if (mode === '3D') {
    const z: ZRange = [0, g.dims[2]];
    const cms = directions3D.map((d) => glcmMatrix(g, d, z)).filter((m) => total(m) > 0);
    emit(out, 'cm', '3D_avg', '3D_avg', mean(cms.map((m) => glcmFeatures(m, ng))));
    emit(out, 'cm', '3D_comb', '3D_comb', glcmFeatures(sumArrays(cms), ng));
    const rls = directions3D.map((d) => glrlmMatrix(g, d, z));
    emit(out, 'rlm', '3D_avg', '3D_avg', mean(rls.map((m) => runLikeFeatures(m, 'rlm'))));
    emit(out, 'rlm', '3D_comb', '3D_comb', runLikeFeatures(mergeCounts(rls), 'rlm'));
    const zm = zoneMatrices(g, morph, z, false);
    emit(out, 'szm', '3D', '3D', runLikeFeatures(zm.szm, 'szm'));
    emit(out, 'dzm', '3D', '3D', runLikeFeatures(zm.dzm, 'dzm'));
    const nb = neighbourhoodMatrices(g, z, false, alpha);
    emit(out, 'ngt', '3D', '3D', ngtdmFeatures(nb.ngtdm));
    emit(out, 'ngl', '3D', '3D', runLikeFeatures(nb.ngldm, 'ngl'));
    return out;
  }
  const slices: ZRange[] = [];
  for (let k = 0; k < g.dims[2]; k++) if (roiCount(g, [k, k + 1]) > 0) slices.push([k, k + 1]);
  const cm = slices.map((z) => directions2D.map((d) => glcmMatrix(g, d, z)));
  const cmAll = cm.flat().filter((m) => total(m) > 0);
  emit(out, 'cm', '2D_avg', '2D_avg', mean(cmAll.map((m) => glcmFeatures(m, ng))));
  const cmSlice = cm.map((s) => sumArrays(s)).filter((m) => total(m) > 0);
  emit(out, 'cm', '2D_comb', '2D_comb', mean(cmSlice.map((m) => glcmFeatures(m, ng))));
  const cmDir = directions2D
    .map((_, d) => sumArrays(cm.map((s) => s[d] as Float64Array)))
    .filter((m) => total(m) > 0);
  emit(out, 'cm', '2_5D_avg', '2_5D_avg', mean(cmDir.map((m) => glcmFeatures(m, ng))));
  emit(out, 'cm', '2_5D_comb', '2_5D_comb', glcmFeatures(sumArrays(cmDir), ng));
  const rl = slices.map((z) => directions2D.map((d) => glrlmMatrix(g, d, z)));
  emit(
    out,
    'rlm',
    '2D_avg',
    '2D_avg',
    mean(
      rl
        .flat()
        .filter(countsOf)
        .map((m) => runLikeFeatures(m, 'rlm')),
    ),
  );
  emit(out, 'rlm', '2D_comb', '2D_comb', mean(rl.map((s) => runLikeFeatures(mergeCounts(s), 'rlm'))));
  const rlDir = directions2D.map((_, d) => mergeCounts(rl.map((s) => s[d] as CountMatrix)));
  emit(out, 'rlm', '2_5D_avg', '2_5D_avg', mean(rlDir.map((m) => runLikeFeatures(m, 'rlm'))));
  emit(out, 'rlm', '2_5D_comb', '2_5D_comb', runLikeFeatures(mergeCounts(rlDir), 'rlm'));
  const zm = slices.map((z) => zoneMatrices(g, morph, z, true));
  emit(out, 'szm', '2D', '2D', mean(zm.map((q) => runLikeFeatures(q.szm, 'szm'))));
  emit(out, 'szm', '2_5D', '2_5D', runLikeFeatures(mergeCounts(zm.map((q) => q.szm)), 'szm'));
  emit(out, 'dzm', '2D', '2D', mean(zm.map((q) => runLikeFeatures(q.dzm, 'dzm'))));
  emit(out, 'dzm', '2_5D', '2_5D', runLikeFeatures(mergeCounts(zm.map((q) => q.dzm)), 'dzm'));
  const nb = slices.map((z) => neighbourhoodMatrices(g, z, true, alpha));
  emit(out, 'ngt', '2D', '2D', mean(nb.map((q) => ngtdmFeatures(q.ngtdm))));
  emit(out, 'ngt', '2_5D', '2_5D', ngtdmFeatures(mergeNgtdm(nb.map((q) => q.ngtdm))));
  emit(out, 'ngl', '2D', '2D', mean(nb.map((q) => runLikeFeatures(q.ngldm, 'ngl'))));
  emit(out, 'ngl', '2_5D', '2_5D', runLikeFeatures(mergeCounts(nb.map((q) => q.ngldm)), 'ngl'));
  return out;
}
