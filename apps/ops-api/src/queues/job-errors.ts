import { UnrecoverableError } from 'bullmq';
import { OmtError, type ErrorCode } from '@omt/contracts';

/**
 * A failure retrying cannot fix: a corrupt payload, data that does not fit
 * the table, a batch that contradicts one already loaded. BullMQ fails the
 * job at once (it is an UnrecoverableError); the code and message are what
 * the ticket shows.
 */
export class PermanentImportError extends UnrecoverableError {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'PermanentImportError';
  }

  toOmtError(): OmtError {
    return new OmtError(this.code, this.message);
  }
}

/**
 * SQLSTATE classes and codes that mean the data or the schema is wrong, so
 * the same job would fail the same way again: data exceptions (22: bad COPY
 * text 22P04, bad values 22P02, out of range 22003, too long 22001, bad
 * dates 22007/22008, bad UTF-8 22021), integrity violations (23: NOT NULL, a
 * duplicate key when the primary key is added) and undefined or mismatched
 * objects (42703 column, 42P01 table, 42804 type).
 */
const PERMANENT_SQLSTATE_CLASSES = ['22', '23'];
const PERMANENT_SQLSTATES = new Set(['42703', '42P01', '42804', '42601', '42P10', '54000', '54001', '0A000']);

export type ImportFailureKind = 'permanent' | 'transient';

/** zlib's codes for bytes that are not a whole gzip stream: a stored batch damaged after it was checked in. */
const CORRUPT_GZIP_CODES = new Set(['Z_DATA_ERROR', 'Z_BUF_ERROR', 'Z_NEED_DICT']);

function isCorruptGzip(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && CORRUPT_GZIP_CODES.has(code);
}

/**
 * Permanent or worth retrying. Anything not known to be permanent is
 * transient: a dropped connection, a restarting server (57P01–57P03, 08xxx),
 * a deadlock (40P01) or serialization failure (40001), resources (53xxx);
 * the queue's retry policy bounds how often that is tried.
 */
export function classifyImportError(error: unknown): ImportFailureKind {
  if (error instanceof UnrecoverableError) return 'permanent';
  if (error instanceof OmtError) return error.status >= 500 ? 'transient' : 'permanent';
  if (isCorruptGzip(error)) return 'permanent';
  const sqlState = sqlStateOf(error);
  if (sqlState && (PERMANENT_SQLSTATE_CLASSES.includes(sqlState.slice(0, 2)) || PERMANENT_SQLSTATES.has(sqlState))) {
    return 'permanent';
  }
  return 'transient';
}

/**
 * What a job should throw: permanent failures as a PermanentImportError
 * whose message says what was being done (`context`) and PostgreSQL's own
 * words and position; transient ones unchanged, for the retry policy.
 */
export function toJobError(error: unknown, context: string): Error {
  if (error instanceof PermanentImportError) return error;
  const kind = classifyImportError(error);
  // Duck-typed: errors raised by Node's own sockets come from another realm under Jest.
  if (kind === 'transient') return typeof (error as Error | null)?.message === 'string' ? (error as Error) : new Error(String(error));
  if (error instanceof OmtError) return new PermanentImportError(error.code, `${context}: ${error.message}`);
  if (isCorruptGzip(error)) {
    return new PermanentImportError(
      'CHECKSUM_MISMATCH',
      `${context} is corrupt: it is not a whole gzip stream (${(error as Error).message}). The agent must send it again.`,
    );
  }
  const pg = error as { message?: string; where?: string; detail?: string };
  const where = pg.where ? ` (${pg.where.split('\n')[0]})` : '';
  const detail = pg.detail ? ` ${pg.detail}` : '';
  return new PermanentImportError('VALIDATION_FAILED', `${context}: ${pg.message ?? String(error)}${where}.${detail}`);
}

/** The SQLSTATE of an error the server sent (it has a severity); socket errors have codes like EPIPE instead. */
export function sqlStateOf(error: unknown): string | undefined {
  const e = error as { code?: unknown; severity?: unknown } | null;
  return typeof e?.code === 'string' && typeof e.severity === 'string' && /^[0-9A-Z]{5}$/.test(e.code) ? e.code : undefined;
}

/**
 * After a failed statement, can the connection still run ROLLBACK? Yes when
 * the server reported an ordinary error; no when the connection itself was
 * lost or ended by the server (57xxx, 08xxx) or a stream broke mid-COPY.
 */
export function connectionSurvives(error: unknown): boolean {
  const sqlState = sqlStateOf(error);
  return sqlState !== undefined && !sqlState.startsWith('57') && !sqlState.startsWith('08');
}
