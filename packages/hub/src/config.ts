/** The hub's configuration: one zod schema, parsed once from `FEDHUB_*` variables plus overrides, frozen. */
import { FedhubError } from '@fedhub/protocol';
import { z } from 'zod';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export const HubConfigSchema = z.object({
  host: z.string().min(1).default('127.0.0.1').describe('Address to bind'),
  port: z.coerce.number().int().min(0).max(65535).default(7600).describe('TCP port; 0 = any free port'),
  dataDir: z.string().min(1).default('.fedhub/hub').describe('Folder of the SQLite database'),
  databaseUrl: z.string().optional().describe('postgres:// URL; SQLite in dataDir when absent'),
  accessTokenTtlSec: z.coerce.number().int().min(10).max(86_400).default(900),
  refreshTokenTtlSec: z.coerce
    .number()
    .int()
    .min(60)
    .max(365 * 86_400)
    .default(30 * 86_400),
  leaseMs: z.coerce.number().int().min(200).max(3_600_000).default(30_000).describe('Run lease, ms'),
  clockSkewMaxMs: z.coerce
    .number()
    .int()
    .min(0)
    .default(5 * 60_000)
    .describe('Largest node clock skew, ms'),
  logLevel: z.enum(LOG_LEVELS).default('info'),
  corsOrigins: z.array(z.string().min(1)).default([]).describe('Browser origins allowed to call the API'),
  loginRateLimitPerMinute: z.coerce.number().int().min(1).max(100_000).default(30),
  /**
   * Requests per minute per signed-in user (per IP without a valid user token) on the researcher and
   * admin API; above it, 429 with Retry-After. Node protocol routes are not counted.
   */
  userRateLimitPerMinute: z.coerce.number().int().min(1).max(1_000_000).default(3000),
  /**
   * On the node protocol routes: failed authentications per minute per client address (once spent, 429
   * before the token is checked or the body read), and requests per minute per authenticated node;
   * enrolment keeps the smaller sign-in budget.
   */
  nodeRateLimitPerMinute: z.coerce.number().int().min(1).max(1_000_000).default(6000),
  /** How often an open event socket's token is re-checked for revocation, ms. */
  socketRecheckMs: z.coerce.number().int().min(50).max(600_000).default(10_000),
  /** Event sockets one user may hold open at once (per hub process). */
  maxSocketsPerUser: z.coerce.number().int().min(1).max(10_000).default(8),
  /** A node counts as online while its last contact is younger than this, ms. */
  nodeOnlineWindowMs: z.coerce.number().int().min(1000).default(60_000),
  /**
   * Claims of one run before it fails for good (each lease that expires costs one): a run that crashes
   * or starves its node (a poison task) ends in `failed` instead of being re-queued forever.
   */
  maxRunAttempts: z.coerce.number().int().min(1).max(100).default(3),
  /** How often expired leases are swept back to the queue, ms. */
  leaseSweepIntervalMs: z.coerce.number().int().min(50).default(1000),
  /**
   * Refuse tasks naming a dataset or column absent from the dictionaries the target nodes published
   * (422 at submission instead of a refusal from each node). Off by default until clients expect it.
   */
  checkDictionaries: z.preprocess((v) => v === true || v === 'true' || v === '1', z.boolean()).default(false),
  /**
   * A node silent for longer than this while it owes a run of a multi-node task is dropped and the round
   * restarts without it (secure aggregation cannot finish without every participant), ms; default the
   * longer of two leases and nodeOnlineWindowMs.
   */
  dropoutGraceMs: z.coerce.number().int().min(100).optional(),
  /** How often a waiting claim or long-poll re-reads the database (other hub processes), ms. */
  pollIntervalMs: z.coerce.number().int().min(20).default(500),
  /**
   * The master key sealing the hub's stored keys, 32 bytes in base64url (every hub process on one
   * database needs the same). Without it, the key file below.
   */
  masterKey: z.string().min(1).optional(),
  /** File holding the master key (created 0600 when absent); default `<dataDir>/hub-master.key`. */
  masterKeyFile: z.string().min(1).optional(),
  /** Folder of the built web dashboard, served at `/`; none: API only (`fedhub hub start` gives the web package's build). */
  dashboardDir: z.string().optional(),
  /**
   * Serve the OpenAPI document (`/openapi.json`) and Swagger UI (`/docs`). Off only for a throwaway hub that
   * nobody browses (`fedhub simulate`): the swagger plugins (and their YAML, JSON-schema and static-file
   * dependencies) are then never loaded.
   */
  apiDocs: z.preprocess((v) => !(v === false || v === 'false' || v === '0'), z.boolean()).default(true),
});

/** The validated, frozen configuration. */
export type HubConfig = Readonly<z.output<typeof HubConfigSchema>>;
/** What callers may override. */
export type HubConfigInput = z.input<typeof HubConfigSchema>;

/** Environment variable for each config key. */
const ENV_NAMES: Record<keyof HubConfigInput, string> = {
  host: 'FEDHUB_HOST',
  port: 'FEDHUB_PORT',
  dataDir: 'FEDHUB_DATA_DIR',
  databaseUrl: 'FEDHUB_DATABASE_URL',
  accessTokenTtlSec: 'FEDHUB_ACCESS_TOKEN_TTL_SEC',
  refreshTokenTtlSec: 'FEDHUB_REFRESH_TOKEN_TTL_SEC',
  leaseMs: 'FEDHUB_LEASE_MS',
  clockSkewMaxMs: 'FEDHUB_CLOCK_SKEW_MAX_MS',
  logLevel: 'FEDHUB_LOG_LEVEL',
  corsOrigins: 'FEDHUB_CORS_ORIGINS',
  loginRateLimitPerMinute: 'FEDHUB_LOGIN_RATE_LIMIT_PER_MINUTE',
  userRateLimitPerMinute: 'FEDHUB_USER_RATE_LIMIT_PER_MINUTE',
  nodeRateLimitPerMinute: 'FEDHUB_NODE_RATE_LIMIT_PER_MINUTE',
  socketRecheckMs: 'FEDHUB_SOCKET_RECHECK_MS',
  maxSocketsPerUser: 'FEDHUB_MAX_SOCKETS_PER_USER',
  nodeOnlineWindowMs: 'FEDHUB_NODE_ONLINE_WINDOW_MS',
  leaseSweepIntervalMs: 'FEDHUB_LEASE_SWEEP_INTERVAL_MS',
  maxRunAttempts: 'FEDHUB_MAX_RUN_ATTEMPTS',
  pollIntervalMs: 'FEDHUB_POLL_INTERVAL_MS',
  dropoutGraceMs: 'FEDHUB_DROPOUT_GRACE_MS',
  checkDictionaries: 'FEDHUB_CHECK_DICTIONARIES',
  dashboardDir: 'FEDHUB_DASHBOARD_DIR',
  apiDocs: 'FEDHUB_API_DOCS',
  masterKey: 'FEDHUB_MASTER_KEY',
  masterKeyFile: 'FEDHUB_MASTER_KEY_FILE',
};

/**
 * Reads `FEDHUB_*` variables (and `DATABASE_URL` as a fallback for the database), applies `overrides`
 * on top, validates, and freezes. Throws FH_ERR_VALIDATION naming each bad setting and its variable.
 *
 * @example loadHubConfig(process.env, { port: 0 })
 */
export function loadHubConfig(
  env: Record<string, string | undefined> = {},
  overrides: Partial<HubConfigInput> = {},
): HubConfig {
  const fromEnv: Record<string, unknown> = {};
  for (const [key, name] of Object.entries(ENV_NAMES)) {
    const v = env[name];
    if (v === undefined || v === '') continue;
    fromEnv[key] =
      key === 'corsOrigins'
        ? v
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : v;
  }
  if (fromEnv.databaseUrl === undefined && env.DATABASE_URL) fromEnv.databaseUrl = env.DATABASE_URL;
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
  const parsed = HubConfigSchema.safeParse({ ...fromEnv, ...defined });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => {
      const key = String(i.path[0] ?? '');
      const source = key in defined ? key : (ENV_NAMES[key as keyof HubConfigInput] ?? key);
      return { setting: source, message: i.message };
    });
    throw new FedhubError(
      'FH_ERR_VALIDATION',
      `invalid hub configuration: ${problems.map((p) => `${p.setting}: ${p.message}`).join('; ')}`,
      { problems },
    );
  }
  return Object.freeze({
    ...parsed.data,
    corsOrigins: Object.freeze([...parsed.data.corsOrigins]),
  }) as HubConfig;
}
