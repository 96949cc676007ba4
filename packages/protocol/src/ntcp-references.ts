/**
 * Published LKB NTCP parameters for common organs, shown beside a federated `lkb` fit when the analysed
 * structure maps to one of these AAPM TG-263 names. Reference values, not defaults: they were fitted on
 * other cohorts, fractionations and endpoints, named in each entry.
 *
 * Sources:
 * - Burman C, Kutcher GJ, Emami B, Goitein M. Fitting of normal tissue tolerance data to an analytic
 *   function. Int J Radiat Oncol Biol Phys 1991;21(1):123–135 (the Emami 1991 tolerance doses fitted
 *   with the LKB model; conventional 2 Gy fractions).
 * - QUANTEC 2010, Int J Radiat Oncol Biol Phys 76(3) Suppl: Marks LB et al., lung, S70–S76 (LKB fit
 *   of pooled symptomatic pneumonitis data); Michalski JM et al., rectum, S123–S129 (grade ≥ 2 late
 *   rectal toxicity or bleeding); Pan CC et al., liver, S94–S100 (classic RILD, primary liver cancer,
 *   after Dawson 2002).
 *
 * Checked against the published values (2026-12-07, with the public-text search this project's sessions
 * have; the papers themselves were not available): Burman 1991 rectum (TD50 80 Gy, m 0.15, n 0.12) agrees
 * with a secondary source that quotes Burman et al. for n and m and Emami et al. for TD50 (a prostate
 * hypofractionation NTCP study, reproduced at sykpathway.com/treatments). The whole-organ TD50 values of
 * lungs (24.5), kidneys (28), liver (40), esophagus (68), optic nerve and chiasm (65), brainstem (65),
 * bladder and rectum (80 Gy) agree with Emami's TD50/5 as tabulated by Gay & Niemierko 2007 (Phys Med
 * 23:115) and reproduced in a public EUD-NTCP calculator (github.com/ThirumuruganE/ntcp); Burman's heart
 * TD50 of 48 Gy is his fit, where Emami's table says 50 Gy. The m and n values and the QUANTEC sets were
 * typed from the standard tables and are NOT verified here: check each against the paper before relying
 * on it.
 */

/** One published parameter set. */
export interface NtcpReference {
  source: 'Burman 1991' | 'QUANTEC 2010';
  /** The complication the parameters predict. */
  endpoint: string;
  TD50: number;
  m: number;
  n: number;
}

interface Organ {
  organ: string;
  /** TG-263 structure names that mean this organ. */
  tg263: readonly string[];
  references: readonly NtcpReference[];
}

const b = (endpoint: string, TD50: number, m: number, n: number): NtcpReference => ({
  source: 'Burman 1991',
  endpoint,
  TD50,
  m,
  n,
});
const q = (endpoint: string, TD50: number, m: number, n: number): NtcpReference => ({
  source: 'QUANTEC 2010',
  endpoint,
  TD50,
  m,
  n,
});

/** The table: organ, the TG-263 names that map to it, and its published parameter sets. */
export const NTCP_REFERENCES: readonly Organ[] = [
  {
    organ: 'Lungs',
    tg263: ['Lungs', 'Lung_Total', 'Lungs-GTV', 'Lungs-ITV', 'Lungs-CTV', 'Lungs-PTV'],
    references: [b('pneumonitis', 24.5, 0.18, 0.87), q('symptomatic pneumonitis', 30.8, 0.37, 0.99)],
  },
  { organ: 'Heart', tg263: ['Heart'], references: [b('pericarditis', 48, 0.1, 0.35)] },
  {
    organ: 'Liver',
    tg263: ['Liver', 'Liver-GTV', 'Liver-PTV'],
    references: [
      b('liver failure', 40, 0.15, 0.32),
      q('classic RILD (primary liver cancer)', 39.8, 0.12, 0.97),
    ],
  },
  {
    organ: 'Rectum',
    tg263: ['Rectum'],
    references: [
      b('severe proctitis, necrosis, stenosis, fistula', 80, 0.15, 0.12),
      q('grade ≥ 2 late rectal toxicity', 76.9, 0.13, 0.09),
    ],
  },
  {
    organ: 'Parotid',
    tg263: ['Parotid_L', 'Parotid_R', 'Parotids'],
    references: [b('xerostomia', 46, 0.18, 0.7)],
  },
  { organ: 'Spinal cord', tg263: ['SpinalCord'], references: [b('myelitis, necrosis', 66.5, 0.175, 0.05)] },
  { organ: 'Brainstem', tg263: ['Brainstem'], references: [b('necrosis, infarction', 65, 0.14, 0.16)] },
  {
    organ: 'Esophagus',
    tg263: ['Esophagus'],
    references: [b('clinical stricture, perforation', 68, 0.11, 0.06)],
  },
  {
    organ: 'Bladder',
    tg263: ['Bladder'],
    references: [b('symptomatic contracture, volume loss', 80, 0.11, 0.5)],
  },
  {
    organ: 'Optic nerve and chiasm',
    tg263: ['OpticNrv_L', 'OpticNrv_R', 'OpticChiasm'],
    references: [b('blindness', 65, 0.14, 0.25)],
  },
  {
    organ: 'Femoral head',
    tg263: ['Femur_Head_L', 'Femur_Head_R'],
    references: [b('necrosis', 65, 0.12, 0.25)],
  },
  {
    organ: 'Kidneys',
    tg263: ['Kidneys', 'Kidney_L', 'Kidney_R'],
    references: [b('clinical nephritis', 28, 0.1, 0.7)],
  },
  { organ: 'Stomach', tg263: ['Stomach'], references: [b('ulceration, perforation', 65, 0.14, 0.15)] },
  {
    organ: 'Small bowel',
    tg263: ['Bowel_Small', 'Bag_Bowel'],
    references: [b('obstruction, perforation', 55, 0.16, 0.15)],
  },
];

/**
 * The published parameter sets for a TG-263 structure name (case-insensitive), or null when the name is
 * not one of the organs above.
 *
 * @example
 * ntcpReferencesFor('Rectum')?.references[1] // { source: 'QUANTEC 2010', TD50: 76.9, m: 0.13, n: 0.09, ... }
 */
export function ntcpReferencesFor(structure: string | null | undefined): Organ | null {
  if (!structure) return null;
  const s = structure.trim().toLowerCase();
  return NTCP_REFERENCES.find((o) => o.tg263.some((t) => t.toLowerCase() === s)) ?? null;
}

/** The LKB NTCP at a gEUD for a parameter set: Φ((gEUD − TD50) / (m · TD50)). */
export function lkbNtcp(geudGy: number, ref: Pick<NtcpReference, 'TD50' | 'm'>): number {
  const t = (geudGy - ref.TD50) / (ref.m * ref.TD50);
  return 0.5 * erfc(-t / Math.SQRT2);
}

// complementary error function (Numerical Recipes erfcc, relative error < 1.2e-7: ample for a reference curve)
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}
