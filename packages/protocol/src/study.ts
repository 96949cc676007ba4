/**
 * A study is the unit of permission: what may be computed (algorithms, variables), where (nodes), when
 * (period, status) and under which legal basis, with what an Art. 30 GDPR record of processing needs.
 * The hub refuses tasks outside it, and each node re-checks the descriptor it receives with a run.
 */
import { z } from 'zod';
import { IdSchema, SlugSchema, TimestampSchema } from './common.js';

/**
 * GDPR lawful bases (Art. 6(1)) and conditions for special categories such as health data (Art. 9(2)).
 * Processing health data needs one of each, which is why a study holds a list.
 */
export const LEGAL_BASES = [
  'art6-1a-consent',
  'art6-1b-contract',
  'art6-1c-legal-obligation',
  'art6-1d-vital-interests',
  'art6-1e-public-interest',
  'art6-1f-legitimate-interests',
  'art9-2a-explicit-consent',
  'art9-2h-health-care',
  'art9-2i-public-health',
  'art9-2j-research',
] as const;
export type LegalBasis = (typeof LEGAL_BASES)[number];
export const LegalBasisSchema = z.enum(LEGAL_BASES).meta({ id: 'LegalBasis' });

/** The wording of each basis, for records and forms. */
export const LEGAL_BASIS_TITLES: Readonly<Record<LegalBasis, string>> = {
  'art6-1a-consent': 'Art. 6(1)(a) GDPR: consent of the data subject',
  'art6-1b-contract': 'Art. 6(1)(b) GDPR: performance of a contract',
  'art6-1c-legal-obligation': 'Art. 6(1)(c) GDPR: compliance with a legal obligation',
  'art6-1d-vital-interests': 'Art. 6(1)(d) GDPR: vital interests',
  'art6-1e-public-interest': 'Art. 6(1)(e) GDPR: task carried out in the public interest',
  'art6-1f-legitimate-interests': 'Art. 6(1)(f) GDPR: legitimate interests',
  'art9-2a-explicit-consent': 'Art. 9(2)(a) GDPR: explicit consent',
  'art9-2h-health-care':
    'Art. 9(2)(h) GDPR: preventive or occupational medicine, medical diagnosis, health care',
  'art9-2i-public-health': 'Art. 9(2)(i) GDPR: public interest in the area of public health',
  'art9-2j-research': 'Art. 9(2)(j) GDPR: scientific research (with Art. 89(1) safeguards)',
};

export const STUDY_STATUSES = ['active', 'stopped'] as const;
export type StudyStatus = (typeof STUDY_STATUSES)[number];

/** A calendar day (YYYY-MM-DD, UTC); a study runs from the start of startsAt to the end of endsAt. */
export const StudyDateSchema = z.iso.date().describe('Calendar day, YYYY-MM-DD (UTC)');

/** The columns of one dataset a study may use. */
export const StudyVariablesSchema = z
  .object({
    dataset: SlugSchema,
    columns: z.array(z.string().min(1).max(128)).min(1).max(2000),
  })
  .meta({ id: 'StudyVariables' });
export type StudyVariables = z.infer<typeof StudyVariablesSchema>;

/** An algorithm a study may run, optionally pinned to one version. */
export const StudyAlgorithmSchema = z
  .object({
    name: SlugSchema,
    version: z.string().min(1).max(40).optional().describe('Exact version allowed (any version if omitted)'),
  })
  .meta({ id: 'StudyAlgorithm' });
export type StudyAlgorithm = z.infer<typeof StudyAlgorithmSchema>;

export const ContactSchema = z
  .object({
    name: z.string().min(1).max(300),
    contact: z.string().min(1).max(500).describe('E-mail, postal address or telephone'),
  })
  .meta({ id: 'Contact' });
export type Contact = z.infer<typeof ContactSchema>;

/**
 * The governance fields of a study (everything but identity and bookkeeping). `variables` and `algorithms`
 * null mean "not restricted" (studies created before they existed); an empty list allows nothing.
 */
const studyGovernanceShape = {
  purpose: z.string().min(3).max(5000),
  legalBasis: z.array(LegalBasisSchema).max(LEGAL_BASES.length).describe('Empty: not declared'),
  legalBasisNote: z.string().max(5000).describe('Free text: national law, consent form version...'),
  ethicsApprovalRef: z.string().max(300).nullable(),
  dpiaRef: z.string().max(300).nullable(),
  dataCategories: z.array(z.string().min(1).max(200)).max(100),
  dataSubjectCategories: z.array(z.string().min(1).max(200)).max(100),
  variables: z.array(StudyVariablesSchema).max(200).nullable(),
  algorithms: z.array(StudyAlgorithmSchema).max(200).nullable(),
  minNodes: z.int().min(1).max(1000),
  startsAt: StudyDateSchema.nullable(),
  endsAt: StudyDateSchema.nullable(),
  releasePerNodeBreakdown: z
    .boolean()
    .describe('Whether per-node or per-centre parts of results may be released'),
  releaseSubgroupAnalyses: z
    .boolean()
    .optional()
    .describe(
      'Whether results may be broken down by the levels of a declared categorical column (subgroup analyses, e.g. validate with `subgroup`); absent means no',
    ),
  controller: ContactSchema.nullable().describe('Controller (or coordinating joint controller)'),
  dpo: ContactSchema.nullable().describe("Controller's data protection officer"),
  recipients: z
    .array(z.string().min(1).max(300))
    .max(100)
    .describe('Categories of recipients of the results'),
  retention: z.string().max(2000).nullable().describe('Time limits for erasure of released results'),
};

export const StudySchema = z
  .object({
    id: IdSchema,
    collaborationId: IdSchema,
    title: z.string(),
    ...studyGovernanceShape,
    nodeIds: z.array(IdSchema),
    status: z.enum(STUDY_STATUSES),
    stoppedAt: TimestampSchema.nullable(),
    createdBy: IdSchema,
    owner: z
      .object({ organisationId: IdSchema, userId: IdSchema })
      .nullable()
      .describe(
        "The owning organisation and researcher: only the organisation's researchers change the study",
      ),
    createdAt: TimestampSchema,
    updatedAt: TimestampSchema,
  })
  .meta({ id: 'Study' });
export type Study = z.infer<typeof StudySchema>;

function periodOk(v: { startsAt?: string | null | undefined; endsAt?: string | null | undefined }): boolean {
  return !(v.startsAt && v.endsAt && v.endsAt < v.startsAt);
}

/** Defaults keep older callers (title, purpose, nodeIds) working; the Art. 30 record shows what is missing. */
export const CreateStudyRequestSchema = z
  .object({
    collaborationId: IdSchema,
    title: z.string().min(3).max(300),
    purpose: studyGovernanceShape.purpose,
    legalBasis: studyGovernanceShape.legalBasis.default([]),
    legalBasisNote: studyGovernanceShape.legalBasisNote.default(''),
    ethicsApprovalRef: studyGovernanceShape.ethicsApprovalRef.default(null),
    dpiaRef: studyGovernanceShape.dpiaRef.default(null),
    dataCategories: studyGovernanceShape.dataCategories.default([]),
    dataSubjectCategories: studyGovernanceShape.dataSubjectCategories.default([]),
    variables: studyGovernanceShape.variables.default(null),
    algorithms: studyGovernanceShape.algorithms.default(null),
    nodeIds: z
      .array(IdSchema)
      .min(1)
      .describe('Participating nodes (all of the collaboration if omitted)')
      .optional(),
    minNodes: studyGovernanceShape.minNodes.default(3),
    startsAt: studyGovernanceShape.startsAt.default(null),
    endsAt: studyGovernanceShape.endsAt.default(null),
    releasePerNodeBreakdown: studyGovernanceShape.releasePerNodeBreakdown.default(false),
    releaseSubgroupAnalyses: studyGovernanceShape.releaseSubgroupAnalyses.default(false),
    controller: studyGovernanceShape.controller.default(null),
    dpo: studyGovernanceShape.dpo.default(null),
    recipients: studyGovernanceShape.recipients.default([]),
    retention: studyGovernanceShape.retention.default(null),
  })
  .refine(periodOk, { message: 'endsAt is before startsAt', path: ['endsAt'] })
  .meta({ id: 'CreateStudyRequest' });
export type CreateStudyRequest = z.input<typeof CreateStudyRequestSchema>;

/** Every field optional; what is given replaces the stored value. A stopped study cannot be changed. */
export const UpdateStudyRequestSchema = z
  .object({
    title: z.string().min(3).max(300).optional(),
    purpose: studyGovernanceShape.purpose.optional(),
    legalBasis: studyGovernanceShape.legalBasis.optional(),
    legalBasisNote: studyGovernanceShape.legalBasisNote.optional(),
    ethicsApprovalRef: studyGovernanceShape.ethicsApprovalRef.optional(),
    dpiaRef: studyGovernanceShape.dpiaRef.optional(),
    dataCategories: studyGovernanceShape.dataCategories.optional(),
    dataSubjectCategories: studyGovernanceShape.dataSubjectCategories.optional(),
    variables: studyGovernanceShape.variables.optional(),
    algorithms: studyGovernanceShape.algorithms.optional(),
    nodeIds: z.array(IdSchema).min(1).optional(),
    minNodes: studyGovernanceShape.minNodes.optional(),
    startsAt: studyGovernanceShape.startsAt.optional(),
    endsAt: studyGovernanceShape.endsAt.optional(),
    releasePerNodeBreakdown: studyGovernanceShape.releasePerNodeBreakdown.optional(),
    releaseSubgroupAnalyses: studyGovernanceShape.releaseSubgroupAnalyses,
    controller: studyGovernanceShape.controller.optional(),
    dpo: studyGovernanceShape.dpo.optional(),
    recipients: studyGovernanceShape.recipients.optional(),
    retention: studyGovernanceShape.retention.optional(),
  })
  .refine(periodOk, { message: 'endsAt is before startsAt', path: ['endsAt'] })
  .meta({ id: 'UpdateStudyRequest' });
export type UpdateStudyRequest = z.input<typeof UpdateStudyRequestSchema>;

export const StopStudyRequestSchema = z
  .object({ reason: z.string().min(3).max(2000) })
  .meta({ id: 'StopStudyRequest' });

/**
 * What a node needs to re-check a run against its study (sent with every run assignment): the permission
 * fields only, no contact details.
 */
export const StudyDescriptorSchema = z
  .object({
    id: IdSchema,
    title: z.string(),
    status: z.enum(STUDY_STATUSES),
    nodeIds: z.array(IdSchema),
    minNodes: studyGovernanceShape.minNodes,
    variables: studyGovernanceShape.variables,
    algorithms: studyGovernanceShape.algorithms,
    startsAt: studyGovernanceShape.startsAt,
    endsAt: studyGovernanceShape.endsAt,
    releasePerNodeBreakdown: studyGovernanceShape.releasePerNodeBreakdown,
    releaseSubgroupAnalyses: studyGovernanceShape.releaseSubgroupAnalyses,
    purpose: z
      .string()
      .optional()
      .describe('The purpose the study was approved for (part of the permission a node approves)'),
    dataCategories: z.array(z.string()).optional().describe('Categories of personal data the study uses'),
  })
  .meta({ id: 'StudyDescriptor' });
export type StudyDescriptor = z.infer<typeof StudyDescriptorSchema>;

/** The descriptor of a study. */
export function studyDescriptor(s: Study): StudyDescriptor {
  return {
    id: s.id,
    title: s.title,
    status: s.status,
    nodeIds: s.nodeIds,
    minNodes: s.minNodes,
    variables: s.variables,
    algorithms: s.algorithms,
    startsAt: s.startsAt,
    endsAt: s.endsAt,
    releasePerNodeBreakdown: s.releasePerNodeBreakdown,
    ...(s.releaseSubgroupAnalyses === true ? { releaseSubgroupAnalyses: true } : {}),
    purpose: s.purpose,
    dataCategories: s.dataCategories,
  };
}
