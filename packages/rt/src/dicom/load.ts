/**
 * Groups parsed RT objects into cases: per frame of reference, a structure set, the dose (the plan dose,
 * or the sum of per-beam doses, summed over plans) and the plan. Objects of other classes (CT images...)
 * and files that are not DICOM Part 10 are ignored. A structure set with no dose on its frame of reference is refused, naming the file.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { FedhubError } from '@fedhub/protocol';
import { parseRtFile } from './parse.js';
import { type DoseGrid, isRtDose, readRtDose, sumDoseGrids } from './rtdose.js';
import { isRtPlan, type RtPlan, readRtPlan } from './rtplan.js';
import { isRtStruct, readRtStruct, type StructureSet } from './rtstruct.js';

/** One structure set with the dose and plan on its frame of reference. */
export interface RtCase {
  readonly patientId: string | undefined;
  readonly frameOfReferenceUid: string;
  readonly structureSet: StructureSet;
  readonly dose: DoseGrid;
  readonly plan: RtPlan | undefined;
}

export interface RtFile {
  readonly name: string;
  readonly bytes: Uint8Array;
}

/** Parses the files and pairs each structure set with its dose and plan (see the module comment). */
export function groupRtCases(files: readonly RtFile[]): { cases: RtCase[]; ignored: number } {
  const doses: DoseGrid[] = [];
  const sets: StructureSet[] = [];
  const plans: RtPlan[] = [];
  let ignored = 0;
  for (const f of files) {
    // files without the Part 10 preamble (notes, DICOMDIR-less exports' extras) are not DICOM: skipped
    const b = f.bytes;
    if (b.byteLength < 132 || b[128] !== 0x44 || b[129] !== 0x49 || b[130] !== 0x43 || b[131] !== 0x4d) {
      ignored++;
      continue;
    }
    const d = parseRtFile(f.bytes, f.name);
    if (isRtDose(d)) doses.push(readRtDose(d));
    else if (isRtStruct(d)) sets.push(readRtStruct(d));
    else if (isRtPlan(d)) plans.push(readRtPlan(d));
    else ignored++;
  }
  if (sets.length === 0)
    throw new FedhubError('FH_ERR_RT_INCOMPLETE', `no RT Structure Set among ${files.length} file(s)`);
  if (doses.length === 0)
    throw new FedhubError('FH_ERR_RT_INCOMPLETE', `no RT Dose among ${files.length} file(s)`);
  const cases = sets.map((s): RtCase => {
    const frame = s.frameOfReferenceUid;
    const onFrame = doses.filter((g) => g.frameOfReferenceUid === frame);
    if (frame === undefined || onFrame.length === 0)
      throw new FedhubError(
        'FH_ERR_RT_FRAME_MISMATCH',
        `${s.where}: no RT Dose on the structure set's frame of reference ${frame ?? '(none)'} (doses are on ${[...new Set(doses.map((g) => g.frameOfReferenceUid))].join(', ')})`,
        { file: s.where },
      );
    // the plan the dose references (an RT Plan need not carry a frame of reference), else one on the frame
    const referenced = new Set(onFrame.map((g) => g.planUid).filter((u) => u !== undefined));
    const plan =
      plans.find((p) => p.sopInstanceUid !== undefined && referenced.has(p.sopInstanceUid)) ??
      plans.find((p) => p.frameOfReferenceUid === frame);
    return {
      patientId: s.patientId,
      frameOfReferenceUid: frame,
      structureSet: s,
      dose: courseDose(onFrame),
      plan,
    };
  });
  return { cases, ignored };
}

/** Per plan the plan dose (or the sum of its beam doses); the course dose is the sum over plans. */
function courseDose(grids: readonly DoseGrid[]): DoseGrid {
  const byPlan = new Map<string, DoseGrid[]>();
  grids.forEach((g, i) => {
    const key = g.planUid ?? `#${i}`;
    byPlan.set(key, [...(byPlan.get(key) ?? []), g]);
  });
  const perPlan = [...byPlan.values()].map((gs) => {
    const whole = gs.filter((g) => g.summationType !== 'BEAM');
    return whole.length === 1 ? whole[0]! : sumDoseGrids(whole.length > 0 ? whole : gs);
  });
  return perPlan.length === 1 ? perPlan[0]! : sumDoseGrids(perPlan);
}

/** Reads files and folders (recursively, every regular file) into memory, in a stable order. */
export async function readRtPaths(paths: readonly string[]): Promise<RtFile[]> {
  const out: RtFile[] = [];
  const visit = async (p: string): Promise<void> => {
    const st = await stat(p).catch(() => {
      throw new FedhubError('FH_ERR_RT_UNREADABLE', `${p}: no such file or folder`);
    });
    if (st.isDirectory()) {
      const names = (await readdir(p)).sort();
      for (const n of names) await visit(join(p, n));
    } else if (st.isFile()) out.push({ name: p, bytes: new Uint8Array(await readFile(p)) });
  };
  for (const p of paths) await visit(p);
  return out;
}
