import { createReadStream, createWriteStream } from 'node:fs';
import { access, mkdir, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * Where uploaded pieces wait for their import job. Keys are omt's own
 * (`tickets/<id>/tables/<table-hash>/<sequence>`), but they are still checked:
 * a key never leaves the store's root. A directory here; S3-compatible
 * storage behind the same interface past one machine.
 */
export interface BlobStore {
  /** Stores the whole piece or nothing: readers never see a half-written blob. */
  put(key: string, data: Buffer | Readable | AsyncIterable<Buffer>): Promise<void>;
  get(key: string): Promise<Readable>;
  has(key: string): Promise<boolean>;
  delete(key: string): Promise<void>;
  /**
   * Deletes every blob whose key starts with `prefix` (`tickets/<id>/`, or
   * `tus/<id>.` for the uploads named after a ticket), as an S3 prefix would.
   */
  deletePrefix(prefix: string): Promise<void>;
}

export const BLOB_STORE = Symbol('BLOB_STORE');

const READ_CHUNK_BYTES = 1024 * 1024;

const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

/** Throws unless the key is relative, '/'-separated segments of safe characters, without '.' or '..'. */
export function assertBlobKey(key: string): void {
  const segments = key.split('/');
  if (key.length > 1024 || segments.some((s) => !SEGMENT.test(s) || s === '.' || s === '..')) {
    throw new Error(`Invalid blob key ${JSON.stringify(key.slice(0, 200))}.`);
  }
}

export class DirectoryBlobStore implements BlobStore {
  constructor(private readonly root: string) {}

  async put(key: string, data: Buffer | Readable | AsyncIterable<Buffer>): Promise<void> {
    const target = this.pathOf(key);
    await mkdir(path.dirname(target), { recursive: true });
    // Written beside the target and renamed: atomic on one file system.
    const temp = `${target}.${randomBytes(6).toString('hex')}.part`;
    try {
      await pipeline(Buffer.isBuffer(data) ? Readable.from([data]) : data, createWriteStream(temp, { flags: 'wx' }));
      await rename(temp, target);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }

  async get(key: string): Promise<Readable> {
    const file = this.pathOf(key);
    // Blobs are batches of a few hundred KiB of gzip: read in one or two pieces, not 64 KiB ones.
    const stream = createReadStream(file, { highWaterMark: READ_CHUNK_BYTES });
    // Open errors (a missing blob) surface here rather than on the first read.
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', reject);
    });
    return stream;
  }

  async has(key: string): Promise<boolean> {
    return access(this.pathOf(key)).then(
      () => true,
      () => false,
    );
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  async deletePrefix(prefix: string): Promise<void> {
    const slash = prefix.lastIndexOf('/');
    const folder = prefix.slice(0, Math.max(slash, 0));
    const start = prefix.slice(slash + 1);
    // The part after the last '/' begins a segment: the same characters, possibly none; never the whole store.
    if (!folder || !/^[A-Za-z0-9._-]*$/.test(start) || start === '.' || start === '..') {
      throw new Error(`Invalid blob prefix ${JSON.stringify(prefix.slice(0, 200))}.`);
    }
    const directory = this.pathOf(folder);
    if (!start) return rm(directory, { recursive: true, force: true });
    const names = await readdir(directory).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [];
      throw error;
    });
    await Promise.all(
      names
        .filter((name) => name.startsWith(start))
        .map((name) => rm(path.join(directory, name), { recursive: true, force: true })),
    );
  }

  private pathOf(key: string): string {
    assertBlobKey(key);
    const root = path.resolve(this.root);
    const file = path.resolve(root, ...key.split('/'));
    if (!file.startsWith(root + path.sep)) throw new Error(`Invalid blob key ${JSON.stringify(key)}.`);
    return file;
  }
}
