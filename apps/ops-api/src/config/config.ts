import { isIP } from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import { OmtError } from '@omt/contracts';

const REPO_ROOT = path.resolve(__dirname, '../../../..');

const url = (protocols: string[]) =>
  z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`,
  );

/** Express' `trust proxy`: off, on, a number of hops, or the proxies' addresses (IPs, CIDR ranges, loopback …). */
export type TrustProxy = boolean | number | string[];
const NAMED_PROXY_RANGES = ['loopback', 'linklocal', 'uniquelocal'];
const isProxyAddress = (entry: string) => {
  const [ip, bits, ...rest] = entry.split('/');
  return (
    NAMED_PROXY_RANGES.includes(entry) ||
    (rest.length === 0 && isIP(ip ?? '') !== 0 && (bits === undefined || /^\d{1,3}$/.test(bits)))
  );
};
const trustProxy = z
  .string()
  .trim()
  .transform((value, context): TrustProxy => {
    if (value === 'true' || value === 'false') return value === 'true';
    if (/^\d{1,2}$/.test(value)) return Number(value);
    const entries = value.split(',').map((entry) => entry.trim());
    const bad = entries.filter((entry) => !isProxyAddress(entry));
    if (bad.length === 0) return entries;
    context.addIssue({
      code: 'custom',
      message: `true, false, a number of proxy hops, or proxy addresses (IP, CIDR, loopback, linklocal, uniquelocal); not ${bad.join(', ')}`,
    });
    return z.NEVER;
  });

/** Comma-separated `scheme://host[:port]` origins as a browser sends them in `Origin` (no path, no trailing slash). */
const origins = z.string().transform((value, context): string[] => {
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  const bad = entries.filter((entry) => !isWebOrigin(entry));
  if (entries.length > 0 && bad.length === 0) return entries.map((entry) => new URL(entry).origin);
  context.addIssue({
    code: 'custom',
    message: `origins like https://ops.example.com (http or https, no path), comma-separated; not ${bad.join(', ') || 'empty'}`,
  });
  return z.NEVER;
});
function isWebOrigin(entry: string): boolean {
  try {
    const parsed = new URL(entry);
    const bare = parsed.pathname === '/' && !parsed.search && !parsed.hash && !parsed.username && !parsed.password;
    return ['http:', 'https:'].includes(parsed.protocol) && bare && !entry.endsWith('?') && !entry.endsWith('#');
  } catch {
    return false;
  }
}

const booleanFlag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/**
 * Every setting of the API and the worker, read once from the environment at
 * start-up. Defaults make a developer machine work out of the box; in
 * production the connection settings must be given explicitly.
 */
const environmentSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATABASE_URL: url(['postgres:', 'postgresql:']).optional(),
  REDIS_URL: url(['redis:', 'rediss:']).optional(),
  OMT_REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:_-]+$/, 'letters, digits, ":", "_" and "-" only')
    .default('omt'),
  OMT_TENANT_DATABASE_URL: url(['postgres:', 'postgresql:']).optional(),
  OMT_TENANT_SCHEMA: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'letters, digits and "_" only, not starting with a digit')
    .default('crm7')
    .describe("Schema holding the customer's tables inside each tenant database (the onsite table prefix)."),
  OMT_TENANT_DATABASE_PREFIX: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,29}$/, 'lower-case letters, digits and "_" only, at most 30')
    .default('tenant_')
    .describe("Start of every tenant database's name (`tenant_` + the customer id); tests use one of their own."),
  OMT_BLOB_DIR: z.string().min(1).optional(),
  OMT_TENANT_ARCHIVE_DIR: z
    .string()
    .min(1)
    .optional()
    .describe(
      "Where the tenants' document archives live, one folder per tenant database (default <repo>/.omt/archives).",
    ),
  OMT_MAX_DOCUMENT_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(2 * 1024 ** 3)
    .describe('Largest document the API accepts, in bytes (default 2 GiB).'),
  OMT_DASHBOARD_ORIGIN: origins
    .default(['http://127.0.0.1:5173'])
    .describe(
      "Origins the dashboard is served from besides the API's own (comma-separated): CORS, and the cross-site check of cookie actions and the /ops socket.",
    ),
  OMT_DASHBOARD_DIST: z.string().min(1).default(path.join(REPO_ROOT, 'apps/ops-dashboard/dist')),
  OMT_MIGRATE_ON_START: booleanFlag.default(true),
  OMT_ADMIN_EMAIL: z
    .email('must be an email address')
    .optional()
    .describe('Email of the first admin, created on start while no admin exists (with OMT_ADMIN_PASSWORD).'),
  OMT_ADMIN_PASSWORD: z
    .string()
    .min(12, 'must be at least 12 characters')
    .optional()
    .describe('Password of the first admin (with OMT_ADMIN_EMAIL); never changes an existing user.'),
  OMT_ENROLLMENT_CODE_TTL_HOURS: z.coerce
    .number()
    .positive()
    .max(24 * 90)
    .default(168)
    .describe('How long an enrollment code stays valid, in hours (default 7 days).'),
  OMT_SESSION_TTL_HOURS: z.coerce
    .number()
    .positive()
    .max(24 * 30)
    .default(12)
    .describe('How long a dashboard login lasts, in hours.'),
  OMT_MAX_BATCH_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(32 * 1024 * 1024)
    .describe('Largest table batch the API accepts, in bytes as sent (gzip); default 32 MiB.'),
  OMT_MAX_JSON_BYTES: z.coerce
    .number()
    .int()
    .min(100 * 1024)
    .default(64 * 1024 * 1024)
    .describe(
      "Largest JSON request body, in bytes (default 64 MiB): a plan's user directory, a list of missing documents.",
    ),
  OMT_STALLED_AFTER_MINUTES: z.coerce
    .number()
    .positive()
    .max(24 * 60)
    .default(10)
    .describe('A running migration with no progress for this many minutes is marked stalled on the dashboard.'),
  OMT_QUEUE_MEASURE_SECONDS: z.coerce
    .number()
    .min(0.5)
    .max(300)
    .default(5)
    .describe('How often the API pushes the job counts of every queue to the dashboard, in seconds.'),
  OMT_SOCKET_RECHECK_SECONDS: z.coerce
    .number()
    .min(0.2)
    .max(3600)
    .default(30)
    .describe(
      "How often the API checks that each live socket's login or agent token is still valid, in seconds; ended ones are disconnected.",
    ),
  OMT_TRUST_PROXY: trustProxy
    .default(false)
    .describe(
      "Express' `trust proxy` behind a load balancer: `false` (default), `true`, a number of hops, or the proxies' addresses; the client address (per-IP rate limits) then comes from X-Forwarded-For and the protocol (Secure cookie, the API's own origin) from X-Forwarded-Proto.",
    ),
  OMT_AGENT_LEASE_SECONDS: z.coerce
    .number()
    .min(1)
    .max(3600)
    .default(60)
    .describe(
      "How long an agent's lease on its ticket lasts unless renewed, in seconds: a second agent is refused meanwhile, and an agent killed without releasing it blocks the next run at most this long.",
    ),
  OMT_RECONCILE_SECONDS: z.coerce
    .number()
    .positive()
    .max(3600)
    .default(30)
    .describe('How often the worker queues again the jobs Redis may have lost (pieces not imported yet), in seconds.'),
  OMT_RETENTION_HOURS: z.coerce
    .number()
    .min(0)
    .max(24 * 365)
    .default(72)
    .describe(
      "How long a completed or cancelled ticket's working copies (batch blobs, document uploads) are kept, in hours (fractions allowed); the tenant's data is never touched.",
    ),
  OMT_RETENTION_SWEEP_SECONDS: z.coerce
    .number()
    .min(0.5)
    .max(24 * 3600)
    .default(600)
    .describe(
      'How often the worker deletes working copies past their grace period and stale partial files, in seconds.',
    ),
  OMT_PARTIAL_FILE_HOURS: z.coerce
    .number()
    .positive()
    .max(24 * 365)
    .default(24)
    .describe(
      'Partial files (`.part` of an interrupted write, unfinished document uploads) older than this many hours are deleted.',
    ),
});

const REQUIRED_IN_PRODUCTION = ['DATABASE_URL', 'REDIS_URL', 'OMT_BLOB_DIR'] as const;

export interface AppConfig {
  env: 'development' | 'test' | 'production';
  host: string;
  port: number;
  logLevel: string;
  databaseUrl: string;
  redisUrl: string;
  redisPrefix: string;
  /** A connection (to any database) with the right to create the tenants' databases. */
  tenantDatabaseUrl: string;
  /** Prefix of the tenants' database names; the customer id follows. */
  tenantDatabasePrefix: string;
  /** Schema of the customer's tables in a tenant database. */
  tenantSchema: string;
  blobDir: string;
  /** Root of the tenants' document archives: `<root>/<tenant database name>/<safe relative path>`. */
  tenantArchiveDir: string;
  maxDocumentBytes: number;
  /** Origins besides the API's own that may use the session cookie (CORS, cross-site checks, the /ops socket). */
  dashboardOrigins: string[];
  dashboardDist: string;
  migrateOnStart: boolean;
  /** The first admin, created on start while there is none. */
  firstAdmin: { email: string; password: string } | null;
  enrollmentCodeTtlHours: number;
  sessionTtlHours: number;
  /** How often the worker re-queues jobs of pieces not imported yet. */
  reconcileSeconds: number;
  /** Largest batch upload accepted, compressed bytes. */
  maxBatchBytes: number;
  /** Largest JSON request body accepted, bytes. */
  maxJsonBytes: number;
  stalledAfterMinutes: number;
  queueMeasureSeconds: number;
  /** How often live sockets' credentials are checked again. */
  socketRecheckSeconds: number;
  /** Which proxies' X-Forwarded-For to believe for the client address. */
  trustProxy: TrustProxy;
  /** Grace period of a finished ticket's working copies. */
  retentionHours: number;
  retentionSweepSeconds: number;
  /** Age after which a partial file is abandoned. */
  partialFileHours: number;
  /** Lifetime of an agent's ticket lease unless renewed. */
  agentLeaseSeconds: number;
}

/** Reads and validates the configuration; throws CONFIG_INVALID naming every bad variable. */
export function loadConfig(environment: NodeJS.ProcessEnv): AppConfig {
  const parsed = environmentSchema.safeParse(environment);
  const problems: { path: string; message: string }[] = parsed.success
    ? []
    : parsed.error.issues.map((issue) => ({ path: String(issue.path[0]), message: issue.message }));
  if (parsed.success && parsed.data.NODE_ENV === 'production') {
    for (const name of REQUIRED_IN_PRODUCTION) {
      if (!environment[name]) problems.push({ path: name, message: 'must be set in production' });
    }
  }
  if (parsed.success && Boolean(parsed.data.OMT_ADMIN_EMAIL) !== Boolean(parsed.data.OMT_ADMIN_PASSWORD)) {
    const missing = parsed.data.OMT_ADMIN_EMAIL ? 'OMT_ADMIN_PASSWORD' : 'OMT_ADMIN_EMAIL';
    const given = parsed.data.OMT_ADMIN_EMAIL ? 'OMT_ADMIN_EMAIL' : 'OMT_ADMIN_PASSWORD';
    problems.push({ path: missing, message: `must be set together with ${given}` });
  }
  if (!parsed.success || problems.length > 0) {
    const lines = problems.map((p) => `${p.path}: ${p.message}`);
    throw new OmtError('CONFIG_INVALID', `Invalid configuration: ${lines.join('; ')}.`, problems);
  }
  const e = parsed.data;
  const databaseUrl = e.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/omt_ops';
  return {
    env: e.NODE_ENV,
    host: e.HOST,
    port: e.PORT,
    logLevel: e.LOG_LEVEL,
    databaseUrl,
    redisUrl: e.REDIS_URL ?? 'redis://127.0.0.1:6379',
    redisPrefix: e.OMT_REDIS_PREFIX,
    tenantDatabaseUrl: e.OMT_TENANT_DATABASE_URL ?? databaseUrl,
    tenantDatabasePrefix: e.OMT_TENANT_DATABASE_PREFIX,
    tenantSchema: e.OMT_TENANT_SCHEMA,
    blobDir: path.resolve(e.OMT_BLOB_DIR ?? path.join(REPO_ROOT, '.omt/blobs')),
    tenantArchiveDir: path.resolve(e.OMT_TENANT_ARCHIVE_DIR ?? path.join(REPO_ROOT, '.omt/archives')),
    maxDocumentBytes: e.OMT_MAX_DOCUMENT_BYTES,
    dashboardOrigins: e.OMT_DASHBOARD_ORIGIN,
    dashboardDist: path.resolve(e.OMT_DASHBOARD_DIST),
    migrateOnStart: e.OMT_MIGRATE_ON_START,
    firstAdmin:
      e.OMT_ADMIN_EMAIL && e.OMT_ADMIN_PASSWORD ? { email: e.OMT_ADMIN_EMAIL, password: e.OMT_ADMIN_PASSWORD } : null,
    enrollmentCodeTtlHours: e.OMT_ENROLLMENT_CODE_TTL_HOURS,
    sessionTtlHours: e.OMT_SESSION_TTL_HOURS,
    reconcileSeconds: e.OMT_RECONCILE_SECONDS,
    maxBatchBytes: e.OMT_MAX_BATCH_BYTES,
    maxJsonBytes: e.OMT_MAX_JSON_BYTES,
    stalledAfterMinutes: e.OMT_STALLED_AFTER_MINUTES,
    queueMeasureSeconds: e.OMT_QUEUE_MEASURE_SECONDS,
    socketRecheckSeconds: e.OMT_SOCKET_RECHECK_SECONDS,
    trustProxy: e.OMT_TRUST_PROXY,
    retentionHours: e.OMT_RETENTION_HOURS,
    retentionSweepSeconds: e.OMT_RETENTION_SWEEP_SECONDS,
    partialFileHours: e.OMT_PARTIAL_FILE_HOURS,
    agentLeaseSeconds: e.OMT_AGENT_LEASE_SECONDS,
  };
}

/** The variables documented in the README, in one place with their meaning. */
export const CONFIG_VARIABLES = Object.keys(environmentSchema.shape);

/** What each documented variable means, where its schema says so. */
export const CONFIG_DESCRIPTIONS: Record<string, string | undefined> = Object.fromEntries(
  Object.entries(environmentSchema.shape).map(([name, schema]) => [name, schema.description]),
);
