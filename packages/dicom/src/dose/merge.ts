import { earliest, sumDlp } from './extract-sr.js';
import type { DoseReport, DoseSource, IrradiationEvent } from './types.js';

/** Preference when a study has several kinds of report: a dose SR beats a dose page beats image headers. */
const SOURCE_RANK: Record<DoseSource, number> = { rdsr: 0, esr: 0, 'vendor-dose-page': 1, 'ct-header': 2 };

/**
 * Combine dose reports into one report per study (Study Instance UID; reports without one stay separate).
 * Events are deduplicated by Irradiation Event UID, so cumulative reports (each repeating the earlier events)
 * and continued reports (each holding new events) both give the study's unique events; a report whose SOP
 * Instance UID was already merged (a re-imported file) changes nothing. Within a study only the most reliable
 * source kind is kept (SR, then vendor dose page, then CT image headers), so fallbacks never double-count.
 * Never groups by accession number: different studies can share one.
 */
export function mergeDoseReports(reports: readonly DoseReport[]): DoseReport[] {
  const groups = new Map<string, DoseReport[]>();
  reports.forEach((r, i) => {
    const key = r.studyInstanceUid ?? `(no study uid #${i})`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  });
  return [...groups.values()].map(mergeStudy);
}

function mergeStudy(group: DoseReport[]): DoseReport {
  // Reports without events (a burned-in-only dose page) never outrank a fallback that has values.
  const withEvents = group.filter((r) => r.events.length > 0);
  const ranked = withEvents.length > 0 ? withEvents : group;
  const best = Math.min(...ranked.map((r) => SOURCE_RANK[r.source]));
  const kept = ranked.filter((r) => SOURCE_RANK[r.source] === best);
  const dropped = group.filter((r) => !kept.includes(r));
  const first = kept[0] as DoseReport;
  const warnings: string[] = [];
  for (const d of dropped) {
    warnings.push(
      `${d.source} report ${d.files.join(', ') || d.sopInstanceUids.join(', ')} ignored: study has a ${first.source} report`,
    );
  }
  const seenSop = new Set<string>();
  const byUid = new Map<string, IrradiationEvent>();
  const events: IrradiationEvent[] = [];
  const files: string[] = [];
  const sops: string[] = [];
  const contributing: DoseReport[] = [];
  for (const r of kept) {
    if (r.sopInstanceUids.length > 0 && r.sopInstanceUids.every((s) => seenSop.has(s))) continue;
    for (const s of r.sopInstanceUids) seenSop.add(s);
    contributing.push(r);
    for (const f of r.files) if (!files.includes(f)) files.push(f);
    for (const s of r.sopInstanceUids) if (!sops.includes(s)) sops.push(s);
    for (const w of r.warnings) warnings.push(w);
    for (const ev of r.events) {
      if (ev.uid === null) {
        events.push(ev);
        continue;
      }
      const prior = byUid.get(ev.uid);
      if (!prior) {
        byUid.set(ev.uid, ev);
        events.push(ev);
      } else if (prior.ctdivolMGy !== ev.ctdivolMGy || prior.dlpMGyCm !== ev.dlpMGyCm) {
        warnings.push(`event ${ev.uid} differs between reports; first occurrence kept`);
      }
    }
  }
  // A declared total applies to the merged study only when that report covers every unique event.
  const covering = contributing.find(
    (r) => r.events.length === events.length && r.events.every((e) => e.uid !== null && byUid.has(e.uid)),
  );
  return {
    ...first,
    files,
    sopInstanceUids: sops,
    patient: pickFirst(contributing.map((r) => r.patient)),
    irradiationStartDateTime: earliest(contributing.map((r) => r.irradiationStartDateTime)),
    events,
    totals: {
      declaredDlpMGyCm:
        covering?.totals.declaredDlpMGyCm ??
        (contributing.length === 1 ? first.totals.declaredDlpMGyCm : null),
      declaredEventCount:
        covering?.totals.declaredEventCount ??
        (contributing.length === 1 ? first.totals.declaredEventCount : null),
      eventDlpSumMGyCm: sumDlp(events),
      provenance: covering?.totals.provenance ?? (contributing.length === 1 ? first.totals.provenance : {}),
    },
    warnings: [...new Set(warnings)],
  };
}

/** Per field, the first non-null patient attribute across reports. */
function pickFirst(ps: DoseReport['patient'][]): DoseReport['patient'] {
  return {
    sex: ps.find((p) => p.sex !== null)?.sex ?? null,
    ageYears: ps.find((p) => p.ageYears !== null)?.ageYears ?? null,
    weightKg: ps.find((p) => p.weightKg !== null)?.weightKg ?? null,
    sizeM: ps.find((p) => p.sizeM !== null)?.sizeM ?? null,
  };
}
