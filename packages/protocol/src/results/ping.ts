import { z } from 'zod';
import { ResultNodes } from './common.js';

/**
 * A `ping` result: the nodes that answered.
 *
 * @example
 * PingResultSchema.parse({ algorithm: 'ping', nodes: ['Centre A', 'Centre B'] });
 */
export const PingResultSchema = z.looseObject({ algorithm: z.literal('ping'), nodes: ResultNodes });
export type PingResult = z.infer<typeof PingResultSchema>;
