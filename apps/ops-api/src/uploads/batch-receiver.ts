import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { OmtError } from '@omt/contracts';
import type { BlobStore } from '../storage/blob-store';

/** Every gzip stream starts with these two bytes (RFC 1952). */
const GZIP_MAGIC = [0x1f, 0x8b] as const;

/** What actually arrived, measured while it was stored. */
export interface ReceivedBatch {
  /** sha256 of the body as sent (the gzip). */
  sha256: string;
  storedBytes: number;
}

const tooLarge = (limit: number) =>
  new OmtError('PAYLOAD_TOO_LARGE', `The batch is larger than ${limit} bytes compressed; send smaller batches.`, [
    { path: 'body', message: `over ${limit} bytes compressed` },
  ]);

const notGzip = () =>
  new OmtError('BATCH_INVALID', 'The batch is not gzip: send the gzip of its COPY text.', [{ path: 'body', message: 'not gzip' }]);

/**
 * Streams one batch (gzip) into the blob store under `key`, hashing and
 * counting it on the way; it is not unpacked here (the worker unpacks it
 * once, into COPY, and checks the COPY text there). A body that does not
 * start like gzip, or passes `maxBytes`, is refused as it arrives. On any
 * failure (too large, not gzip, the client gone, the store) the blob is
 * deleted and the error thrown: the caller records nothing. A part of a
 * batch sent in parts is a slice of one gzip stream: only the first starts
 * like gzip (`gzipStart`), and none may be empty. The source is
 * not destroyed on failure, so the HTTP layer can still drain it and answer.
 */
export async function receiveBatch(
  source: Readable,
  blobs: BlobStore,
  key: string,
  maxBytes: number,
  options: { gzipStart: boolean } = { gzipStart: true },
): Promise<ReceivedBatch> {
  const magic = options.gzipStart ? GZIP_MAGIC : [];
  const hash = createHash('sha256');
  let storedBytes = 0;

  async function* checked(): AsyncGenerator<Buffer> {
    for await (const chunk of source.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
      for (let i = storedBytes; i < magic.length && i - storedBytes < chunk.length; i++) {
        if (chunk[i - storedBytes] !== magic[i]) throw notGzip();
      }
      storedBytes += chunk.length;
      if (storedBytes > maxBytes) throw tooLarge(maxBytes);
      hash.update(chunk);
      yield chunk;
    }
    if (storedBytes < Math.max(1, magic.length)) throw notGzip();
  }

  try {
    await blobs.put(key, Readable.from(checked()));
  } catch (error) {
    await blobs.delete(key);
    throw error;
  }
  return { sha256: hash.digest('hex'), storedBytes };
}
