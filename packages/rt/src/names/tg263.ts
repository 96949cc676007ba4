/**
 * Structure names: a node's mapping from local ROI names to AAPM TG-263 standard names (node config
 * `rt.structureNames: { local: standard }`). A name already standard (from the common TG-263 organ names
 * below, or a target name GTV/CTV/ITV/PTV with an optional suffix) maps to itself; anything else is
 * reported as unmapped.
 */

/** Common TG-263 (2018) organ-at-risk names; not the whole table. */
export const TG263_NAMES: ReadonlySet<string> = new Set([
  'A_Aorta',
  'Bag_Bowel',
  'Bladder',
  'Bone_Mandible',
  'Bowel',
  'Bowel_Large',
  'Bowel_Small',
  'BrachialPlex_L',
  'BrachialPlex_R',
  'Brain',
  'Brainstem',
  'Breast_L',
  'Breast_R',
  'Bronchus',
  'Canal_Anal',
  'Carina',
  'Cavity_Oral',
  'Cochlea_L',
  'Cochlea_R',
  'Colon',
  'Colon_Sigmoid',
  'Duodenum',
  'Esophagus',
  'External',
  'Eye_L',
  'Eye_R',
  'Femur_Head_L',
  'Femur_Head_R',
  'Glnd_Lacrimal_L',
  'Glnd_Lacrimal_R',
  'Glnd_Submand_L',
  'Glnd_Submand_R',
  'Glnd_Thyroid',
  'Heart',
  'Hippocampus_L',
  'Hippocampus_R',
  'Kidney_L',
  'Kidney_R',
  'Kidneys',
  'Larynx',
  'Lens_L',
  'Lens_R',
  'Lips',
  'Liver',
  'Lung_L',
  'Lung_R',
  'Lungs',
  'Musc_Constrict',
  'OpticChiasm',
  'OpticNrv_L',
  'OpticNrv_R',
  'Pancreas',
  'Parotid_L',
  'Parotid_R',
  'Parotids',
  'PenileBulb',
  'Pituitary',
  'Prostate',
  'Rectum',
  'Rib',
  'SeminalVes',
  'Skin',
  'SpinalCanal',
  'SpinalCord',
  'Spleen',
  'Stomach',
  'Trachea',
  'Urethra',
  'Uterus',
  'V_Venacava_I',
  'V_Venacava_S',
]);

const TARGET = /^(GTV|CTV|ITV|PTV)(_[A-Za-z0-9^.]+)*$/;

/** True for a TG-263 name of the list above or a target name (PTV, PTV_6000, CTV_High...). */
export function isStandardName(name: string): boolean {
  return TG263_NAMES.has(name) || TARGET.test(name);
}

/** The standard name of `local` under `map` (exact key, then case-insensitive), else itself if standard, else null. */
export function standardName(local: string, map: Readonly<Record<string, string>>): string | null {
  const exact = map[local];
  if (exact !== undefined) return exact;
  const lower = local.toLowerCase();
  for (const [k, v] of Object.entries(map)) if (k.toLowerCase() === lower) return v;
  return isStandardName(local) ? local : null;
}

/** Which local names map to which standard name, and which do not map. */
export function nameReport(
  locals: readonly string[],
  map: Readonly<Record<string, string>>,
): { mapped: Record<string, string>; unmapped: string[]; nonStandardTargets: string[] } {
  const mapped: Record<string, string> = {};
  const unmapped = new Set<string>();
  for (const l of locals) {
    const s = standardName(l, map);
    if (s === null) unmapped.add(l);
    else mapped[l] = s;
  }
  // mapping values that are themselves not standard names (a typo in the config)
  const nonStandardTargets = [...new Set(Object.values(map))].filter((v) => !isStandardName(v)).sort();
  return { mapped, unmapped: [...unmapped].sort(), nonStandardTargets };
}
