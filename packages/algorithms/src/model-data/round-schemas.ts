/**
 * Pieces of the round-input and payload schemas shared by the model algorithms (glm, coxph, validate,
 * validate-survival): the agreed factor levels and a coefficient vector.
 */
import { z } from 'zod';

/** The factor levels agreed in the first round, by column (the design's columns follow them). */
export const FactorLevels = z.record(z.string(), z.array(z.string()));

/** A coefficient vector (the hub's current estimate, or a frozen model's). */
export const Coefficients = z.array(z.number());

/** A factor's declared levels, as the nodes send them in the levels round (in the additive vector's order). */
export const DeclaredLevels = z.array(z.tuple([z.string(), z.array(z.string())]));
