import type {
  BatchLimits,
  ColumnDefault,
  ColumnType,
  Identity,
  IndexDefinition,
  TableSchema,
  UntranslatedStructure,
} from '@omt/contracts';

export type SourceDialect = 'postgres' | 'mssql';

/** A column as the source database describes it; `type` is null when omt cannot carry it. */
export interface IntrospectedColumn {
  name: string;
  nativeType: string;
  nullable: boolean;
  type: ColumnType | null;
  /** Absent or null: no default (or one reported in the table's `untranslated`). */
  default?: ColumnDefault | null;
  /** Absent or null: not an identity column. */
  identity?: Identity | null;
}

export interface IntrospectedTable {
  name: string;
  columns: IntrospectedColumn[];
  /** Column names in key order; empty when the table has no primary key. */
  primaryKey: string[];
  /**
   * Indexes and unique constraints besides the primary key. Both sources
   * always fill this and `untranslated`; they are optional so that tables
   * built by hand (tests, fakes) need not.
   */
  indexes?: IndexDefinition[];
  /** Structure the source declares that the tenant cannot be given as it is. */
  untranslated?: UntranslatedStructure[];
}

/**
 * A slice of one table in PostgreSQL COPY text format: whole lines, each
 * ending in `\n`, columns in the introspected order. `sequence` counts from 0
 * within the table, so a re-sent batch can be recognised. The text comes in
 * the pieces it was read in (a line may straddle two): never joined, so a
 * batch of megabytes is not copied, nor held twice, on its way to gzip.
 * The array is the consumer's: it may empty it to let the text go early.
 */
export interface TableBatch {
  table: string;
  sequence: number;
  /** Index of the batch's first row in the table's stream order. */
  firstRow: number;
  rows: number;
  chunks: Buffer[];
  /** Bytes in all chunks. */
  bytes: number;
}

/** A batch that landed in an earlier run: the rows it holds, so a resume cuts around them. */
export interface LandedBatch {
  sequence: number;
  firstRow: number;
  rows: number;
}

/**
 * A batch whose COPY text is read from the source while the consumer reads
 * `pieces`, which it must read to the end before it asks for the next batch:
 * one row longer than a batch (a blob), or the rows of a batch that landed
 * in an earlier run (`landed`: hashed and checked, not sent).
 */
export interface StreamedBatch {
  table: string;
  sequence: number;
  firstRow: number;
  rows: number;
  landed: boolean;
  pieces: AsyncIterable<Buffer>;
}

export type SourceBatch = TableBatch | StreamedBatch;

export function isStreamed(batch: SourceBatch): batch is StreamedBatch {
  return 'pieces' in batch;
}

/** Every batch held whole (checks, tests and small tables; the uploader streams the large ones). */
export async function* heldBatches(batches: AsyncIterable<SourceBatch>): AsyncGenerator<TableBatch> {
  for await (const batch of batches) {
    if (!isStreamed(batch)) {
      yield batch;
      continue;
    }
    const chunks: Buffer[] = [];
    let bytes = 0;
    for await (const piece of batch.pieces) {
      chunks.push(piece);
      bytes += piece.length;
    }
    yield { table: batch.table, sequence: batch.sequence, firstRow: batch.firstRow, rows: batch.rows, chunks, bytes };
  }
}

/** A batch's COPY text in one buffer (checks and tests; the uploader streams the chunks). */
export function batchText(batch: TableBatch): Buffer {
  return Buffer.concat(batch.chunks, batch.bytes);
}

/** A batch is cut when either limit is reached (a single longer row makes a batch of its own); one set of defaults, the protocol's. */
export { DEFAULT_BATCH_LIMITS, type BatchLimits } from '@omt/contracts';

/** A small read for the catalog queries: some columns of one table, optionally filtered on one column. */
export interface RowQuery {
  table: string;
  columns: string[];
  where?: { column: string; op: '=' | '<>'; value: string | number };
}

/** Values as the driver returns them: numbers, strings, booleans, Dates, Buffers or null. */
export type SourceRow = Record<string, unknown>;

/**
 * One onsite database, read-only but for its system events. Table and
 * column names are customer data; every implementation quotes them and
 * never interpolates them raw.
 */
export interface SourceConnector {
  readonly dialect: SourceDialect;
  /** The table prefix schema, `crm7` by default. */
  readonly schema: string;
  /** Every base table of the schema with its columns, primary key, indexes, defaults and identity columns. */
  introspect(): Promise<IntrospectedTable[]>;
  countRows(table: string): Promise<number>;
  /**
   * Streams the table in primary-key order (one pass in storage order when it
   * has none), in bounded batches; the next batch is read only when the
   * consumer asks for it, so memory does not grow with the table.
   */
  streamTable(table: TableSchema, limits?: BatchLimits): AsyncIterable<TableBatch>;
  /**
   * The same stream for the uploader: a row longer than a batch, and the
   * rows of batches that landed before (`landed`), come streamed rather than
   * held, so memory stays bounded whatever a value's size; the other batches
   * are cut around the landed ones with `limits`.
   */
  streamBatches(table: TableSchema, limits: BatchLimits, landed?: readonly LandedBatch[]): AsyncIterable<SourceBatch>;
  selectRows(query: RowQuery): Promise<SourceRow[]>;
  /**
   * The only writes omt makes onsite (a live migration's freeze): one
   * SystemEvent row with this key (kept if it is there), and its removal.
   */
  setSystemEvent(eventkey: string, eventmess: string): Promise<void>;
  clearSystemEvent(eventkey: string): Promise<void>;
  close(): Promise<void>;
}
