import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';

/**
 * Files up to this size are read once, into memory, and sent from there:
 * hashing and sending then cost one read instead of two (and three opens),
 * and what is sent is exactly what was hashed. Larger ones are streamed
 * twice, so a document of any size never sits whole in memory; with the
 * default concurrency (8) this bounds the held bytes at 32 MiB.
 */
export const BUFFERED_FILE_BYTES = 4 * 1024 * 1024;

export interface HashedFile {
  sha256: string;
  bytes: number;
  /** The file's bytes when it was small enough to keep (BUFFERED_FILE_BYTES); else read it again to send it. */
  data?: Buffer;
}

/** The sha256 and size of a file, the bytes too when small. Null when it is not a readable file. */
export async function hashFile(file: string, keepUpTo = BUFFERED_FILE_BYTES): Promise<HashedFile | null> {
  let handle;
  try {
    handle = await open(file, 'r');
    const stat = await handle.stat();
    if (!stat.isFile()) return null;
    if (stat.size <= keepUpTo) {
      // readFile reads to the end, so a file that grew since stat is still read whole.
      const data = await handle.readFile();
      if (data.length <= keepUpTo) {
        return { sha256: createHash('sha256').update(data).digest('hex'), bytes: data.length, data };
      }
    }
    const hash = createHash('sha256');
    let bytes = 0;
    for await (const chunk of handle.createReadStream({ autoClose: false, start: 0 })) {
      hash.update(chunk as Buffer);
      bytes += (chunk as Buffer).length;
    }
    return { sha256: hash.digest('hex'), bytes };
  } catch {
    return null;
  } finally {
    await handle?.close();
  }
}
