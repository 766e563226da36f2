import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import {
  DEFAULT_BATCH_PART_BYTES,
  OmtError,
  type BatchLimits,
  type TableComplete,
  type TableSchema,
  type UploadManifest,
} from '@omt/contracts';
import { TableDigest } from '@omt/copy-text';
import type { AgentApiClient } from '../api/agent-api-client';
import {
  isStreamed,
  type LandedBatch,
  type SourceConnector,
  type StreamedBatch,
  type TableBatch,
} from '../source/source-connector';

/** zlib level 1: COPY text still shrinks to about a third, at a fraction of the CPU of the default 6. */
export const BATCH_GZIP_LEVEL = 1;
/** zlib's output pieces: up to 1 MiB (its default 16 KiB means a few hundred callbacks per batch), never more than the batch. */
const gzipChunkBytes = (input: number) => Math.min(1024 * 1024, Math.max(64 * 1024, input));
/** Batches of one table on the wire at once; the source is not read further until one is answered. */
export const DEFAULT_BATCHES_IN_FLIGHT = 3;

/**
 * A held batch whose gzip is larger than this goes in parts too (the API
 * takes up to OMT_MAX_BATCH_BYTES, 32 MiB by default, in one request).
 */
export const WHOLE_BATCH_MAX_BYTES = 16 * 1024 * 1024;

export type TableApi = Pick<AgentApiClient, 'putTableSchema' | 'putBatch' | 'putBatchPart' | 'commitBatch' | 'completeTable'>;
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
  source: Pick<SourceConnector, 'streamBatches'>;
  table: TableSchema;
  limits: BatchLimits;
  /** What the API already holds of this table (resume); undefined when nothing. */
  landed?: ManifestTable;
  batchesInFlight?: number;
  /** Size of the parts a large batch is sent in (tests lower it). */
  partBytes?: number;
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
 * Uploads one table: its schema, every row the API does not hold yet (batches
 * of gzip COPY text with their sequence, first row and sha256), then the
 * table's figures. The content hash covers every row, landed ones included,
 * so a resumed table is verified as a whole. Landed batches are read again
 * and checked, not sent; the rest is cut with this run's limits. At most
 * `batchesInFlight` batches are held at a time, and a row longer than a batch
 * streams through gzip into parts of `partBytes`, so memory stays bounded
 * whatever the table's or a value's size.
 */
export async function uploadTable(options: TableUploadOptions): Promise<TableUploadResult> {
  const { api, table, landed } = options;
  const empty = { table: table.name, sentBatches: 0, skippedBatches: 0, bytes: 0, sentBytes: 0 };
  if (landed?.complete) return { ...empty, batches: landed.batches.length, rows: 0, hash: '', alreadyComplete: true };

  await api.putTableSchema(table);
  const landedBatches = landedRows(table.name, landed?.batches ?? []);
  const known = new Map(landedBatches.map((b) => [b.sequence, b.sha256]));
  const digest = new TableDigest();
  const result = { ...empty };
  let batches = 0;
  const inFlight = new InFlight(options.batchesInFlight ?? DEFAULT_BATCHES_IN_FLIGHT);

  try {
    for await (const batch of options.source.streamBatches(table, options.limits, landedBatches)) {
      options.signal?.throwIfAborted();
      batches++;
      if (isStreamed(batch)) {
        const described = { table: batch.table, sequence: batch.sequence, rows: batch.rows };
        if (batch.landed) {
          const { sha256, bytes } = await hashPieces(batch.pieces, digest);
          if (known.get(batch.sequence) !== sha256) throw sourceChanged(table.name, batch.sequence);
          result.skippedBatches++;
          result.bytes += bytes;
          options.onBatch?.({ ...described, bytes, sentBytes: 0, skipped: true });
          continue;
        }
        // Read (and sent) before the source is read on; held batches already on the wire go on meanwhile.
        const sent = await sendStreamed(options, batch, digest);
        result.sentBatches++;
        result.bytes += sent.bytes;
        result.sentBytes += sent.sentBytes;
        continue;
      }
      const hash = createHash('sha256');
      for (const chunk of batch.chunks) {
        digest.update(chunk);
        hash.update(chunk);
      }
      const sha256 = hash.digest('hex');
      result.bytes += batch.bytes;
      const described = { table: batch.table, sequence: batch.sequence, firstRow: batch.firstRow, rows: batch.rows, bytes: batch.bytes };
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

  const figures: TableComplete = { batches, ...digest.digest() };
  await api.completeTable(table.name, figures);
  return { ...result, ...figures, alreadyComplete: false };
}

/**
 * The rows each landed batch holds. APIs before `firstRow` took batches of
 * one set of limits with contiguous sequences: their first rows follow from
 * the rows before them.
 */
function landedRows(table: string, batches: ManifestTable['batches']): (LandedBatch & { sha256: string })[] {
  const sorted = [...batches].sort((a, b) => a.sequence - b.sequence);
  let next = 0;
  return sorted.map((b) => {
    if (b.rows === undefined) {
      throw new OmtError(
        'CONFLICT',
        `The API does not say which rows batch ${b.sequence} of table ${table} holds; update the omt API, or ask operations to reset the ticket.`,
      );
    }
    const firstRow = b.firstRow ?? next;
    next = firstRow + b.rows;
    return { sequence: b.sequence, sha256: b.sha256, firstRow, rows: b.rows };
  });
}

async function hashPieces(pieces: AsyncIterable<Buffer>, digest: TableDigest): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const piece of pieces) {
    hash.update(piece);
    digest.update(piece);
    bytes += piece.length;
  }
  return { sha256: hash.digest('hex'), bytes };
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
  if (compressed.length > WHOLE_BATCH_MAX_BYTES) {
    const parts = new PartSender(options, batch.sequence);
    await parts.add(compressed);
    await parts.finish({ sha256: batch.sha256, rows: batch.rows, bytes: batch.bytes, firstRow: batch.firstRow });
  } else {
    await options.api.putBatch(batch.table, batch.sequence, {
      gzip: compressed,
      sha256: batch.sha256,
      gzipSha256: sha256Hex(compressed),
      rows: batch.rows,
      bytes: batch.bytes,
      firstRow: batch.firstRow,
    });
  }
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

/**
 * A streamed batch (a row longer than a batch) read from the source through
 * gzip into parts, each sent before more is read: what is held is one part
 * and zlib's buffers, whatever the row's size. The hashes are computed as
 * the text passes; the commit carries them.
 */
async function sendStreamed(
  options: TableUploadOptions,
  batch: StreamedBatch,
  digest: TableDigest,
): Promise<{ bytes: number; sentBytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  async function* text(): AsyncGenerator<Buffer> {
    for await (const piece of batch.pieces) {
      hash.update(piece);
      digest.update(piece);
      bytes += piece.length;
      yield piece;
    }
  }
  const gzip = createGzip({ level: BATCH_GZIP_LEVEL, chunkSize: 1024 * 1024 });
  const parts = new PartSender(options, batch.sequence);
  await pipeline(Readable.from(text()), gzip, async (packed: AsyncIterable<Buffer>) => {
    for await (const chunk of packed) await parts.add(chunk);
  });
  await parts.finish({ sha256: hash.digest('hex'), rows: batch.rows, bytes, firstRow: batch.firstRow });
  options.onBatch?.({ table: batch.table, sequence: batch.sequence, rows: batch.rows, bytes, sentBytes: parts.sentBytes, skipped: false });
  return { bytes, sentBytes: parts.sentBytes };
}

/** Cuts a batch's gzip into parts of exactly `partBytes` (the last one shorter), sending each as it fills. */
class PartSender {
  private held: Buffer[] = [];
  private heldBytes = 0;
  private part = 0;
  sentBytes = 0;
  private readonly partBytes: number;

  constructor(
    private readonly options: TableUploadOptions,
    private readonly sequence: number,
  ) {
    this.partBytes = options.partBytes ?? DEFAULT_BATCH_PART_BYTES;
  }

  async add(chunk: Buffer): Promise<void> {
    this.held.push(chunk);
    this.heldBytes += chunk.length;
    while (this.heldBytes >= this.partBytes) {
      const joined = Buffer.concat(this.held, this.heldBytes);
      const rest = joined.subarray(this.partBytes);
      this.held = rest.length > 0 ? [rest] : [];
      this.heldBytes = rest.length;
      await this.send(joined.subarray(0, this.partBytes));
    }
  }

  async finish(figures: { sha256: string; rows: number; bytes: number; firstRow: number }): Promise<void> {
    if (this.heldBytes > 0 || this.part === 0) await this.send(Buffer.concat(this.held, this.heldBytes));
    this.held = [];
    this.heldBytes = 0;
    this.options.signal?.throwIfAborted();
    await this.options.api.commitBatch(this.options.table.name, this.sequence, { ...figures, parts: this.part });
  }

  private async send(slice: Buffer): Promise<void> {
    this.options.signal?.throwIfAborted();
    await this.options.api.putBatchPart(this.options.table.name, this.sequence, this.part, {
      gzip: slice,
      gzipSha256: sha256Hex(slice),
    });
    this.part++;
    this.sentBytes += slice.length;
  }
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
