import { createHash } from 'node:crypto';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import type { TableSchema } from '@omt/contracts';
import { qualifiedTenantPg, tenantColumnListPg } from '@omt/copy-text';
import { PermanentImportError, connectionSurvives, toJobError } from '../queues/job-errors';
import { LEDGER_TABLE, checkOut, type TenantTarget } from '../tenants/tenant-database';

const NEWLINE = 0x0a;

export interface LoadBatchInput {
  tenant: TenantTarget;
  table: TableSchema;
  sequence: number;
  /** sha256 of the batch's bytes, as the agent computed it. */
  sha256: string;
  /** COPY text. A stream (from the blob store) is hashed while it flows into COPY and checked before COMMIT. */
  data: Buffer | Readable | AsyncIterable<Buffer>;
  /** Row count the agent announced; checked when given. */
  rows?: number;
  /** Bytes of COPY text the agent announced; checked when given, and no more are read (a small gzip can unpack to gigabytes). */
  bytes?: number;
}

export interface LoadBatchResult {
  status: 'loaded' | 'duplicate';
  rows: number;
}

/**
 * Loads one batch: its COPY and its ledger row commit in one transaction,
 * so a job retried after a crash, or sent twice, never duplicates rows.
 *
 * The ledger row goes in first: a second loader of the same batch waits on
 * that row's key until the first commits (then finds it, a no-op) or rolls
 * back (then loads it). The same sequence with other bytes is a conflict.
 * Values are never parsed here: the bytes go to COPY as they came, and
 * PostgreSQL's own errors (bad COPY text, a value that does not fit the
 * column) become permanent failures naming the batch, table, line and column.
 */
export async function loadBatch(input: LoadBatchInput): Promise<LoadBatchResult> {
  const { tenant, table, sequence, sha256 } = input;
  const context = `Batch ${sequence} of table "${table.name}"`;
  // A buffer is checked before a connection is taken: a corrupt upload costs nothing.
  if (Buffer.isBuffer(input.data)) checkBatch(context, input, inspect(input.data));

  const { client, release } = await checkOut(tenant.pool).catch((error: unknown) => {
    discard(input.data);
    throw error;
  });
  let broken = false;
  try {
    await client.query('BEGIN');
    const claimed = await client.query(
      `INSERT INTO ${LEDGER_TABLE} (table_name, sequence, sha256, rows) VALUES ($1, $2, $3, 0)
       ON CONFLICT (table_name, sequence) DO NOTHING`,
      [table.name, sequence, sha256],
    );
    if (!claimed.rowCount) {
      const existing = await client.query<{ sha256: string; rows: number }>(
        `SELECT sha256, rows FROM ${LEDGER_TABLE} WHERE table_name = $1 AND sequence = $2`,
        [table.name, sequence],
      );
      await client.query('ROLLBACK');
      discard(input.data);
      const row = existing.rows[0]!;
      if (row.sha256 !== sha256) {
        throw new PermanentImportError(
          'BATCH_CONFLICT',
          `${context} was already loaded with sha256 ${row.sha256}; this one has ${sha256}. The agent sent two different batches under one sequence number.`,
        );
      }
      return { status: 'duplicate', rows: row.rows };
    }

    const copy = client.query(
      copyFrom(`COPY ${qualifiedTenantPg(tenant.schema, table.name)} (${tenantColumnListPg(table.columns)}) FROM STDIN`),
    );
    const meter = new BatchMeter(context, input.bytes);
    const source = Buffer.isBuffer(input.data) ? Readable.from([input.data]) : input.data;
    // pipeline() rejects with the first error; when the connection dies, pg
    // reports it to the COPY stream again after pipeline has let go of it.
    const ignoreLateErrors = () => undefined;
    copy.on('error', ignoreLateErrors);
    meter.on('error', ignoreLateErrors);
    await pipeline(source, meter, copy);
    const seen = meter.result();
    checkBatch(context, input, seen);
    // `\.` on a line of its own ends COPY data early; the counts must agree.
    if (copy.rowCount !== seen.lines) {
      throw new PermanentImportError(
        'VALIDATION_FAILED',
        `${context} has ${seen.lines} lines but COPY loaded ${copy.rowCount} rows: the payload is not valid COPY text.`,
      );
    }
    await client.query(`UPDATE ${LEDGER_TABLE} SET rows = $3 WHERE table_name = $1 AND sequence = $2`, [
      table.name,
      sequence,
      copy.rowCount,
    ]);
    await client.query('COMMIT');
    return { status: 'loaded', rows: copy.rowCount };
  } catch (error) {
    discard(input.data); // a blob stream never read still holds a file open
    // A lost connection is discarded, not rolled back: the server aborts the transaction when it goes.
    broken = !(error instanceof PermanentImportError) && !connectionSurvives(error);
    if (!broken) await client.query('ROLLBACK').catch(() => (broken = true));
    throw toJobError(error, context);
  } finally {
    release(broken);
  }
}

interface BatchFacts {
  sha256: string;
  lines: number;
  bytes: number;
  endsWithNewline: boolean;
}

function inspect(data: Buffer): BatchFacts {
  let lines = 0;
  for (let i = data.indexOf(NEWLINE); i !== -1; i = data.indexOf(NEWLINE, i + 1)) lines++;
  return {
    sha256: createHash('sha256').update(data).digest('hex'),
    lines,
    bytes: data.length,
    endsWithNewline: data.length === 0 || data[data.length - 1] === NEWLINE,
  };
}

function checkBatch(context: string, claim: Pick<LoadBatchInput, 'sha256' | 'rows' | 'bytes'>, seen: BatchFacts): void {
  const { sha256, rows, bytes } = claim;
  if (bytes !== undefined && bytes !== seen.bytes) {
    throw new PermanentImportError('BATCH_INVALID', `${context} has ${seen.bytes} bytes of COPY text; the agent announced ${bytes}.`);
  }
  if (seen.sha256 !== sha256) {
    throw new PermanentImportError(
      'CHECKSUM_MISMATCH',
      `${context} is corrupt: its bytes hash to ${seen.sha256}, the agent sent ${sha256}. The agent must send it again.`,
    );
  }
  if (!seen.endsWithNewline) {
    throw new PermanentImportError('VALIDATION_FAILED', `${context} ends inside a row: the payload is not valid COPY text.`);
  }
  if (rows !== undefined && rows !== seen.lines) {
    throw new PermanentImportError('VALIDATION_FAILED', `${context} has ${seen.lines} rows; the agent announced ${rows}.`);
  }
}

/** Hashes and counts the bytes passing through on their way to COPY; stops past the announced size. */
class BatchMeter extends Transform {
  private readonly hash = createHash('sha256');
  private lines = 0;
  private bytes = 0;
  private last = NEWLINE;

  constructor(
    private readonly context: string,
    private readonly maxBytes = Infinity,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) {
      return callback(
        new PermanentImportError('BATCH_INVALID', `${this.context} unpacks to more than the ${this.maxBytes} bytes the agent announced.`),
      );
    }
    this.hash.update(chunk);
    for (let i = chunk.indexOf(NEWLINE); i !== -1; i = chunk.indexOf(NEWLINE, i + 1)) this.lines++;
    if (chunk.length > 0) this.last = chunk[chunk.length - 1]!;
    callback(null, chunk);
  }

  result(): BatchFacts {
    return { sha256: this.hash.digest('hex'), lines: this.lines, bytes: this.bytes, endsWithNewline: this.last === NEWLINE };
  }
}

function discard(data: LoadBatchInput['data']): void {
  if (data instanceof Readable) data.destroy();
}
