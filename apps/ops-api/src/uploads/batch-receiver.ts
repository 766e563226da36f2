import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { OmtError, isOmtError } from '@omt/contracts';
import type { BlobStore } from '../imports/blob-store';
import { createBatchGunzip } from '../imports/batch-gzip';

const NEWLINE = 0x0a;

export interface BatchByteLimits {
  /** Bytes as sent (gzip): OMT_MAX_BATCH_BYTES. */
  compressed: number;
  /** Bytes once unpacked: a small gzip can unpack to gigabytes. */
  uncompressed: number;
}

/** What actually arrived, measured while it was stored. */
export interface ReceivedBatch {
  /** sha256 of the uncompressed COPY text. */
  sha256: string;
  bytes: number;
  lines: number;
  endsWithNewline: boolean;
  storedBytes: number;
}

const tooLarge = (what: string, limit: number) =>
  new OmtError('PAYLOAD_TOO_LARGE', `The batch is larger than ${limit} bytes ${what}; send smaller batches.`, [
    { path: 'body', message: `over ${limit} bytes ${what}` },
  ]);

/** sha256, size and line count of the COPY text flowing through; fails once it passes its limit. */
class CopyTextMeter extends Writable {
  private readonly hash = createHash('sha256');
  private bytes = 0;
  private lines = 0;
  private last = NEWLINE;

  constructor(private readonly limit: number) {
    super();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.bytes += chunk.length;
    if (this.bytes > this.limit) return callback(tooLarge('uncompressed', this.limit));
    this.hash.update(chunk);
    for (let i = chunk.indexOf(NEWLINE); i !== -1; i = chunk.indexOf(NEWLINE, i + 1)) this.lines++;
    if (chunk.length > 0) this.last = chunk[chunk.length - 1]!;
    callback();
  }

  result(): Omit<ReceivedBatch, 'storedBytes'> {
    return {
      sha256: this.hash.digest('hex'),
      bytes: this.bytes,
      lines: this.lines,
      endsWithNewline: this.last === NEWLINE,
    };
  }
}

/**
 * Streams one batch (gzip) into the blob store under `key` while unpacking
 * it alongside to measure the COPY text, so neither the compressed nor the
 * unpacked bytes are ever held whole in memory. On any failure (too large,
 * not gzip, the client gone) the blob is deleted and the error thrown: the
 * caller records nothing. The source is not destroyed on failure, so the
 * HTTP layer can still drain it and answer.
 */
export async function receiveBatch(
  source: Readable,
  blobs: BlobStore,
  key: string,
  limits: BatchByteLimits,
): Promise<ReceivedBatch> {
  const gunzip = createBatchGunzip();
  const meter = new CopyTextMeter(limits.uncompressed);
  const inspecting = pipeline(gunzip, meter).catch((error: unknown) => {
    throw isOmtError(error)
      ? error
      : new OmtError('BATCH_INVALID', `The batch is not valid gzip: ${(error as Error).message}.`, [
          { path: 'body', message: 'not gzip' },
        ]);
  });
  let storedBytes = 0;
  /** Why the sending side stopped (too large, the client gone), if it did. */
  let stopped: unknown = null;
  let storeGaveUp = false;

  async function* compressed(): AsyncGenerator<Buffer> {
    try {
      for await (const chunk of source.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
        storedBytes += chunk.length;
        if (storedBytes > limits.compressed) throw tooLarge('compressed', limits.compressed);
        if (!gunzip.write(chunk)) await Promise.race([once(gunzip, 'drain'), inspecting]);
        yield chunk;
      }
      gunzip.end();
    } catch (error) {
      stopped = error;
      gunzip.destroy(error as Error);
      throw error;
    } finally {
      // The store gave up (its own failure): unpacking must stop too, or it waits for bytes forever.
      if (!gunzip.writableEnded && !gunzip.destroyed) {
        storeGaveUp = true;
        gunzip.destroy(new Error('the blob store stopped reading'));
      }
    }
  }

  const [stored, inspected] = await Promise.allSettled([blobs.put(key, Readable.from(compressed())), inspecting]);
  if (stored.status === 'fulfilled' && inspected.status === 'fulfilled') return { ...meter.result(), storedBytes };
  await blobs.delete(key);
  if (stopped) throw stopped;
  if (inspected.status === 'rejected' && !storeGaveUp) throw inspected.reason;
  throw (stored as PromiseRejectedResult).reason;
}
