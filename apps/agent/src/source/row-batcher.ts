import type { ColumnType } from '@omt/contracts';
import { batchCopyLines, type CopyBatchOptions } from './copy-batcher';
import { encodeCopyLine } from './copy-text';
import type { BatchLimits, SourceBatch } from './source-connector';

/** Lines are joined into pieces of about this many characters: one Buffer (and one gzip write) per piece, not per row. */
const PIECE_CHARS = 64 * 1024;

/**
 * Encodes driver rows as COPY text and cuts them into batches bounded by
 * rows and bytes, by the same rules as COPY output (copy-batcher.ts): a row
 * longer than a batch goes streamed on its own, landed batches are kept.
 * A driver hands each value whole, so a blob is held once as a value and
 * once as its line while it passes.
 */
export function batchEncodedRows(
  table: string,
  types: readonly ColumnType[],
  rows: AsyncIterable<readonly unknown[]>,
  limits: BatchLimits,
  options: CopyBatchOptions = {},
): AsyncGenerator<SourceBatch> {
  return batchCopyLines(table, encodedPieces(types, rows), limits, options);
}

async function* encodedPieces(types: readonly ColumnType[], rows: AsyncIterable<readonly unknown[]>): AsyncGenerator<Buffer> {
  let piece: string[] = [];
  let pieceChars = 0;
  for await (const row of rows) {
    const line = encodeCopyLine(types, row);
    piece.push(line);
    pieceChars += line.length;
    if (pieceChars >= PIECE_CHARS) {
      yield Buffer.from(piece.join(''), 'utf8');
      piece = [];
      pieceChars = 0;
    }
  }
  if (piece.length > 0) yield Buffer.from(piece.join(''), 'utf8');
}

/** The parts of a streaming driver request this adapter needs (mssql's Request fits). */
export interface PausableRowEmitter {
  on(event: 'row', listener: (row: unknown[]) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'done', listener: () => void): unknown;
  pause(): unknown;
  resume(): unknown;
}

/**
 * Turns row events into an async iterable with back-pressure: the request is
 * paused while `highWater` rows wait unread and resumed when they drain.
 */
export function rowsFromEmitter(emitter: PausableRowEmitter, highWater = 1000): AsyncIterable<unknown[]> {
  const queue: unknown[][] = [];
  let done = false;
  let failure: Error | null = null;
  let paused = false;
  let wake: (() => void) | null = null;
  const notify = () => {
    wake?.();
    wake = null;
  };
  emitter.on('row', (row) => {
    queue.push(row);
    if (queue.length >= highWater && !paused) {
      paused = true;
      emitter.pause();
    }
    notify();
  });
  emitter.on('error', (error) => {
    failure = error;
    notify();
  });
  emitter.on('done', () => {
    done = true;
    notify();
  });
  return {
    async *[Symbol.asyncIterator]() {
      for (;;) {
        if (failure) throw failure;
        const row = queue.shift();
        if (row) {
          if (paused && queue.length < highWater / 2) {
            paused = false;
            emitter.resume();
          }
          yield row;
          continue;
        }
        if (done) return;
        await new Promise<void>((resolve) => (wake = resolve));
      }
    },
  };
}
