import { createHash } from 'node:crypto';
import { buffer } from 'node:stream/consumers';
import { createGzip } from 'node:zlib';
import { OmtError, type BatchLimits, type TableComplete, type TableSchema, type UploadManifest } from '@omt/contracts';
import { TableDigest } from '@omt/copy-text';
import type { AgentApiClient } from '../api/agent-api-client';
import type { SourceConnector, TableBatch } from '../source/source-connector';

/** zlib level 1: COPY text still shrinks to about a third, at a fraction of the CPU of the default 6. */
export const BATCH_GZIP_LEVEL = 1;
/** zlib's output pieces: up to 1 MiB (its default 16 KiB means a few hundred callbacks per batch), never more than the batch. */
const gzipChunkBytes = (input: number) => Math.min(1024 * 1024, Math.max(64 * 1024, input));
/** Batches of one table on the wire at once; the source is not read further until one is answered. */
export const DEFAULT_BATCHES_IN_FLIGHT = 3;

export type TableApi = Pick<AgentApiClient, 'putTableSchema' | 'putBatch' | 'completeTable'>;
export type ManifestTable = UploadManifest['tables'][number];

/** One batch done: sent now, or skipped because it had landed in an earlier run. */
export interface BatchProgress {
  table: string;
  sequence: number;
  rows: number;
  /** Uncompressed COPY text. */
  bytes: number;
  /** What went over the wire (0 when skipped). */
  sentBytes: number;
  skipped: boolean;
}

export interface TableUploadOptions {
  api: TableApi;
  source: Pick<SourceConnector, 'streamTable'>;
  table: TableSchema;
  limits: BatchLimits;
  /** What the API already holds of this table (resume); undefined when nothing. */
  landed?: ManifestTable;
  batchesInFlight?: number;
  onBatch?: (progress: BatchProgress) => void;
  signal?: AbortSignal;
}

export interface TableUploadResult extends TableComplete {
  table: string;
  sentBatches: number;
  skippedBatches: number;
  bytes: number;
  sentBytes: number;
  /** The table was complete at the API before this run: nothing was read or sent. */
  alreadyComplete: boolean;
}

export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * Uploads one table: its schema, every batch the API does not hold yet
 * (gzip of the COPY text, with its sequence and sha256), then the table's
 * figures. The content hash covers every batch, skipped ones included, so a
 * resumed table is verified as a whole. At most `batchesInFlight` batches are
 * held at a time, whatever the table's size.
 */
export async function uploadTable(options: TableUploadOptions): Promise<TableUploadResult> {
  const { api, table, landed } = options;
  const empty = { table: table.name, sentBatches: 0, skippedBatches: 0, bytes: 0, sentBytes: 0 };
  if (landed?.complete) return { ...empty, batches: landed.batches.length, rows: 0, hash: '', alreadyComplete: true };

  await api.putTableSchema(table);
  const known = new Map((landed?.batches ?? []).map((b) => [b.sequence, b.sha256]));
  const digest = new TableDigest();
  const result = { ...empty };
  let batches = 0;
  const inFlight = new InFlight(options.batchesInFlight ?? DEFAULT_BATCHES_IN_FLIGHT);

  try {
    for await (const batch of options.source.streamTable(table, options.limits)) {
      options.signal?.throwIfAborted();
      const hash = createHash('sha256');
      for (const chunk of batch.chunks) {
        digest.update(chunk);
        hash.update(chunk);
      }
      const sha256 = hash.digest('hex');
      batches++;
      result.bytes += batch.bytes;
      const described = { table: batch.table, sequence: batch.sequence, rows: batch.rows, bytes: batch.bytes };
      const landedSha = known.get(batch.sequence);
      if (landedSha === sha256) {
        result.skippedBatches++;
        options.onBatch?.({ ...described, sentBytes: 0, skipped: true });
        continue;
      }
      if (landedSha !== undefined) throw sourceChanged(table.name, batch.sequence);
      // Packed before the source is read on, so a table holds at most one batch of COPY text
      // at a time (gzip runs off the main thread; other tables go on meanwhile); the send holds only the gzip.
      // The chunks are taken out of the batch (splice): once written to gzip, nothing here holds them.
      const packed = await gzipChunks(batch.chunks.splice(0), batch.bytes);
      await inFlight.add(
        sendBatch(options, { ...described, sha256 }, packed).then((sentBytes) => {
          result.sentBatches++;
          result.sentBytes += sentBytes;
        }),
      );
    }
    await inFlight.drain();
  } catch (error) {
    await inFlight.settle();
    throw error;
  }

  const beyond = [...known.keys()].filter((sequence) => sequence >= batches);
  if (beyond.length > 0) throw sourceChanged(table.name, Math.min(...beyond));
  const figures: TableComplete = { batches, ...digest.digest() };
  await api.completeTable(table.name, figures);
  return { ...result, ...figures, alreadyComplete: false };
}

/** A batch on its way: what it is, without its COPY text. */
interface PackedBatch extends Omit<TableBatch, 'chunks'> {
  /** Of the COPY text. */
  sha256: string;
}

/** The gzip of COPY text in pieces, written piece by piece (never joined first). */
function gzipChunks(chunks: readonly Buffer[], bytes: number): Promise<Buffer> {
  const gzip = createGzip({ level: BATCH_GZIP_LEVEL, chunkSize: gzipChunkBytes(bytes) });
  const packed = buffer(gzip);
  for (const chunk of chunks) gzip.write(chunk);
  gzip.end();
  return packed;
}

async function sendBatch(options: TableUploadOptions, batch: PackedBatch, compressed: Buffer): Promise<number> {
  await options.api.putBatch(batch.table, batch.sequence, {
    gzip: compressed,
    sha256: batch.sha256,
    gzipSha256: sha256Hex(compressed),
    rows: batch.rows,
    bytes: batch.bytes,
  });
  options.onBatch?.({
    table: batch.table,
    sequence: batch.sequence,
    rows: batch.rows,
    bytes: batch.bytes,
    sentBytes: compressed.length,
    skipped: false,
  });
  return compressed.length;
}

function sourceChanged(table: string, sequence: number): OmtError {
  return new OmtError(
    'BATCH_CONFLICT',
    `Table ${table} has changed at the source since its first upload: batch ${sequence} is not what arrived then. ` +
      'A resumed upload must read the same data; for a test migration ask operations to reset the ticket and upload again.',
  );
}

/**
 * A bounded set of running sends: `add` waits while the set is full, so the
 * caller stops reading the source (back-pressure); the first failure is
 * raised at the next `add` or `drain`.
 */
class InFlight {
  private readonly running = new Set<Promise<void>>();
  private failure: { error: unknown } | null = null;

  constructor(private readonly limit: number) {}

  async add(work: Promise<void>): Promise<void> {
    const tracked = work.then(
      () => void this.running.delete(tracked),
      (error: unknown) => {
        this.running.delete(tracked);
        this.failure ??= { error };
      },
    );
    this.running.add(tracked);
    while (this.running.size >= Math.max(1, this.limit) && !this.failure) await Promise.race(this.running);
    this.raise();
  }

  async drain(): Promise<void> {
    await this.settle();
    this.raise();
  }

  /** Waits for every running send, whatever their outcome (nothing left dangling after a failure). */
  async settle(): Promise<void> {
    await Promise.all(this.running);
  }

  private raise(): void {
    if (this.failure) throw this.failure.error;
  }
}
