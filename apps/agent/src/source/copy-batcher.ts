import type { BatchLimits, TableBatch } from './source-connector';

const NEWLINE = 0x0a;

/**
 * Cuts a stream of COPY text bytes into batches of whole lines. In COPY text
 * format a newline inside a value is escaped, so every 0x0A byte ends a row.
 * Pulling from an async iterable keeps back-pressure: the source is read only
 * as fast as batches are consumed, and at most one batch plus one chunk is held.
 */
export async function* batchCopyLines(
  table: string,
  chunks: AsyncIterable<Buffer>,
  limits: BatchLimits,
): AsyncGenerator<TableBatch> {
  let sequence = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let rows = 0;

  const take = (): TableBatch => {
    const batch = { table, sequence: sequence++, rows, chunks: pending, bytes: pendingBytes };
    pending = [];
    pendingBytes = 0;
    rows = 0;
    return batch;
  };

  for await (const chunk of chunks) {
    let start = 0;
    let newline = chunk.indexOf(NEWLINE, start);
    while (newline !== -1) {
      rows++;
      const lineEnd = newline + 1;
      if (rows >= limits.maxRows || pendingBytes + (lineEnd - start) >= limits.maxBytes) {
        pending.push(chunk.subarray(start, lineEnd));
        pendingBytes += lineEnd - start;
        yield take();
        start = lineEnd;
      }
      newline = chunk.indexOf(NEWLINE, lineEnd);
    }
    if (start < chunk.length) {
      // The whole chunk (most often: a row per chunk) is kept as it is, without a view of it.
      pending.push(start === 0 ? chunk : chunk.subarray(start));
      pendingBytes += chunk.length - start;
    }
  }
  if (pendingBytes > 0) {
    if (pending.length > 0 && rows === 0) throw new Error(`COPY output of ${table} ended inside a row`);
    yield take();
  }
}
