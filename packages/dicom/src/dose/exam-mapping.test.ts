import { describe, expect, it } from 'vitest';
import { DoseError } from './errors.js';
import {
  DEFAULT_EXAM_RULES,
  type ExamMappingInput,
  examMappingCoverage,
  mapExam,
  parseExamRules,
} from './exam-mapping.js';
import { EXAM_RULES_JSON_SCHEMA } from './exam-rules-schema.js';
import { EXAM_IDS, EXAM_VOCABULARY } from './exam-vocabulary.js';

const input = (
  studyDescription: string | null,
  protocols: string[] = [],
  regions: [string, string][] = [],
): ExamMappingInput => ({
  studyDescription,
  protocols,
  procedureCodes: [],
  targetRegions: regions.map(([scheme, value]) => ({ scheme, value, meaning: '' })),
});

describe('exam vocabulary', () => {
  it('has unique ids and the ten EU RP 195 CT clinical indications', () => {
    expect(EXAM_IDS.size).toBe(EXAM_VOCABULARY.length);
    expect(EXAM_VOCABULARY.filter((e) => e.euclidIndication !== null)).toHaveLength(10);
  });
});

describe('mapExam', () => {
  it('lets the first matching rule win', () => {
    const rules = parseExamRules({
      version: 1,
      rules: [
        { exam: 'ctpa', field: 'studyDescription', keywords: ['chest', 'angio'] },
        { exam: 'chest', field: 'studyDescription', pattern: 'chest' },
      ],
    });
    expect(mapExam(input('CT CHEST ANGIO'), rules)).toEqual({ exam: 'ctpa', ruleIndex: 0 });
    expect(mapExam(input('CT Chest'), rules)).toEqual({ exam: 'chest', ruleIndex: 1 });
    expect(mapExam(input('CT Knee'), rules)).toEqual({ exam: null, ruleIndex: -1 });
  });

  it('maps by target region code with SRT/SCT aliases, never by meaning text', () => {
    const rules = parseExamRules({
      version: 1,
      rules: [{ exam: 'chest', field: 'targetRegion', code: 'SCT:51185008' }],
    });
    expect(mapExam(input(null, [], [['SRT', 'T-D3000']]), rules).exam).toBe('chest');
    expect(mapExam(input(null, [], [['SCT', '43799004']]), rules).exam).toBe('chest');
    expect(mapExam(input(null, [], [['SCT', 'T-D3000']]), rules).exam).toBeNull();
    expect(
      mapExam({ ...input(null), targetRegions: [{ scheme: 'XX', value: '1', meaning: 'Chest' }] }, rules)
        .exam,
    ).toBeNull();
  });

  it('default rules prefer the study description and keep specific exams ahead of chest', () => {
    expect(
      mapExam(input('CT Chest With Contrast', ['Neck+CAP+C (SureStart)']), DEFAULT_EXAM_RULES).exam,
    ).toBe('chest');
    expect(mapExam(input('CT Thorax & abdo & pelvis with contrast'), DEFAULT_EXAM_RULES).exam).toBe(
      'chest-abdomen-pelvis',
    );
    expect(mapExam(input('CTPA'), DEFAULT_EXAM_RULES).exam).toBe('ctpa');
    expect(mapExam(input(null, ['Abdomen Routine ZC (NR)']), DEFAULT_EXAM_RULES).exam).toBe('abdomen');
    expect(mapExam(input(null, [], [['SRT', 'R-FAB56']]), DEFAULT_EXAM_RULES).exam).toBe(
      'chest-abdomen-pelvis',
    );
  });
});

describe('parseExamRules', () => {
  const bad = (rules: unknown, where: RegExp) => {
    try {
      parseExamRules(rules);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(DoseError);
      expect((err as DoseError).code).toBe('FH_ERR_DOSE_BAD_RULES');
      expect((err as DoseError).message).toMatch(where);
    }
  };
  it('names the offending rule and key', () => {
    bad({ version: 2, rules: [] }, /at version/);
    bad({ version: 1, rules: [{ exam: 'knee', field: 'any', pattern: 'x' }] }, /rules\[0\]\.exam/);
    bad({ version: 1, rules: [{ exam: 'head', field: 'any', pattern: '(' }] }, /rules\[0\]\.pattern/);
    bad({ version: 1, rules: [{ exam: 'head', field: 'any' }] }, /needs a pattern/);
    bad({ version: 1, rules: [{ exam: 'head', field: 'protocol', code: 'DCM:1' }] }, /rules\[0\]\.code/);
    bad(
      { version: 1, rules: [{ exam: 'head', field: 'any', pattern: 'x', colour: 1 }] },
      /rules\[0\]\.colour/,
    );
  });
});

describe('EXAM_RULES_JSON_SCHEMA', () => {
  it('lists exactly the vocabulary ids and the fields parseExamRules accepts', () => {
    const item = EXAM_RULES_JSON_SCHEMA.properties.rules.items;
    expect(new Set(item.properties.exam.enum)).toEqual(EXAM_IDS);
    for (const field of item.properties.field.enum) {
      expect(() =>
        parseExamRules({ version: 1, rules: [{ exam: 'head', field, pattern: 'x' }] }),
      ).not.toThrow();
    }
    expect(() =>
      parseExamRules({ version: 1, rules: [{ exam: 'head', field: 'other', pattern: 'x' }] }),
    ).toThrow();
  });
});

describe('examMappingCoverage', () => {
  it('counts mapped studies per exam and lists unmapped descriptions by frequency', () => {
    const inputs = [
      input('CT Head'),
      input('CT Head'),
      input('Facial bones'),
      input('Facial bones'),
      input('Knee'),
      input(null),
    ];
    const cov = examMappingCoverage(inputs, DEFAULT_EXAM_RULES);
    expect(cov.total).toBe(6);
    expect(cov.mapped).toBe(2);
    expect(cov.byExam).toEqual({ head: 2 });
    expect(cov.unmapped).toEqual([
      { description: 'Facial bones', count: 2 },
      { description: '(none)', count: 1 },
      { description: 'Knee', count: 1 },
    ]);
    expect(cov.ruleHits.reduce((a, b) => a + b, 0)).toBe(2);
  });
});
