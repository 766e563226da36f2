import { z } from 'zod';
import { documentStatusSchema } from './archive';
import { checkReportSchema } from './checks';
import { MIGRATION_STATE_WORDS, type MigrationState } from './migration-state';
import { migrationPlanSchema } from './plan';
import { identifierSchema } from './source-schema';
import { ticketViewSchema } from './ticket';

/**
 * The agent ↔ API upload protocol. Every path is under `/api/agent` and
 * authenticated by the agent token, which opens its own ticket only.
 *
 *   GET  /api/agent/session                          → AgentSession (ticket, manifest, mode)
 *   POST /api/agent/lease, DELETE /api/agent/lease   the ticket's lease: one agent process at a time (lease.ts)
 *   PUT  /api/agent/checks                           CheckReport → ticket ready or checks_failed
 *   PUT  /api/agent/plan                             PlanSubmission → validated again, stored
 *   POST /api/agent/upload                           StartUpload → ticket uploading; UploadManifest
 *   PUT  /api/agent/tables/:table                    TableSchema → tenant table created (idempotent)
 *   PUT  /api/agent/tables/:table/batches/:sequence  gzip(COPY text), headers below → BatchReceipt
 *   PUT  /api/agent/tables/:table/batches/:sequence/parts/:part
 *                                                    one piece of a batch too large for one request: a slice of
 *                                                    the batch's gzip, `x-omt-gzip-sha256` of the piece → BatchPartReceipt
 *   POST /api/agent/tables/:table/batches/:sequence/commit
 *                                                    BatchCommit: the whole batch's figures and part count → BatchReceipt,
 *                                                    or 422 BATCH_PARTS_MISSING naming the parts not held
 *   POST /api/agent/tables/:table/complete           TableComplete: the source's count and content hash
 *   POST /api/agent/documents  (tus, resumable)      one document, metadata below
 *   PUT  /api/agent/documents/missing                MissingDocuments: what could not be uploaded, and why
 *   POST /api/agent/upload/complete                  → ticket importing; verification follows by itself
 *
 * `:table` is `tablePathSegment(name)`: the table name URL-encoded (with an
 * escape for `.` and `..`); names are data, never paths or SQL.
 */
export const AGENT_API = '/api/agent';

export const sha256HexSchema = z.string().regex(/^[0-9a-f]{64}$/, 'must be a lowercase hex sha256');

// ---------------------------------------------------------------------------
// Table batches.

/**
 * Bounds of one batch, chosen by the agent for each run: a resume may use
 * other limits than the first run, since each landed batch records the rows
 * it holds (`firstRow`, `rows`) and a resume sends only the rows outside them.
 */
export const batchLimitsSchema = z.object({
  maxRows: z.number().int().min(1).max(1_000_000),
  maxBytes: z
    .number()
    .int()
    .min(1024)
    .max(64 * 1024 * 1024),
});
export type BatchLimits = z.infer<typeof batchLimitsSchema>;

/**
 * Each batch costs a request, a few ledger queries, a queue job and a COPY
 * transaction whatever its size, so batches are large: 8 MiB of COPY text
 * (about 1 MiB of gzip) or 100 000 rows. The agent holds a few per table at
 * once, well inside its memory budget.
 */
export const DEFAULT_BATCH_LIMITS: BatchLimits = { maxRows: 100_000, maxBytes: 8 * 1024 * 1024 };

/**
 * A batch travels as the gzip of its COPY text (`Content-Type: application/gzip`)
 * with two hashes. `x-omt-gzip-sha256` is of the body as sent: the API checks
 * it on arrival without unpacking (damage on the wire → 422, the agent sends
 * again). `x-omt-sha256` is of the uncompressed COPY text, the hash the agent
 * computed while reading the source: the worker checks it, with `x-omt-rows`
 * and `x-omt-bytes`, while it unpacks the batch into COPY and before COMMIT,
 * so the data is checked from the source to the tenant. `x-omt-bytes` also
 * bounds the unpacking (a small gzip can unpack to gigabytes).
 */
export const BATCH_CONTENT_TYPE = 'application/gzip';
export const BATCH_HEADERS = {
  sha256: 'x-omt-sha256',
  rows: 'x-omt-rows',
  bytes: 'x-omt-bytes',
  gzipSha256: 'x-omt-gzip-sha256',
  /** Index (from 0, in the table's stream order) of the batch's first row: where a resume continues. */
  firstRow: 'x-omt-first-row',
} as const;

/**
 * A batch larger than one request (in particular one holding a single row
 * past the batch limit: SQL Server keeps up to 2 GB in a value) travels in
 * parts. Its gzip is cut into slices of at most MAX_BATCH_PART_BYTES, each
 * `PUT .../batches/:sequence/parts/:part` with `x-omt-gzip-sha256` of the
 * slice (checked on arrival; sending a part again replaces it, so a retry is
 * harmless), then `POST .../batches/:sequence/commit` with BatchCommit. The
 * API refuses a commit while a part is missing (BATCH_PARTS_MISSING); once
 * committed the batch is one ledger row and one import job like any other,
 * and the worker streams the parts in order through gunzip into COPY,
 * checking the whole batch's sha256, rows and bytes before COMMIT.
 */
export const BATCH_PART_CONTENT_TYPE = 'application/octet-stream';
/** The agent's slices; the API takes parts up to its OMT_MAX_BATCH_BYTES. */
export const DEFAULT_BATCH_PART_BYTES = 4 * 1024 * 1024;
export const MAX_BATCH_PARTS = 100_000;
/**
 * The longest COPY text line PostgreSQL takes (its allocation limit, 1 GiB
 * less one byte): a row past it cannot be loaded at all and is refused,
 * naming the table and the row's key (ROW_TOO_LARGE), before it is sent.
 */
export const MAX_ROW_BYTES = 1024 * 1024 * 1024 - 1;

export const batchPartSchema = z.coerce.number().int().min(0).max(MAX_BATCH_PARTS - 1);

export const batchPartReceiptSchema = z
  .object({
    table: z.string(),
    sequence: z.number().int().nonnegative(),
    part: z.number().int().nonnegative(),
    /** `stored`: held until the commit. `duplicate`: the batch was committed before; nothing was done. */
    status: z.enum(['stored', 'duplicate']),
  })
  .meta({ description: 'What the API did with one part of a batch.' });
export type BatchPartReceipt = z.infer<typeof batchPartReceiptSchema>;

export const batchCommitSchema = z
  .object({
    /** sha256 of the whole batch's COPY text (every part, unpacked). */
    sha256: sha256HexSchema,
    rows: z.number().int().min(1),
    /** Bytes of the whole batch's COPY text. */
    bytes: z.number().int().min(1).max(MAX_ROW_BYTES * 2),
    parts: z.number().int().min(1).max(MAX_BATCH_PARTS),
    /** Index of the batch's first row in the table's stream order. */
    firstRow: z.number().int().nonnegative(),
  })
  .strict()
  .meta({ description: "A batch sent in parts: the whole batch's figures, checked by the worker before COMMIT." });
export type BatchCommit = z.infer<typeof batchCommitSchema>;

/**
 * Clients collapse the path segments `.` and `..` (however percent-encoded),
 * so a table with such a name could never be addressed. These names, and
 * only names of the form `~*.` / `~*..`, travel with one extra leading `~`.
 */
const DOT_NAME = /^~*\.{1,2}$/;

/** The `:table` path segment of a table name: escaped as above, then URL-encoded. */
export function tablePathSegment(name: string): string {
  return encodeURIComponent(DOT_NAME.test(name) ? `~${name}` : name);
}

/** The table name of a decoded `:table` segment (the inverse of `tablePathSegment`). */
export function tableNameOfSegment(segment: string): string {
  return /^~+\.{1,2}$/.test(segment) ? segment.slice(1) : segment;
}

export const batchSequenceSchema = z.coerce.number().int().min(0).max(10_000_000);

export const batchReceiptSchema = z
  .object({
    table: z.string(),
    sequence: z.number().int().nonnegative(),
    /** `stored`: new, queued for import. `duplicate`: this exact batch had arrived before; nothing was done. */
    status: z.enum(['stored', 'duplicate']),
  })
  .meta({ description: 'What the API did with a table batch.' });
export type BatchReceipt = z.infer<typeof batchReceiptSchema>;

/** The source's own figures for a table, sent after its last batch; verification compares the tenant with them. */
export const tableCompleteSchema = z
  .object({
    batches: z.number().int().nonnegative(),
    rows: z.number().int().nonnegative(),
    /** TableDigest (@omt/copy-text) of every COPY text line of the table at the source. */
    hash: sha256HexSchema,
  })
  .strict()
  .meta({ description: "The source's own figures for a table, sent after its last batch." });
export type TableComplete = z.infer<typeof tableCompleteSchema>;

// ---------------------------------------------------------------------------
// Documents.

/**
 * tus upload metadata of one document (the tus `Upload-Metadata` header, each
 * value base64 as the protocol wants). `relativePath` is the path inside the
 * archive with `/` separators, as the archive scan derived it; the API makes
 * it safe before it touches a disk.
 */
export const documentUploadMetadataSchema = z.object({
  documentId: z.coerce.number().int(),
  relativePath: z.string().min(1).max(4096),
  sha256: sha256HexSchema,
  bytes: z.coerce.number().int().nonnegative(),
});
export type DocumentUploadMetadata = z.infer<typeof documentUploadMetadataSchema>;

export const missingDocumentSchema = z.object({
  documentId: z.number().int(),
  name: z.string(),
  relativePath: z.string().nullable(),
  reason: documentStatusSchema.exclude(['ok']),
});
export type MissingDocument = z.infer<typeof missingDocumentSchema>;

export const missingDocumentsSchema = z
  .object({ documents: z.array(missingDocumentSchema).max(1_000_000) })
  .strict()
  .meta({ description: 'The documents the archive scan could not send, with why.' });
export type MissingDocuments = z.infer<typeof missingDocumentsSchema>;

// ---------------------------------------------------------------------------
// Starting an upload and what the API already holds.

export const startUploadSchema = z
  .object({
    limits: batchLimitsSchema,
    /** Every table to be sent, with its row count at the source (for progress and ETA). */
    tables: z.array(z.object({ name: identifierSchema, rows: z.number().int().nonnegative() })).max(100_000),
    /** The documents the agent will send (status `ok` in the archive scan). */
    documents: z.object({ count: z.number().int().nonnegative(), bytes: z.number().int().nonnegative() }),
  })
  .strict()
  .meta({ description: 'What the agent is about to send: batch limits, tables with row counts, document totals.' });
export type StartUpload = z.infer<typeof startUploadSchema>;

export const manifestTableSchema = z.object({
  name: z.string(),
  /**
   * The batches that have arrived, with the rows each holds: a resume skips
   * those rows (checking they still hash the same) and cuts the rest anew.
   * `firstRow` and `rows` are absent from APIs older than them.
   */
  batches: z.array(
    z.object({
      sequence: z.number().int().nonnegative(),
      sha256: sha256HexSchema,
      firstRow: z.number().int().nonnegative().optional(),
      rows: z.number().int().nonnegative().optional(),
    }),
  ),
  /** The agent has sent the table's figures (TableComplete). */
  complete: z.boolean(),
});

export const manifestDocumentSchema = z.object({
  documentId: z.number().int(),
  relativePath: z.string(),
  sha256: sha256HexSchema,
  bytes: z.number().int().nonnegative(),
});

/** The structure of the tables sent, as verification found it: the agent's summary shows it. */
export const structureSummarySchema = z.object({
  /** Null until every table's structure was verified; then whether all equal the source's. */
  verified: z.boolean().nullable(),
  tables: z.number().int().nonnegative(),
  /** Indexes and unique constraints besides the primary keys. */
  indexes: z.number().int().nonnegative(),
  /** Primary keys and UNIQUE constraints. */
  constraints: z.number().int().nonnegative(),
  /** What the tenant could not be given as declared (untranslated items, defaults PostgreSQL refused). */
  warnings: z.array(z.string()),
});
export type StructureSummary = z.infer<typeof structureSummarySchema>;

/** What has landed for a ticket: the agent's resume and recovery work from it. */
export const uploadManifestSchema = z
  .object({
    /** Null until the first upload starts. */
    limits: batchLimitsSchema.nullable(),
    tables: z.array(manifestTableSchema),
    documents: z.array(manifestDocumentSchema),
    missingDocuments: z.array(missingDocumentSchema),
    /** The agent has called upload/complete for the current run. */
    uploadComplete: z.boolean(),
    /** Absent from APIs older than this field. */
    structure: structureSummarySchema.optional(),
  })
  .meta({ description: 'What has landed for the ticket; resume and recovery work from it.' });
export type UploadManifest = z.infer<typeof uploadManifestSchema>;

// ---------------------------------------------------------------------------
// The agent's modes.

export const AGENT_MODES = ['initial', 'resume', 'recovery', 'wait', 'done'] as const;
export const agentModeSchema = z.enum(AGENT_MODES);
export type AgentMode = z.infer<typeof agentModeSchema>;

export interface ModeChoice {
  mode: AgentMode;
  /** One sentence the agent prints: which mode and why. */
  reason: string;
}

/**
 * Which mode an agent starting now works in, from the ticket's state and
 * what has landed. One rule for the agent (which acts on it) and the API
 * (which shows it to ops).
 */
export function chooseAgentMode(state: MigrationState, manifest: UploadManifest): ModeChoice {
  const batches = manifest.tables.reduce((n, t) => n + t.batches.length, 0);
  const landed = `${manifest.tables.length} table(s), ${batches} batch(es) and ${manifest.documents.length} document(s) have landed`;
  switch (state) {
    case 'created':
    case 'enrolled':
    case 'checks_failed':
    case 'ready':
      return {
        mode: 'initial',
        reason: `the ticket is ${MIGRATION_STATE_WORDS[state]} and nothing has been uploaded yet`,
      };
    case 'uploading':
    case 'failed':
    case 'verification_failed':
      return batches + manifest.documents.length > 0 || manifest.tables.length > 0
        ? {
            mode: 'resume',
            reason: `the ticket is ${MIGRATION_STATE_WORDS[state]} and ${landed}; only what is missing is sent`,
          }
        : { mode: 'initial', reason: `the ticket is ${MIGRATION_STATE_WORDS[state]} but nothing has landed yet` };
    case 'completed_with_missing_documents':
    case 'recovering':
      return {
        mode: 'recovery',
        reason: `the ticket is ${MIGRATION_STATE_WORDS[state]} with ${manifest.missingDocuments.length} document(s) missing; only missing or changed documents are sent, the database is not touched`,
      };
    case 'importing':
    case 'verifying':
    case 'configuring':
      return {
        mode: 'wait',
        reason: `the upload is complete and the ticket is ${MIGRATION_STATE_WORDS[state]}; waiting for the cloud side to finish`,
      };
    case 'completed':
    case 'cancelled':
      return { mode: 'done', reason: `the ticket is ${MIGRATION_STATE_WORDS[state]}; there is nothing left to do` };
  }
}

export const agentSessionSchema = z
  .object({
    ticket: ticketViewSchema,
    manifest: uploadManifestSchema,
    mode: agentModeSchema,
    modeReason: z.string(),
  })
  .meta({ description: "The agent's ticket, what has landed, and the mode it should work in." });
export type AgentSession = z.infer<typeof agentSessionSchema>;

// ---------------------------------------------------------------------------
// What ops see of a ticket beyond its view (the dashboard's ticket page).

export const tableProgressSchema = z.object({
  name: z.string(),
  /** The name the tenant holds the table under: the source name, or (past PostgreSQL's 63 bytes) a shortened one with a hash suffix. */
  tenantName: z.string(),
  /** Columns the tenant holds under another name, for the same reason; empty when none (or before the schema arrived). */
  renamedColumns: z.array(z.object({ source: z.string(), tenant: z.string() })),
  /** Row count at the source when the upload started. */
  expectedRows: z.number().int().nonnegative(),
  rowsReceived: z.number().int().nonnegative(),
  rowsImported: z.number().int().nonnegative(),
  batchesReceived: z.number().int().nonnegative(),
  batchesImported: z.number().int().nonnegative(),
  complete: z.boolean(),
  /** Null until verification ran; then whether count and content hash matched. */
  verified: z.boolean().nullable(),
  verificationMessage: z.string().nullable(),
  /**
   * Null until verification ran; then whether the tenant's structure
   * (columns, types, nullability, defaults, identity, keys, indexes),
   * read from PostgreSQL's catalog, equals what the source declares.
   */
  structureVerified: z.boolean().nullable(),
  /** What differs, in words; null when equal or not yet verified. */
  structureMessage: z.string().nullable(),
  /** What the source declares that the tenant could not be given (untranslated items, defaults PostgreSQL refused): shown, not failures. */
  structureWarnings: z.array(z.string()),
  /** Indexes and unique constraints the source declares besides the primary key. */
  indexes: z.number().int().nonnegative(),
  /** Constraints the tenant holds for them: the primary key and the unique constraints. */
  constraints: z.number().int().nonnegative(),
});
export type TableProgress = z.infer<typeof tableProgressSchema>;

export const ticketFailureSchema = z.object({
  queue: z.string(),
  jobId: z.string(),
  jobName: z.string(),
  error: z.string(),
  attemptsMade: z.number().int().nonnegative(),
  failedAt: z.iso.datetime(),
});
export type TicketFailure = z.infer<typeof ticketFailureSchema>;

/**
 * Our working copies of a ticket's data (batch blobs, document uploads), not
 * the tenant's: what is still held and when it goes. Deleted once the ticket
 * is completed or cancelled and its grace period (OMT_RETENTION_HOURS) has
 * passed; held without end while the migration runs or recovery may need it.
 */
export const ticketRetentionSchema = z
  .object({
    batchFiles: z.number().int().nonnegative(),
    batchBytes: z.number().int().nonnegative(),
    uploadFiles: z.number().int().nonnegative(),
    uploadBytes: z.number().int().nonnegative(),
    /** When the sweep deletes them; null while the ticket is not completed or cancelled. */
    purgeAt: z.iso.datetime().nullable(),
    /** When they were deleted; null while they are held. */
    purgedAt: z.iso.datetime().nullable(),
  })
  .meta({ description: "What omt still holds of the ticket's uploaded data outside the tenant, and until when." });
export type TicketRetention = z.infer<typeof ticketRetentionSchema>;

export const ticketDetailSchema = z
  .object({
    ticket: ticketViewSchema,
    checks: checkReportSchema.nullable(),
    plan: migrationPlanSchema.nullable(),
    tables: z.array(tableProgressSchema),
    documents: z.object({
      expected: z.number().int().nonnegative(),
      expectedBytes: z.number().int().nonnegative(),
      received: z.number().int().nonnegative(),
      receivedBytes: z.number().int().nonnegative(),
      missing: z.array(missingDocumentSchema),
    }),
    /** Failed jobs of this ticket, newest first, each retryable from the dashboard. */
    failures: z.array(ticketFailureSchema),
    uploadStartedAt: z.iso.datetime().nullable(),
    lastActivityAt: z.iso.datetime().nullable(),
    mode: agentModeSchema,
    modeReason: z.string(),
    /** Working copies held and their deletion. */
    retention: ticketRetentionSchema,
  })
  .meta({
    description:
      'Everything ops see of a ticket: checks, plan, per-table progress, documents, failed jobs, agent mode.',
  });
export type TicketDetail = z.infer<typeof ticketDetailSchema>;
