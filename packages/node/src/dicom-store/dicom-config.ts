/**
 * The `dicom:` section of the node configuration: where the de-identified store lives, the project key, the
 * de-identification profile, the C-STORE listener and the DICOMweb sources the node may pull from.
 *
 * @example
 * dicom:
 *   keyFile: ./secrets/dicom-project.key   # created on first start when missing; never leaves the node
 *   deidentification: { profile: basic, options: [retain-long-modified-dates] }
 *   listener:
 *     aeTitle: FEDHUB
 *     port: 11112
 *     host: 0.0.0.0
 *     allowedCallingAeTitles: [PACS01]
 *   dicomweb:
 *     - name: pacs
 *       url: https://pacs.example.org/dicom-web
 *       auth: { type: basic, username: fedhub, passwordFile: ./secrets/pacs.pass }
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  BASIC_PROFILE,
  DEID_OPTION_NAMES,
  type DeidOptionName,
  type DeidOptions,
  DOSE_MONITORING_PROFILE,
} from '@fedhub/dicom/options';
import { FedhubError, insecureCredentialUrl } from '@fedhub/protocol';
import { z } from 'zod';
import { DEFAULT_STORAGE_SOP_CLASSES } from './storage-classes.js';

export { DEID_OPTION_NAMES, type DeidOptionName };

const AeTitle = z
  .string()
  .regex(/^[\x20-\x5b\x5d-\x7e]{1,16}$/, 'an AE title is 1-16 printable ASCII characters, no backslash')
  .refine((s) => s.trim() !== '', 'an AE title cannot be blank');
const Uid = z.string().regex(/^[0-9]+(\.[0-9]+)*$/, 'a UID is dotted digits');

const SecretRef = {
  password: z.string().optional(),
  passwordFile: z.string().optional(),
};

export const DicomWebSourceSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'a source name is lower-case letters, digits, - and _'),
  url: z.url().describe('DICOMweb service root, e.g. https://pacs/dicom-web (QIDO-RS and WADO-RS below it)'),
  auth: z
    .discriminatedUnion('type', [
      z.strictObject({ type: z.literal('basic'), username: z.string().min(1), ...SecretRef }),
      z.strictObject({
        type: z.literal('bearer'),
        token: z.string().optional(),
        tokenFile: z.string().optional(),
      }),
    ])
    .optional(),
  timeoutMs: z.int().min(1000).max(3_600_000).default(120_000),
  allowInsecureHttp: z
    .boolean()
    .default(false)
    .describe('Accept an http:// URL outside this machine for a source with auth (credentials in clear)'),
});
export type DicomWebSourceConfig = z.infer<typeof DicomWebSourceSchema>;

export const DicomConfigSchema = z.strictObject({
  storeDir: z.string().optional().describe('Default: <dataDir>/dicom-store'),
  keyFile: z
    .string()
    .optional()
    .describe('Project key; default <dataDir>/dicom-project.key, created if missing'),
  doseRegistry: z.string().optional().describe('Dose registry folder; default <dataDir>/dose-registry'),
  deidentification: z
    .strictObject({
      profile: z.enum(['basic', 'dose-monitoring']).default('basic'),
      options: z
        .array(z.enum(Object.keys(DEID_OPTION_NAMES) as [DeidOptionName, ...DeidOptionName[]]))
        .default(['retain-long-modified-dates']),
      allowSopClasses: z.array(Uid).default([]),
      allowBurnedInAnnotation: z.boolean().default(false),
      rtStructureNames: z
        .boolean()
        .default(true)
        .describe(
          'RT objects (structure sets, plans, doses) through Clean Descriptors: ROI names are cleaned, not emptied',
        ),
    })
    .prefault({}),
  workers: z
    .strictObject({
      size: z.int().min(1).max(64).default(2),
      maxMemoryMb: z.int().min(64).max(16384).default(512),
      timeoutMs: z.int().min(1000).max(600_000).default(30_000),
    })
    .prefault({}),
  listener: z
    .strictObject({
      aeTitle: AeTitle,
      port: z.int().min(1).max(65535),
      host: z.string().default('127.0.0.1'),
      allowedCallingAeTitles: z.array(AeTitle).min(1),
      acceptedSopClasses: z.array(Uid).optional().describe('Default: the common storage classes'),
      maxInstanceBytes: z
        .int()
        .min(1024)
        .max(2 ** 31 - 1)
        .default(1024 * 1024 * 1024),
      maxAssociations: z
        .int()
        .min(1)
        .max(1024)
        .default(16)
        .describe('Open associations at once; further connections are closed at once'),
      tls: z
        .strictObject({
          key: z.string().min(1).describe('PEM private key file of the listener'),
          cert: z.string().min(1).describe('PEM certificate file of the listener'),
          ca: z
            .string()
            .min(1)
            .optional()
            .describe('PEM file of the CAs whose client certificates are accepted'),
          requireClientCertificate: z
            .boolean()
            .default(false)
            .describe('Refuse senders without a certificate signed by a CA of `ca` (mutual TLS)'),
        })
        .optional()
        .describe('DICOM over TLS (DICOM PS3.15 B.1): the listener accepts TLS connections only'),
    })
    .optional(),
  dicomweb: z.array(DicomWebSourceSchema).default([]),
});
export type DicomConfig = z.infer<typeof DicomConfigSchema>;

/** A DICOMweb source with its secret read (never logged). */
export interface ResolvedDicomWebSource {
  readonly name: string;
  readonly url: string;
  readonly timeoutMs: number;
  /** Value of the Authorization header, when the source needs one. */
  readonly authorization?: string;
}

/** The `dicom:` section with absolute paths, defaults filled and de-identification options built. */
export interface ResolvedDicomConfig {
  readonly storeDir: string;
  readonly keyFile: string;
  readonly doseRegistryDir: string;
  readonly deidOptions: DeidOptions;
  readonly workers: { readonly size: number; readonly maxMemoryMb: number; readonly timeoutMs: number };
  readonly listener?: {
    readonly aeTitle: string;
    readonly port: number;
    readonly host: string;
    readonly allowedCallingAeTitles: readonly string[];
    readonly acceptedSopClasses: readonly string[];
    readonly maxInstanceBytes: number;
    readonly maxAssociations?: number;
    /** TLS material read from the configured files (PEM); absent: plain TCP. */
    readonly tls?: {
      readonly key: string;
      readonly cert: string;
      readonly ca?: string;
      readonly requireClientCertificate: boolean;
    };
  };
  readonly dicomweb: readonly ResolvedDicomWebSource[];
}

function secret(
  inline: string | undefined,
  file: string | undefined,
  abs: (p: string) => string,
  where: string,
): string {
  if (inline !== undefined && file !== undefined)
    throw new FedhubError('FH_ERR_VALIDATION', `${where}: give the secret inline or as a file, not both`);
  if (inline !== undefined) return inline;
  if (file === undefined) throw new FedhubError('FH_ERR_VALIDATION', `${where}: the secret is missing`);
  try {
    return readFileSync(abs(file), 'utf8').trim();
  } catch (err) {
    throw new FedhubError(
      'FH_ERR_VALIDATION',
      `${where}: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
    );
  }
}

/** Reads the listener's TLS files (PEM); a missing file or a client CA requirement without CAs is refused. */
function listenerTls(
  t: NonNullable<NonNullable<DicomConfig['listener']>['tls']>,
  abs: (p: string) => string,
  where: string,
) {
  const at = `${where}: dicom.listener.tls`;
  if (t.requireClientCertificate && !t.ca)
    throw new FedhubError('FH_ERR_VALIDATION', `${at}: requireClientCertificate needs ca (the accepted CAs)`);
  const pem = (file: string, name: string) => secret(undefined, file, abs, `${at}.${name}`);
  return {
    key: pem(t.key, 'key'),
    cert: pem(t.cert, 'cert'),
    ...(t.ca ? { ca: pem(t.ca, 'ca') } : {}),
    requireClientCertificate: t.requireClientCertificate,
  };
}

/** The de-identification options of a profile name plus option names. */
export function deidOptionsOf(
  profile: 'basic' | 'dose-monitoring',
  options: readonly DeidOptionName[],
  extra: {
    allowSopClasses?: readonly string[];
    allowBurnedInAnnotation?: boolean;
    rtStructureNames?: boolean;
  } = {},
): DeidOptions {
  let o = profile === 'basic' ? BASIC_PROFILE : DOSE_MONITORING_PROFILE;
  for (const name of options) o = DEID_OPTION_NAMES[name](o);
  return {
    ...o,
    ...(extra.rtStructureNames ? { cleanRtDescriptors: true } : {}),
    allowSopClasses: extra.allowSopClasses ?? o.allowSopClasses,
    allowBurnedInAnnotation: extra.allowBurnedInAnnotation ?? o.allowBurnedInAnnotation,
  };
}

/** Resolves a parsed `dicom:` section: paths against the config's folder, secrets read from their files. */
export function resolveDicomConfig(
  c: DicomConfig,
  abs: (p: string) => string,
  dataDir: string,
  where = 'node config',
): ResolvedDicomConfig {
  const names = new Set<string>();
  const dicomweb = c.dicomweb.map((s, i): ResolvedDicomWebSource => {
    if (names.has(s.name))
      throw new FedhubError(
        'FH_ERR_VALIDATION',
        `${where}: dicom.dicomweb.${i}.name: "${s.name}" is declared twice`,
      );
    names.add(s.name);
    const at = `${where}: dicom.dicomweb.${i} (${s.name})`;
    let authorization: string | undefined;
    if (s.auth?.type === 'basic') {
      const pw = secret(s.auth.password, s.auth.passwordFile, abs, `${at}.auth`);
      authorization = `Basic ${Buffer.from(`${s.auth.username}:${pw}`, 'utf8').toString('base64')}`;
    } else if (s.auth?.type === 'bearer') {
      authorization = `Bearer ${secret(s.auth.token, s.auth.tokenFile, abs, `${at}.auth`)}`;
    }
    const u = new URL(s.url);
    if (u.username || u.password)
      throw new FedhubError('FH_ERR_VALIDATION', `${at}.url: put credentials under auth, not in the URL`);
    const insecure = authorization ? insecureCredentialUrl(s.url, s.allowInsecureHttp) : undefined;
    if (insecure) throw new FedhubError('FH_ERR_VALIDATION', `${at}.url: ${insecure}`);
    return {
      name: s.name,
      url: s.url.replace(/\/+$/, ''),
      timeoutMs: s.timeoutMs,
      ...(authorization ? { authorization } : {}),
    };
  });
  const d = c.deidentification;
  return {
    storeDir: c.storeDir ? abs(c.storeDir) : join(dataDir, 'dicom-store'),
    keyFile: c.keyFile ? abs(c.keyFile) : join(dataDir, 'dicom-project.key'),
    doseRegistryDir: c.doseRegistry ? abs(c.doseRegistry) : join(dataDir, 'dose-registry'),
    deidOptions: deidOptionsOf(d.profile, d.options, {
      allowSopClasses: d.allowSopClasses,
      allowBurnedInAnnotation: d.allowBurnedInAnnotation,
      rtStructureNames: d.rtStructureNames,
    }),
    workers: c.workers,
    ...(c.listener
      ? {
          listener: {
            aeTitle: c.listener.aeTitle.trim(),
            port: c.listener.port,
            host: c.listener.host,
            allowedCallingAeTitles: c.listener.allowedCallingAeTitles.map((a) => a.trim()),
            acceptedSopClasses: c.listener.acceptedSopClasses ?? Object.keys(DEFAULT_STORAGE_SOP_CLASSES),
            maxInstanceBytes: c.listener.maxInstanceBytes,
            maxAssociations: c.listener.maxAssociations,
            ...(c.listener.tls ? { tls: listenerTls(c.listener.tls, abs, where) } : {}),
          },
        }
      : {}),
    dicomweb,
  };
}
