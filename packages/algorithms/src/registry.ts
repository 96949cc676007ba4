import { coxph } from './coxph/coxph.js';
import { crosstab } from './crosstab/crosstab.js';
import { chisq } from './descriptive-tests/chisq.js';
import { quantiles } from './descriptive-tests/quantiles.js';
import { ttest } from './descriptive-tests/ttest.js';
import { drlSurvey } from './drl-survey/drl-survey.js';
import { dvhBands } from './dvh-bands/dvh-bands.js';
import { dvhExtract } from './dvh-extract/dvh-extract.js';
import { glm } from './glm/glm.js';
import { km } from './km/km.js';
import { lkb } from './lkb/lkb.js';
import { ping } from './ping/ping.js';
import { radiomicsExtract } from './radiomics-extract/radiomics-extract.js';
import { summary } from './summary/summary.js';
import type { FederatedAlgorithm } from './types.js';
import { validate } from './validate/validate.js';
import { validateSurvival } from './validate/validate-survival.js';
import { validateImaging } from './validate-imaging/validate-imaging.js';

/** Every built-in algorithm, newest version last for each name. */
// the registry holds algorithms of different parameter, input, state, payload and result types; the hub and
// the node see them through JSON, and each algorithm checks its inputs and payloads by its own schemas
// biome-ignore lint/suspicious/noExplicitAny: see above
const BUILT_IN: ReadonlyArray<FederatedAlgorithm<any, any, any, any, any>> = [
  ping,
  summary,
  crosstab,
  quantiles,
  ttest,
  chisq,
  glm,
  coxph,
  km,
  validate,
  validateSurvival,
  drlSurvey,
  radiomicsExtract,
  lkb,
  dvhExtract,
  validateImaging,
  dvhBands,
];

/** All built-in algorithms. */
export function listAlgorithms(): ReadonlyArray<FederatedAlgorithm<unknown>> {
  return BUILT_IN;
}

/** The algorithm `name` at `version` (the latest when omitted), or undefined. */
export function getAlgorithm(name: string, version?: string): FederatedAlgorithm<unknown> | undefined {
  const candidates = BUILT_IN.filter(
    (a) => a.name === name && (version === undefined || a.version === version),
  );
  return candidates.at(-1);
}
