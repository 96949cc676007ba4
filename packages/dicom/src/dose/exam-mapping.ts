import { codeMatches } from './codes.js';
import { DOSE_ERROR_CODES, DoseError } from './errors.js';
import { EXAM_IDS } from './exam-vocabulary.js';
import type { CodedConcept, DoseReport } from './types.js';

/** Fields a rule can test. `any` tests description, protocols, procedure codes and target regions. */
export type ExamRuleField = 'studyDescription' | 'protocol' | 'procedureCode' | 'targetRegion' | 'any';

/**
 * One site mapping rule. A rule matches when every condition it states holds on its field: `pattern` (a regular
 * expression, case-insensitive), `keywords` (all present, case-insensitive, as words or substrings) and `code`
 * (`SCHEME:VALUE`, for procedure codes and target regions). Rules are tried in order; the first match wins.
 */
export interface ExamRule {
  exam: string;
  field: ExamRuleField;
  pattern?: string;
  keywords?: string[];
  code?: string;
  /** Free comment kept with the rule (why it exists). */
  note?: string;
}

/**
 * Rules-file schema (JSON): `{ "version": 1, "rules": [ { "exam": "ctpa", "field": "studyDescription",
 * "pattern": "\\b(ctpa|pulmonary angio)" }, ... ] }`. `exam` must be an id of the exam vocabulary; each rule
 * needs at least one of `pattern`, `keywords`, `code`; `code` only with `procedureCode` / `targetRegion` / `any`.
 */
export interface ExamRulesFile {
  version: 1;
  rules: ExamRule[];
}

/** What exam mapping looks at, for one study. */
export interface ExamMappingInput {
  studyDescription: string | null;
  protocols: string[];
  procedureCodes: CodedConcept[];
  targetRegions: CodedConcept[];
}

/** Outcome of {@link mapExam}. */
export interface ExamMatch {
  exam: string | null;
  /** Index of the rule that matched, or -1. */
  ruleIndex: number;
}

const FIELDS: readonly ExamRuleField[] = [
  'studyDescription',
  'protocol',
  'procedureCode',
  'targetRegion',
  'any',
];

/**
 * Validate a rules file (already JSON-parsed). Throws {@link DoseError} `FH_ERR_DOSE_BAD_RULES` naming the
 * offending path, e.g. `rules[3].pattern`, for an unknown exam, a bad regular expression or a missing condition.
 */
export function parseExamRules(input: unknown): ExamRule[] {
  const fail = (msg: string, where: string): never => {
    throw new DoseError(DOSE_ERROR_CODES.badRules, msg, where);
  };
  if (typeof input !== 'object' || input === null) return fail('rules file must be a JSON object', '$');
  const obj = input as Record<string, unknown>;
  if (obj.version !== 1)
    fail(`unsupported rules version ${JSON.stringify(obj.version)} (expected 1)`, 'version');
  if (!Array.isArray(obj.rules)) return fail('rules must be an array', 'rules');
  return obj.rules.map((r: unknown, i): ExamRule => {
    const at = `rules[${i}]`;
    if (typeof r !== 'object' || r === null) return fail('rule must be an object', at);
    const rule = r as Record<string, unknown>;
    for (const k of Object.keys(rule)) {
      if (!['exam', 'field', 'pattern', 'keywords', 'code', 'note'].includes(k))
        fail(`unknown key '${k}'`, `${at}.${k}`);
    }
    if (typeof rule.exam !== 'string' || !EXAM_IDS.has(rule.exam)) {
      fail(`unknown exam ${JSON.stringify(rule.exam)}; use an id of the exam vocabulary`, `${at}.exam`);
    }
    if (typeof rule.field !== 'string' || !FIELDS.includes(rule.field as ExamRuleField)) {
      fail(`field must be one of ${FIELDS.join(', ')}`, `${at}.field`);
    }
    const out: ExamRule = { exam: rule.exam as string, field: rule.field as ExamRuleField };
    if (rule.pattern !== undefined) {
      if (typeof rule.pattern !== 'string' || rule.pattern === '')
        fail('pattern must be a non-empty string', `${at}.pattern`);
      try {
        new RegExp(rule.pattern as string, 'i');
      } catch (err) {
        fail(`invalid regular expression: ${(err as Error).message}`, `${at}.pattern`);
      }
      out.pattern = rule.pattern as string;
    }
    if (rule.keywords !== undefined) {
      const kw = rule.keywords;
      if (
        !Array.isArray(kw) ||
        kw.length === 0 ||
        !kw.every((k) => typeof k === 'string' && k.trim() !== '')
      ) {
        fail('keywords must be a non-empty array of non-empty strings', `${at}.keywords`);
      }
      out.keywords = (kw as string[]).map((k) => k.trim());
    }
    if (rule.code !== undefined) {
      if (typeof rule.code !== 'string' || !/^[^:\s]+:[^:\s]+$/.test(rule.code))
        fail('code must be SCHEME:VALUE', `${at}.code`);
      if (out.field === 'studyDescription' || out.field === 'protocol')
        fail(`code cannot apply to field ${out.field}`, `${at}.code`);
      out.code = rule.code as string;
    }
    if (rule.note !== undefined) out.note = String(rule.note);
    if (!out.pattern && !out.keywords && !out.code) fail('rule needs a pattern, keywords or code', at);
    return out;
  });
}

/** The texts and codes a rule's field exposes. */
function fieldValues(
  input: ExamMappingInput,
  field: ExamRuleField,
): { texts: string[]; codes: CodedConcept[] } {
  const desc = input.studyDescription ? [input.studyDescription] : [];
  switch (field) {
    case 'studyDescription':
      return { texts: desc, codes: [] };
    case 'protocol':
      return { texts: input.protocols, codes: [] };
    case 'procedureCode':
      return { texts: input.procedureCodes.map((c) => c.meaning), codes: input.procedureCodes };
    case 'targetRegion':
      return { texts: input.targetRegions.map((c) => c.meaning), codes: input.targetRegions };
    default:
      return {
        texts: [
          ...desc,
          ...input.protocols,
          ...input.procedureCodes.map((c) => c.meaning),
          ...input.targetRegions.map((c) => c.meaning),
        ],
        codes: [...input.procedureCodes, ...input.targetRegions],
      };
  }
}

function ruleMatches(rule: ExamRule, input: ExamMappingInput): boolean {
  const { texts, codes } = fieldValues(input, rule.field);
  if (rule.code) {
    const [scheme, value] = rule.code.split(':') as [string, string];
    if (!codes.some((c) => codeMatches(c, [{ scheme, value }]))) return false;
  }
  if (rule.pattern || rule.keywords) {
    const re = rule.pattern ? new RegExp(rule.pattern, 'i') : null;
    const kws = rule.keywords?.map((k) => k.toLowerCase()) ?? [];
    const hit = texts.some((t) => (!re || re.test(t)) && kws.every((k) => t.toLowerCase().includes(k)));
    if (!hit) return false;
  }
  return true;
}

/** Map one study to a standard exam with ordered rules; first match wins; `exam` null when none matches. */
export function mapExam(input: ExamMappingInput, rules: readonly ExamRule[]): ExamMatch {
  const i = rules.findIndex((r) => ruleMatches(r, input));
  return { exam: i >= 0 ? (rules[i] as ExamRule).exam : null, ruleIndex: i };
}

/** The mapping input of a dose report: study description, event protocols, procedure codes, target regions. */
export function examInputFromReport(r: DoseReport): ExamMappingInput {
  const protocols = [...new Set(r.events.flatMap((e) => (e.protocol ? [e.protocol] : [])))];
  const regions: CodedConcept[] = [];
  for (const e of r.events) {
    const t = e.targetRegion;
    if (t && !regions.some((x) => x.scheme === t.scheme && x.value === t.value)) regions.push(t);
  }
  return {
    studyDescription: r.studyDescription,
    protocols,
    procedureCodes: r.procedureCodes,
    targetRegions: regions,
  };
}

/** Mapping coverage of a set of studies. */
export interface ExamCoverage {
  total: number;
  mapped: number;
  /** Studies per standard exam. */
  byExam: Record<string, number>;
  /** Unmapped study descriptions (`(none)` when empty) with counts, most frequent first. */
  unmapped: { description: string; count: number }[];
  /** How many studies each rule matched (index-aligned with the rules). */
  ruleHits: number[];
}

/** Run the rules over many studies and report which descriptions stay unmapped, with counts. */
export function examMappingCoverage(
  inputs: readonly ExamMappingInput[],
  rules: readonly ExamRule[],
): ExamCoverage {
  const byExam: Record<string, number> = {};
  const unmapped = new Map<string, number>();
  const ruleHits = rules.map(() => 0);
  let mapped = 0;
  for (const input of inputs) {
    const m = mapExam(input, rules);
    if (m.exam) {
      mapped++;
      byExam[m.exam] = (byExam[m.exam] ?? 0) + 1;
      ruleHits[m.ruleIndex] = (ruleHits[m.ruleIndex] ?? 0) + 1;
    } else {
      const d = input.studyDescription ?? '(none)';
      unmapped.set(d, (unmapped.get(d) ?? 0) + 1);
    }
  }
  return {
    total: inputs.length,
    mapped,
    byExam,
    unmapped: [...unmapped.entries()]
      .map(([description, count]) => ({ description, count }))
      .sort((a, b) => b.count - a.count || a.description.localeCompare(b.description)),
    ruleHits,
  };
}

/** Default patterns, specific before general (CTPA and chest-abdomen-pelvis must win over chest). */
const DEFAULT_PATTERNS: readonly [exam: string, pattern: string][] = [
  ['ctpa', '\\bctpa\\b|pulmonary\\s*(angio|embol)'],
  ['coronary-calcium', 'calcium\\s*scor|\\bcacs?\\b'],
  ['coronary-cta', 'coronar|\\bccta\\b|cardiac\\s*cta'],
  ['ct-colonography', 'colonograph|virtual\\s*colonoscopy'],
  ['urogram', 'urogra'],
  ['kub', '\\bkub\\b|renal\\s*colic|\\bstones?\\b'],
  ['neck-chest-abdomen-pelvis', 'neck.*(chest|thorax).*(abd|pelvis)'],
  ['chest-abdomen-pelvis', '\\bcap\\b|\\btap\\b|\\bc/a/p\\b|(chest|thorax).*(abd|abdo|abdomen).*pelvis'],
  ['chest-abdomen', '(chest|thorax).*(abd|abdomen)'],
  ['abdomen-pelvis', 'abd\\w*\\W*(and|&|/|\\+)?\\W*pelvis|\\ba/p\\b'],
  ['chest-hrct', '\\bhrct\\b|high\\s*res'],
  ['chest', '\\bchest\\b|\\bthorax\\b|\\blungs?\\b'],
  ['sinus', 'sinus'],
  ['cervical-spine', 'c-?spine|cervical\\s*spine'],
  ['lumbar-spine', 'l-?spine|lumbar'],
  ['neck', '\\bneck\\b'],
  ['head', '\\bhead\\b|\\bbrain\\b|\\bcranial|\\bskull'],
  ['abdomen', '\\babd(omen)?\\b|\\bliver\\b'],
];

/**
 * A starting rule set for sites: the default patterns tried on the study description first, then on the
 * acquisition protocols, then on procedure code meanings, then target regions (so a description "CT Chest"
 * wins over a protocol name that happens to mention CAP). Sites copy and extend it as their own rules file.
 */
export const DEFAULT_EXAM_RULES: readonly ExamRule[] = parseExamRules({
  version: 1,
  rules: [
    ...(['studyDescription', 'protocol', 'procedureCode', 'targetRegion'] as const).flatMap((field) =>
      DEFAULT_PATTERNS.map(([exam, pattern]) => ({ exam, field, pattern })),
    ),
    {
      exam: 'chest-abdomen-pelvis',
      field: 'targetRegion',
      code: 'SRT:R-FAB56',
      note: 'Chest, Abdomen and Pelvis',
    },
  ],
});
