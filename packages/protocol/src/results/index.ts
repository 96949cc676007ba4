/**
 * The result schemas of the built-in algorithms, by algorithm name: each algorithm's `resultSchema` is
 * one of these, and the web and the sdk read results by them.
 */
import type { z } from 'zod';
import { CoxphResultSchema } from './coxph.js';
import { ChisqResultSchema, CrosstabResultSchema } from './crosstab.js';
import { DrlSurveyResultSchema } from './drl-survey.js';
import { DvhBandsResultSchema } from './dvh-bands.js';
import { DvhExtractResultSchema } from './dvh-extract.js';
import { GlmResultSchema } from './glm.js';
import { KmResultSchema } from './km.js';
import { LkbResultSchema } from './lkb.js';
import { PingResultSchema } from './ping.js';
import { QuantilesResultSchema } from './quantiles.js';
import { RadiomicsExtractResultSchema } from './radiomics-extract.js';
import { SummaryResultSchema } from './summary.js';
import { TtestResultSchema } from './ttest.js';
import { ValidateResultSchema } from './validate.js';
import { ValidateImagingResultSchema } from './validate-imaging.js';
import { ValidateSurvivalResultSchema } from './validate-survival.js';

export * from './common.js';
export * from './coxph.js';
export * from './crosstab.js';
export * from './drl-survey.js';
export * from './dvh-bands.js';
export * from './dvh-extract.js';
export * from './glm.js';
export * from './km.js';
export * from './lkb.js';
export * from './ping.js';
export * from './quantiles.js';
export * from './radiomics-extract.js';
export * from './summary.js';
export * from './ttest.js';
export * from './validate.js';
export * from './validate-imaging.js';
export * from './validate-survival.js';

/**
 * Result schema by algorithm name.
 *
 * @example
 * RESULT_SCHEMAS.glm?.safeParse(task.result).success;
 */
export const RESULT_SCHEMAS: Readonly<Record<string, z.ZodType>> = {
  ping: PingResultSchema,
  summary: SummaryResultSchema,
  crosstab: CrosstabResultSchema,
  chisq: ChisqResultSchema,
  quantiles: QuantilesResultSchema,
  ttest: TtestResultSchema,
  glm: GlmResultSchema,
  coxph: CoxphResultSchema,
  km: KmResultSchema,
  validate: ValidateResultSchema,
  'validate-survival': ValidateSurvivalResultSchema,
  'drl-survey': DrlSurveyResultSchema,
  'radiomics-extract': RadiomicsExtractResultSchema,
  lkb: LkbResultSchema,
  'dvh-extract': DvhExtractResultSchema,
  'dvh-bands': DvhBandsResultSchema,
  'validate-imaging': ValidateImagingResultSchema,
};
