/**
 * The index of the node's DICOM store (SQLite): one row per de-identified instance, keyed by its new SOP
 * Instance UID, and one row per quarantined input, keyed by the input's sha256. Only de-identified values
 * are stored here; the original identifiers live only in the encrypted re-identification map and in the
 * quarantine folder, both inside the node.
 */
import type Database from 'better-sqlite3';
import { openNodeStore } from '../sqlite-store.js';

/** Where an instance came from. */
export type IntakeSourceKind = 'c-store' | 'dicomweb' | 'folder';

/** The source of one ingested file: the calling AE title, the DICOMweb URL, or the folder. */
export interface IntakeSource {
  readonly kind: IntakeSourceKind;
  /** Calling AE title, DICOMweb service URL (no credentials) or folder path. */
  readonly name: string;
}

/** One de-identified instance of the store. */
export interface StoredInstance {
  readonly sopInstanceUid: string;
  readonly patientPseudonym: string;
  readonly studyInstanceUid: string;
  readonly seriesInstanceUid: string;
  readonly modality: string | null;
  readonly sopClassUid: string;
  /** Study date as written in the de-identified file (shifted, or null when the profile removes it). */
  readonly studyDate: string | null;
  readonly seriesDescription: string | null;
  readonly doseReport: boolean;
  /** Path relative to the store folder. */
  readonly path: string;
  readonly size: number;
  /** sha256 of the stored (de-identified) file, also its name. */
  readonly sha256: string;
  /** sha256 of the received file, so that the same bytes are never de-identified twice. */
  readonly inputSha256: string;
  readonly ingestedAt: string;
  readonly sourceKind: IntakeSourceKind;
  readonly source: string;
}

/** One quarantined input. */
export interface QuarantinedInput {
  readonly inputSha256: string;
  readonly code: string;
  readonly reason: string;
  /** Path relative to the store folder. */
  readonly path: string;
  readonly size: number;
  readonly quarantinedAt: string;
  readonly sourceKind: IntakeSourceKind;
  readonly source: string;
}

/** A query over the store: every given field must match. */
export interface InstanceQuery {
  readonly modality?: string;
  readonly sopClassUid?: string;
  readonly studyInstanceUid?: string;
  readonly seriesInstanceUid?: string;
  readonly patientPseudonym?: string;
  readonly doseReport?: boolean;
  readonly sourceKind?: IntakeSourceKind;
  readonly limit?: number;
  readonly offset?: number;
}

/** One series of the store with its instance count. */
export interface SeriesSummary {
  readonly studyInstanceUid: string;
  readonly seriesInstanceUid: string;
  readonly patientPseudonym: string;
  readonly modality: string | null;
  readonly seriesDescription: string | null;
  readonly instances: number;
}

interface InstanceRow {
  sop_instance_uid: string;
  patient_pseudonym: string;
  study_uid: string;
  series_uid: string;
  modality: string | null;
  sop_class_uid: string;
  study_date: string | null;
  series_description: string | null;
  dose_report: number;
  path: string;
  size: number;
  sha256: string;
  input_sha256: string;
  ingested_at: string;
  source_kind: IntakeSourceKind;
  source: string;
}

interface QuarantineRow {
  input_sha256: string;
  code: string;
  reason: string;
  path: string;
  size: number;
  quarantined_at: string;
  source_kind: IntakeSourceKind;
  source: string;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS instances (
  sop_instance_uid TEXT PRIMARY KEY,
  patient_pseudonym TEXT NOT NULL,
  study_uid TEXT NOT NULL,
  series_uid TEXT NOT NULL,
  modality TEXT,
  sop_class_uid TEXT NOT NULL,
  study_date TEXT,
  series_description TEXT,
  dose_report INTEGER NOT NULL,
  path TEXT NOT NULL,
  size INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  input_sha256 TEXT NOT NULL,
  ingested_at TEXT NOT NULL,
  source_kind TEXT NOT NULL,
  source TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS instances_series ON instances (series_uid);
CREATE INDEX IF NOT EXISTS instances_study ON instances (study_uid);
CREATE INDEX IF NOT EXISTS instances_patient ON instances (patient_pseudonym);
CREATE INDEX IF NOT EXISTS instances_modality ON instances (modality);
CREATE INDEX IF NOT EXISTS instances_input ON instances (input_sha256);
CREATE TABLE IF NOT EXISTS quarantine (
  input_sha256 TEXT PRIMARY KEY,
  code TEXT NOT NULL,
  reason TEXT NOT NULL,
  path TEXT NOT NULL,
  size INTEGER NOT NULL,
  quarantined_at TEXT NOT NULL,
  source_kind TEXT NOT NULL,
  source TEXT NOT NULL
);`;

function toInstance(r: InstanceRow): StoredInstance {
  return {
    sopInstanceUid: r.sop_instance_uid,
    patientPseudonym: r.patient_pseudonym,
    studyInstanceUid: r.study_uid,
    seriesInstanceUid: r.series_uid,
    modality: r.modality,
    sopClassUid: r.sop_class_uid,
    studyDate: r.study_date,
    seriesDescription: r.series_description,
    doseReport: r.dose_report === 1,
    path: r.path,
    size: r.size,
    sha256: r.sha256,
    inputSha256: r.input_sha256,
    ingestedAt: r.ingested_at,
    sourceKind: r.source_kind,
    source: r.source,
  };
}

function toQuarantined(r: QuarantineRow): QuarantinedInput {
  return {
    inputSha256: r.input_sha256,
    code: r.code,
    reason: r.reason,
    path: r.path,
    size: r.size,
    quarantinedAt: r.quarantined_at,
    sourceKind: r.source_kind,
    source: r.source,
  };
}

/** The SQLite index of a store folder. */
export class StoreIndex {
  private readonly db: Database.Database;

  constructor(file: string) {
    this.db = openNodeStore(file, [SCHEMA]);
  }

  /** The instance with this (de-identified) SOP Instance UID, if stored. */
  instance(sopInstanceUid: string): StoredInstance | undefined {
    const r = this.db.prepare('SELECT * FROM instances WHERE sop_instance_uid = ?').get(sopInstanceUid) as
      | InstanceRow
      | undefined;
    return r ? toInstance(r) : undefined;
  }

  /** What became of an input with this sha256 earlier: a stored instance, a quarantine entry, or nothing. */
  seenInput(inputSha256: string): StoredInstance | QuarantinedInput | undefined {
    const i = this.db.prepare('SELECT * FROM instances WHERE input_sha256 = ? LIMIT 1').get(inputSha256) as
      | InstanceRow
      | undefined;
    if (i) return toInstance(i);
    const q = this.db.prepare('SELECT * FROM quarantine WHERE input_sha256 = ?').get(inputSha256) as
      | QuarantineRow
      | undefined;
    return q ? toQuarantined(q) : undefined;
  }

  /** Inserts or replaces the row of an instance (a re-sent instance with new content replaces the old one). */
  putInstance(i: StoredInstance): void {
    this.db
      .prepare(
        `INSERT INTO instances (sop_instance_uid, patient_pseudonym, study_uid, series_uid, modality, sop_class_uid,
          study_date, series_description, dose_report, path, size, sha256, input_sha256, ingested_at, source_kind, source)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (sop_instance_uid) DO UPDATE SET patient_pseudonym = excluded.patient_pseudonym,
          study_uid = excluded.study_uid, series_uid = excluded.series_uid, modality = excluded.modality,
          sop_class_uid = excluded.sop_class_uid, study_date = excluded.study_date,
          series_description = excluded.series_description, dose_report = excluded.dose_report,
          path = excluded.path, size = excluded.size, sha256 = excluded.sha256, input_sha256 = excluded.input_sha256,
          ingested_at = excluded.ingested_at, source_kind = excluded.source_kind, source = excluded.source`,
      )
      .run(
        i.sopInstanceUid,
        i.patientPseudonym,
        i.studyInstanceUid,
        i.seriesInstanceUid,
        i.modality,
        i.sopClassUid,
        i.studyDate,
        i.seriesDescription,
        i.doseReport ? 1 : 0,
        i.path,
        i.size,
        i.sha256,
        i.inputSha256,
        i.ingestedAt,
        i.sourceKind,
        i.source,
      );
  }

  /** Whether another instance row still points at the stored file `sha256`. */
  fileInUse(sha256: string): boolean {
    return this.db.prepare('SELECT 1 FROM instances WHERE sha256 = ? LIMIT 1').get(sha256) !== undefined;
  }

  putQuarantined(q: QuarantinedInput): void {
    this.db
      .prepare(
        `INSERT OR IGNORE INTO quarantine (input_sha256, code, reason, path, size, quarantined_at, source_kind, source)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(q.inputSha256, q.code, q.reason, q.path, q.size, q.quarantinedAt, q.sourceKind, q.source);
  }

  /** Instances matching every given field, ordered by study, series and SOP Instance UID. */
  find(q: InstanceQuery = {}): StoredInstance[] {
    const where: string[] = [];
    const args: unknown[] = [];
    const eq = (col: string, v: unknown) => {
      if (v === undefined) return;
      where.push(`${col} = ?`);
      args.push(v);
    };
    eq('modality', q.modality);
    eq('sop_class_uid', q.sopClassUid);
    eq('study_uid', q.studyInstanceUid);
    eq('series_uid', q.seriesInstanceUid);
    eq('patient_pseudonym', q.patientPseudonym);
    eq('dose_report', q.doseReport === undefined ? undefined : q.doseReport ? 1 : 0);
    eq('source_kind', q.sourceKind);
    const sql = `SELECT * FROM instances${where.length ? ` WHERE ${where.join(' AND ')}` : ''}
      ORDER BY study_uid, series_uid, sop_instance_uid LIMIT ? OFFSET ?`;
    args.push(q.limit ?? -1, q.offset ?? 0);
    return (this.db.prepare(sql).all(...args) as InstanceRow[]).map(toInstance);
  }

  /** Series of the store (optionally of one patient pseudonym or modality) with their instance counts. */
  series(q: { patientPseudonym?: string; modality?: string } = {}): SeriesSummary[] {
    const where: string[] = [];
    const args: string[] = [];
    if (q.patientPseudonym !== undefined) {
      where.push('patient_pseudonym = ?');
      args.push(q.patientPseudonym);
    }
    if (q.modality !== undefined) {
      where.push('modality = ?');
      args.push(q.modality);
    }
    const rows = this.db
      .prepare(
        `SELECT study_uid, series_uid, MIN(patient_pseudonym) AS patient_pseudonym, MIN(modality) AS modality,
          MIN(series_description) AS series_description, COUNT(*) AS n FROM instances
          ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
          GROUP BY study_uid, series_uid ORDER BY study_uid, series_uid`,
      )
      .all(...args) as Array<{
      study_uid: string;
      series_uid: string;
      patient_pseudonym: string;
      modality: string | null;
      series_description: string | null;
      n: number;
    }>;
    return rows.map((r) => ({
      studyInstanceUid: r.study_uid,
      seriesInstanceUid: r.series_uid,
      patientPseudonym: r.patient_pseudonym,
      modality: r.modality,
      seriesDescription: r.series_description,
      instances: r.n,
    }));
  }

  /** Quarantined inputs, newest first. */
  quarantined(): QuarantinedInput[] {
    return (
      this.db.prepare('SELECT * FROM quarantine ORDER BY quarantined_at DESC').all() as QuarantineRow[]
    ).map(toQuarantined);
  }

  /** Instance and quarantine counts. */
  counts(): { instances: number; quarantined: number; doseReports: number } {
    const c = this.db
      .prepare(
        `SELECT (SELECT COUNT(*) FROM instances) AS i, (SELECT COUNT(*) FROM quarantine) AS q,
          (SELECT COUNT(*) FROM instances WHERE dose_report = 1) AS d`,
      )
      .get() as { i: number; q: number; d: number };
    return { instances: c.i, quarantined: c.q, doseReports: c.d };
  }

  close(): void {
    this.db.close();
  }
}
