/**
 * Names in a DICOM File-set (PS3.10 section 8): the DICOMDIR's name, File ID components, and where a
 * de-identified file goes in one. Kept apart from the DICOMDIR builder (`fileset.ts`) so that a folder run
 * can lay out its output without loading the DICOM parser and writer.
 */
import { createHash } from 'node:crypto';
import { join, sep } from 'node:path';
import { base32 } from './pseudonym.js';

/** The name of a File-set's directory file (PS3.10 8.6). */
export const DICOMDIR_NAME = 'DICOMDIR';

/** True for a file named DICOMDIR (any case: media written on other systems). */
export function isDicomdirName(name: string): boolean {
  return name.toUpperCase() === DICOMDIR_NAME;
}

/** A File ID component (PS3.10 8.2): 1-8 characters of upper-case letters, digits and underscore. */
const COMPONENT = /^[A-Z0-9_]{1,8}$/;

/** True when `rel` (relative to the File-set root) can be a Referenced File ID: at most 8 valid components. */
export function isFileIdPath(rel: string): boolean {
  const parts = rel.split(sep);
  return parts.length <= 8 && parts.every((p) => COMPONENT.test(p));
}

/** 8 base32 characters (A-Z, 2-7: valid in a File ID) of SHA-256 of a de-identified value. */
function component(value: string): string {
  return base32(createHash('sha256').update(value, 'latin1').digest().subarray(0, 5));
}

/**
 * Where a de-identified file goes in a File-set: `<patient>/<study>/<series>/<instance>`, each 8 characters:
 * the pseudonym's first 8 base32 characters, then a hash of the de-identified study, series and SOP Instance
 * UIDs (never an input value). Two patients whose pseudonyms share 8 characters share a folder, which is
 * harmless: the DICOMDIR's records tell patients apart by their keys, and files never overwrite each other.
 */
export function fileSetOutputPath(
  pseudonym: string,
  uids?: { study?: string; series?: string; sopInstance?: string },
): string {
  const patient =
    pseudonym
      .replace(/^FH-/, '')
      .slice(0, 8)
      .toUpperCase()
      .replace(/[^A-Z0-9_]/g, '_') || 'PATIENT';
  return join(
    patient,
    component(`study:${uids?.study ?? ''}`),
    component(`series:${uids?.series ?? ''}`),
    component(`instance:${uids?.sopInstance ?? ''}`),
  );
}
