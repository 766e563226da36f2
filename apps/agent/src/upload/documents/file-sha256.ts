import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';

/** The sha256 and size of a file, streamed: a document is never held in memory. Null when it is not a readable file. */
export async function hashFile(file: string): Promise<{ sha256: string; bytes: number } | null> {
  let handle;
  try {
    handle = await open(file, 'r');
    if (!(await handle.stat()).isFile()) return null;
    const hash = createHash('sha256');
    let bytes = 0;
    for await (const chunk of handle.createReadStream({ autoClose: false })) {
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
