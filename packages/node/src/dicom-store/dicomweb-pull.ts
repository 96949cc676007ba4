/**
 * DICOMweb pull: QIDO-RS finds the studies (and their series) that match, WADO-RS retrieves each series as
 * multipart/related; type="application/dicom", streamed part by part, and every instance goes through
 * de-identification into the node's store. Credentials come from the config and are sent only in the
 * Authorization header; messages name the service root and the resource kind, never credentials or UIDs.
 */
import { FedhubError } from '@fedhub/protocol';
import type { ResolvedDicomWebSource } from './dicom-config.js';
import type { DicomStore, IngestOutcome } from './dicom-store.js';
import { boundaryOf, readMultipart } from './multipart-related.js';

/** What to pull; every given field must match (QIDO-RS query keys). */
export interface PullQuery {
  readonly studyInstanceUid?: string;
  readonly patientId?: string;
  /** Modality: studies whose ModalitiesInStudy include it, and only their series of that modality. */
  readonly modality?: string;
  /** Studies on or after this date (YYYYMMDD or YYYY-MM-DD). */
  readonly since?: string;
}

/** Progress of a pull, after each instance. */
export interface PullProgress {
  readonly studies: number;
  readonly series: number;
  readonly seriesDone: number;
  readonly instances: number;
  /** Instances expected, from the series' Number of Series Related Instances (when the PACS gives it). */
  readonly expected?: number;
  readonly bytes: number;
  readonly last: IngestOutcome;
}

/** Result of a pull. */
export interface PullResult {
  readonly studies: number;
  readonly series: number;
  readonly instances: number;
  readonly stored: number;
  readonly duplicates: number;
  readonly quarantined: number;
  readonly bytes: number;
}

type DicomJson = Record<string, { vr: string; Value?: unknown[] }>;

function first(d: DicomJson, tag: string): string | undefined {
  const v = d[tag]?.Value?.[0];
  return typeof v === 'string' ? v : undefined;
}

function normaliseDate(s: string): string {
  const t = s.replaceAll('-', '');
  if (!/^\d{8}$/.test(t))
    throw new FedhubError('FH_ERR_VALIDATION', `--since "${s}": expected a date as YYYYMMDD or YYYY-MM-DD`);
  return t;
}

/** The DICOMweb client of one configured source. */
export class DicomWebClient {
  constructor(private readonly source: ResolvedDicomWebSource) {}

  private async get(path: string, accept: string, what: string): Promise<Response> {
    const headers: Record<string, string> = { accept };
    if (this.source.authorization) headers.authorization = this.source.authorization;
    let res: Response;
    try {
      res = await fetch(`${this.source.url}${path}`, {
        headers,
        signal: AbortSignal.timeout(this.source.timeoutMs),
      });
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } };
      throw new FedhubError(
        'FH_ERR_UNAVAILABLE',
        `DICOMweb source "${this.source.name}" (${this.source.url}): ${what} failed: ${e.cause?.code ?? e.name}`,
      );
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw new FedhubError(
        res.status === 401 || res.status === 403 ? 'FH_ERR_FORBIDDEN' : 'FH_ERR_UNAVAILABLE',
        `DICOMweb source "${this.source.name}" (${this.source.url}): ${what} answered HTTP ${res.status}`,
      );
    }
    return res;
  }

  private async qido(path: string, params: URLSearchParams, what: string): Promise<DicomJson[]> {
    const q = params.toString();
    const res = await this.get(`${path}${q ? `?${q}` : ''}`, 'application/dicom+json', what);
    if (res.status === 204) return [];
    const text = await res.text();
    if (text.trim() === '') return [];
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new FedhubError(
        'FH_ERR_VALIDATION',
        `DICOMweb source "${this.source.name}": ${what} is not JSON`,
      );
    }
    if (!Array.isArray(parsed))
      throw new FedhubError(
        'FH_ERR_VALIDATION',
        `DICOMweb source "${this.source.name}": ${what} is not an array`,
      );
    return parsed as DicomJson[];
  }

  /** QIDO-RS: Study Instance UIDs of the studies matching `q`. */
  async findStudies(q: PullQuery): Promise<string[]> {
    const p = new URLSearchParams();
    if (q.studyInstanceUid) p.set('StudyInstanceUID', q.studyInstanceUid);
    if (q.patientId) p.set('PatientID', q.patientId);
    if (q.modality) p.set('ModalitiesInStudy', q.modality);
    if (q.since) p.set('StudyDate', `${normaliseDate(q.since)}-`);
    p.set('includefield', '0020000D');
    const rows = await this.qido('/studies', p, 'QIDO-RS study search');
    return [...new Set(rows.map((r) => first(r, '0020000D')).filter((u): u is string => !!u))];
  }

  /** QIDO-RS: the series of a study (of one modality when given), with their instance counts when known. */
  async findSeries(study: string, modality?: string): Promise<Array<{ uid: string; instances?: number }>> {
    const p = new URLSearchParams();
    if (modality) p.set('Modality', modality);
    p.set('includefield', '00201209');
    const rows = await this.qido(`/studies/${encodeURIComponent(study)}/series`, p, 'QIDO-RS series search');
    const out = new Map<string, { uid: string; instances?: number }>();
    for (const r of rows) {
      const uid = first(r, '0020000E');
      const n = Number(r['00201209']?.Value?.[0]);
      if (uid) out.set(uid, { uid, ...(Number.isInteger(n) && n >= 0 ? { instances: n } : {}) });
    }
    return [...out.values()];
  }

  /** WADO-RS: the instances of a series, streamed as they arrive. */
  async *retrieveSeries(study: string, series: string, maxPartBytes?: number): AsyncGenerator<Buffer> {
    const path = `/studies/${encodeURIComponent(study)}/series/${encodeURIComponent(series)}`;
    // As stored (no transcoding at the PACS: pixel data stay as acquired, and it costs the PACS nothing);
    // a server that does not take the parameter answers 406 or 400, and gets the default syntax asked for.
    let res: Response;
    try {
      res = await this.get(
        path,
        'multipart/related; type="application/dicom"; transfer-syntax=*',
        'WADO-RS series retrieve',
      );
    } catch (err) {
      if (!(err instanceof FedhubError) || !/HTTP (400|406)$/.test(err.message)) throw err;
      res = await this.get(path, 'multipart/related; type="application/dicom"', 'WADO-RS series retrieve');
    }
    if (!res.body) return;
    const boundary = boundaryOf(res.headers.get('content-type'));
    for await (const part of readMultipart(
      res.body as unknown as AsyncIterable<Uint8Array>,
      boundary,
      maxPartBytes,
    )) {
      const type = part.headers['content-type'];
      if (type && !/^application\/dicom\b/i.test(type)) continue; // e.g. a bulk-data part
      yield part.body;
    }
  }
}

/**
 * Pulls every instance matching `q` from `source` into `store`, with up to `concurrency` instances in
 * de-identification at once while the next ones stream in.
 */
export async function pullFromDicomWeb(
  source: ResolvedDicomWebSource,
  q: PullQuery,
  store: DicomStore,
  opts: { concurrency?: number; onProgress?: (p: PullProgress) => void } = {},
): Promise<PullResult> {
  if (!q.studyInstanceUid && !q.patientId && !q.modality && !q.since)
    throw new FedhubError(
      'FH_ERR_VALIDATION',
      'a pull needs at least one of --study, --patient, --modality, --since (it would fetch the whole PACS)',
    );
  const client = new DicomWebClient(source);
  const studies = await client.findStudies(q);
  const seriesList: Array<[string, string]> = [];
  let expected: number | undefined = 0;
  for (const st of studies)
    for (const se of await client.findSeries(st, q.modality)) {
      seriesList.push([st, se.uid]);
      expected = se.instances === undefined || expected === undefined ? undefined : expected + se.instances;
    }
  const limit = Math.max(1, opts.concurrency ?? 2);
  const running = new Set<Promise<void>>();
  let instances = 0;
  let stored = 0;
  let duplicates = 0;
  let quarantined = 0;
  let bytes = 0;
  let seriesDone = 0;
  const sourceRef = { kind: 'dicomweb' as const, name: source.url };
  for (const [st, se] of seriesList) {
    for await (const file of client.retrieveSeries(st, se)) {
      bytes += file.length;
      const p = store.ingest(file, sourceRef).then((outcome) => {
        instances++;
        if (outcome.status === 'quarantined') quarantined++;
        else if (outcome.status === 'duplicate') duplicates++;
        else stored++;
        opts.onProgress?.({
          studies: studies.length,
          series: seriesList.length,
          seriesDone,
          instances,
          ...(expected !== undefined ? { expected } : {}),
          bytes,
          last: outcome,
        });
      });
      running.add(p);
      void p.finally(() => running.delete(p)).catch(() => undefined);
      if (running.size >= limit) await Promise.race(running);
    }
    seriesDone++;
  }
  await Promise.all(running);
  return {
    studies: studies.length,
    series: seriesList.length,
    instances,
    stored,
    duplicates,
    quarantined,
    bytes,
  };
}
