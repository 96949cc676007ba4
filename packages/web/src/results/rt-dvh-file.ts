/**
 * Reads the output of `fedhub rt dvh --json` (read in the browser from the user's own file; nothing is
 * sent anywhere) into per-structure cumulative DVH curves, to draw a plan beside population bands.
 */
import { z } from 'zod';
import type { DvhCurve } from './dvh-plot.js';

const RtDvhJsonSchema = z.looseObject({
  cases: z.array(
    z.looseObject({
      structureSetFile: z.string().optional(),
      structures: z.array(
        z.looseObject({
          name: z.string(),
          standardName: z.string().nullable().optional(),
          cumulative: z.looseObject({ doseGy: z.array(z.number()), volumePct: z.array(z.number()) }),
        }),
      ),
    }),
  ),
});

/**
 * The curves of the file's structures named `structure` (TG-263 or local name; every structure when
 * null), labelled by case and name; or the reason the file cannot be read as `rt dvh --json` output.
 */
export function curvesFromRtDvhJson(
  text: string,
  structure: string | null,
): { curves: DvhCurve[]; available: string[] } | { error: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { error: 'the file is not JSON: choose the output of "fedhub rt dvh --json"' };
  }
  const parsed = RtDvhJsonSchema.safeParse(json);
  if (!parsed.success)
    return {
      error: 'the file is not the output of "fedhub rt dvh --json" (no cases with structures and curves)',
    };
  const many = parsed.data.cases.length > 1;
  const curves: DvhCurve[] = [];
  const available = new Set<string>();
  parsed.data.cases.forEach((c, i) => {
    for (const s of c.structures) {
      available.add(s.standardName ?? s.name);
      if (structure !== null && s.standardName !== structure && s.name !== structure) continue;
      curves.push({
        name: `${many ? `case ${i + 1}: ` : ''}${s.name}${s.standardName && s.standardName !== s.name ? ` (${s.standardName})` : ''}`,
        doseGy: s.cumulative.doseGy,
        volumePct: s.cumulative.volumePct,
      });
    }
  });
  return { curves, available: [...available].sort() };
}
