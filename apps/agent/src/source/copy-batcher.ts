import { MAX_ROW_BYTES, OmtError } from '@omt/contracts';
import { RowKeyReader, type RowKey } from './row-key';
import type { BatchLimits, LandedBatch, SourceBatch, StreamedBatch, TableBatch } from './source-connector';

const NEWLINE = 0x0a;

export interface CopyBatchOptions {
  /** Batches that landed in an earlier run: their rows become one streamed batch each, cut exactly as they were. */
  landed?: readonly LandedBatch[];
  /** Which columns (by position) name a row, for errors about it; none: the row's number. */
  key?: RowKey;
  /** The longest row taken (tests lower it); longer is ROW_TOO_LARGE. */
  maxRowBytes?: number;
}

/** Reads chunks one at a time, and takes back the rest of one that was read too far. */
class ChunkReader {
  private back: Buffer | null = null;

  constructor(private readonly chunks: AsyncIterator<Buffer>) {}

  async next(): Promise<Buffer | null> {
    if (this.back) {
      const chunk = this.back;
      this.back = null;
      return chunk;
    }
    const read = await this.chunks.next();
    return read.done ? null : read.value;
  }

  unread(chunk: Buffer): void {
    if (chunk.length > 0) this.back = chunk;
  }
}

/**
 * Cuts a stream of COPY text bytes into batches of whole lines. In COPY text
 * format a newline inside a value is escaped, so every 0x0A byte ends a row.
 * Pulling from an async iterable keeps back-pressure: the source is read only
 * as fast as batches are consumed.
 *
 * Batches are held (`chunks`) up to the limits, so at most one batch plus one
 * row is held, except for two kinds that are streamed (`pieces`, read from
 * the source as the consumer reads them, which it must do to the end before
 * it asks for the next batch):
 * - a row longer than `limits.maxBytes` (a blob): a batch of its own, so
 *   memory does not grow with a value (SQL Server allows 2 GB);
 * - the rows of a batch that landed in an earlier run: the consumer hashes
 *   them (the table's digest covers every row) and checks them against what
 *   landed. The other batches are cut around them with today's limits, so a
 *   resume may use other limits than the run before.
 * New batches are numbered after the highest landed sequence.
 */
export async function* batchCopyLines(
  table: string,
  chunks: AsyncIterable<Buffer>,
  limits: BatchLimits,
  options: CopyBatchOptions = {},
): AsyncGenerator<SourceBatch> {
  const landed = [...(options.landed ?? [])].sort((a, b) => a.firstRow - b.firstRow);
  const maxRowBytes = options.maxRowBytes ?? MAX_ROW_BYTES;
  const reader = new ChunkReader(chunks[Symbol.asyncIterator]());
  let sequence = landed.reduce((n, b) => Math.max(n, b.sequence + 1), 0);
  let nextLanded = 0;
  /** Rows read whole so far: the index of the next row. */
  let row = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let rows = 0;
  /** Bytes at the end of `pending` that belong to a row whose end has not been read yet. */
  let partial = 0;

  const take = (parts: Buffer[], bytes: number, lines: number): TableBatch => ({
    table,
    sequence: sequence++,
    firstRow: row - lines,
    rows: lines,
    chunks: parts,
    bytes,
  });

  for (;;) {
    const range = landed[nextLanded];
    if (range && row === range.firstRow && pendingBytes === 0) {
      nextLanded++;
      yield* streamed(reader, { table, sequence: range.sequence, firstRow: row, rows: range.rows, landed: true }, [], {
        maxRowBytes: Infinity,
        key: options.key,
      });
      row += range.rows;
      continue;
    }
    if (range && range.firstRow < row) throw landedOverlap(table, range.sequence);
    const boundary = range ? range.firstRow : Infinity;
    const chunk = await reader.next();
    if (!chunk) break;
    let start = 0;
    let newline = chunk.indexOf(NEWLINE);
    let cut = false;
    /** Where the last row ending in this chunk ends (0: none does). */
    let rowsEnd = 0;
    while (newline !== -1) {
      rows++;
      row++;
      partial = 0;
      const lineEnd = newline + 1;
      rowsEnd = lineEnd;
      if (rows >= limits.maxRows || pendingBytes + (lineEnd - start) >= limits.maxBytes || row === boundary) {
        pending.push(chunk.subarray(start, lineEnd));
        const batch = take(pending, pendingBytes + (lineEnd - start), rows);
        pending = [];
        pendingBytes = 0;
        rows = 0;
        yield batch;
        start = lineEnd;
        if (row === boundary) {
          // The landed batch starts here: hand the rest of the chunk back and stream it.
          reader.unread(chunk.subarray(start));
          cut = true;
          break;
        }
      }
      newline = chunk.indexOf(NEWLINE, lineEnd);
    }
    if (cut || start >= chunk.length) continue;
    // The whole chunk (most often: a row per chunk) is kept as it is, without a view of it.
    pending.push(start === 0 ? chunk : chunk.subarray(start));
    pendingBytes += chunk.length - start;
    partial += chunk.length - Math.max(start, rowsEnd);
    if (partial <= limits.maxBytes) continue;

    // A row longer than a batch: the rows before it go as they are, the row is streamed on its own.
    const [before, head] = splitTail(pending, partial);
    if (rows > 0) yield take(before, pendingBytes - partial, rows);
    pending = [];
    pendingBytes = 0;
    rows = 0;
    partial = 0;
    yield* streamed(reader, { table, sequence: sequence++, firstRow: row, rows: 1, landed: false }, head, {
      maxRowBytes,
      key: options.key,
    });
    row++;
  }
  if (nextLanded < landed.length) throw fewerRows(table, landed[nextLanded]!.sequence);
  if (pendingBytes > 0) {
    if (partial > 0) throw new Error(`COPY output of ${table} ended inside a row`);
    yield take(pending, pendingBytes, rows);
  }
}

/**
 * Yields one streamed batch of `rows` rows, starting with `head` (bytes of
 * its first row read already), and reads it through to its end if the
 * consumer did not, so the next batch starts where it should.
 */
async function* streamed(
  reader: ChunkReader,
  batch: Omit<StreamedBatch, 'pieces'>,
  head: Buffer[],
  options: { maxRowBytes: number; key: RowKey | undefined },
): AsyncGenerator<StreamedBatch> {
  let finished = false;
  const key = new RowKeyReader(options.key);
  async function* pieces(): AsyncGenerator<Buffer> {
    let left = batch.rows;
    let rowBytes = 0;
    const measure = (piece: Buffer) => {
      rowBytes += piece.length;
      if (batch.rows === 1) key.update(piece);
      if (rowBytes > options.maxRowBytes) throw rowTooLarge(batch.table, batch.firstRow, key.describe(), options.maxRowBytes);
    };
    for (const piece of head) {
      measure(piece);
      yield piece;
    }
    while (left > 0) {
      const chunk = await reader.next();
      if (!chunk) {
        if (batch.landed) throw fewerRows(batch.table, batch.sequence);
        throw new Error(`COPY output of ${batch.table} ended inside a row`);
      }
      let end = 0;
      for (let newline = chunk.indexOf(NEWLINE); newline !== -1 && left > 0; newline = chunk.indexOf(NEWLINE, end)) {
        left--;
        end = newline + 1;
      }
      const piece = left === 0 ? chunk.subarray(0, end) : chunk;
      if (left === 0) reader.unread(chunk.subarray(end));
      measure(piece);
      yield piece;
    }
    finished = true;
  }
  const iterator = pieces();
  yield { ...batch, pieces: iterator };
  if (finished) return;
  // The consumer let go early: read on, so that the source stays in step (or fail if it closed the stream).
  for await (const piece of iterator) void piece;
  if (!finished) throw new Error(`A streamed batch of ${batch.table} was abandoned before its end.`);
}

/** `pending` split into everything but its last `bytes`, and those. */
function splitTail(pending: Buffer[], bytes: number): [Buffer[], Buffer[]] {
  const tail: Buffer[] = [];
  let left = bytes;
  const head = [...pending];
  while (left > 0) {
    const last = head.pop()!;
    if (last.length <= left) {
      tail.unshift(last);
      left -= last.length;
    } else {
      head.push(last.subarray(0, last.length - left));
      tail.unshift(last.subarray(last.length - left));
      left = 0;
    }
  }
  return [head, tail];
}

function rowTooLarge(table: string, row: number, key: string | null, max: number): OmtError {
  const named = key ?? `row ${row + 1} in key order`;
  return new OmtError(
    'ROW_TOO_LARGE',
    `Table ${table}: the row with ${named} is longer than ${max} bytes of COPY text, more than PostgreSQL can load in one row. ` +
      'Shorten or remove its largest value at the source, then run the migration again.',
    [{ path: table, message: `${named}: over ${max} bytes` }],
  );
}

function fewerRows(table: string, sequence: number): OmtError {
  return new OmtError(
    'BATCH_CONFLICT',
    `Table ${table} has changed at the source since its first upload: it ends inside batch ${sequence}, which landed before. ` +
      'A resumed upload must read the same data; for a test migration ask operations to reset the ticket and upload again.',
  );
}

function landedOverlap(table: string, sequence: number): OmtError {
  return new OmtError(
    'BATCH_CONFLICT',
    `Table ${table}: batch ${sequence}, which landed before, overlaps the rows of another landed batch. ` +
      'Ask operations to reset the ticket and upload again.',
  );
}
