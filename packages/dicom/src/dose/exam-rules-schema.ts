import { EXAM_VOCABULARY } from './exam-vocabulary.js';

/**
 * JSON Schema (draft 2020-12) of a site's exam-mapping rules file, for editors and external validators. It says
 * the same as {@link parseExamRules}, which remains the authority (it also compiles each pattern).
 */
export const EXAM_RULES_JSON_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://fedhub.example/schemas/dose-exam-rules-v1.json',
  title: 'fedhub CT dose exam-mapping rules',
  type: 'object',
  required: ['version', 'rules'],
  additionalProperties: false,
  properties: {
    version: { const: 1 },
    rules: {
      type: 'array',
      description: 'Ordered rules; the first rule that matches a study gives its exam.',
      items: {
        type: 'object',
        required: ['exam', 'field'],
        additionalProperties: false,
        anyOf: [{ required: ['pattern'] }, { required: ['keywords'] }, { required: ['code'] }],
        properties: {
          exam: { enum: EXAM_VOCABULARY.map((e) => e.id) },
          field: { enum: ['studyDescription', 'protocol', 'procedureCode', 'targetRegion', 'any'] },
          pattern: {
            type: 'string',
            minLength: 1,
            description: 'Regular expression, matched case-insensitively.',
          },
          keywords: {
            type: 'array',
            minItems: 1,
            items: { type: 'string', minLength: 1 },
            description: 'All must occur (case-insensitive substrings).',
          },
          code: {
            type: 'string',
            pattern: '^[^:\\s]+:[^:\\s]+$',
            description: 'SCHEME:VALUE, for procedureCode, targetRegion or any.',
          },
          note: { type: 'string' },
        },
      },
    },
  },
} as const;
