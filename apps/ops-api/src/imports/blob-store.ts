import { createReadStream, createWriteStream } from 'node:fs';
import { access, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
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
  /** The blobs directly in `folder` (not below), with their size and last write. */
  list(folder: string): Promise<StoredBlob[]>;
  /**
   * Deletes what interrupted `put`s left (a process killed mid-write) and
   * was last written before `olderThan`; returns how many. An S3 store
   * would abort its incomplete multipart uploads here.
   */
  sweepPartials(olderThan: Date): Promise<number>;
}

export interface StoredBlob {
  key: string;
  bytes: number;
  modifiedAt: Date;
}

/** The suffix of a blob being written; none of omt's keys ends in it. */
const PARTIAL_SUFFIX = '.part';

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
    const temp = `${target}.${randomBytes(6).toString('hex')}${PARTIAL_SUFFIX}`;
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

  async list(folder: string): Promise<StoredBlob[]> {
    const directory = this.pathOf(folder);
    const entries = await readdir(directory, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [];
      throw error;
    });
    const found = await Promise.all(
      entries
        .filter((entry) => entry.isFile() && !entry.name.endsWith(PARTIAL_SUFFIX) && SEGMENT.test(entry.name))
        .map(async (entry) => {
          const stats = await stat(path.join(directory, entry.name)).catch(() => null);
          return stats ? [{ key: `${folder}/${entry.name}`, bytes: stats.size, modifiedAt: stats.mtime }] : [];
        }),
    );
    return found.flat();
  }

  async sweepPartials(olderThan: Date): Promise<number> {
    const root = path.resolve(this.root);
    const entries = await readdir(root, { withFileTypes: true, recursive: true }).catch(
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return [];
        throw error;
      },
    );
    let removed = 0;
    for (const entry of entries) {
      if (!entry.isFile() || !entry.name.endsWith(PARTIAL_SUFFIX)) continue;
      const file = path.join(entry.parentPath, entry.name);
      const stats = await stat(file).catch(() => null);
      // A write still under way touches its file all the time; only old ones are abandoned.
      if (!stats || stats.mtime >= olderThan) continue;
      await rm(file, { force: true });
      removed += 1;
    }
    return removed;
  }

  private pathOf(key: string): string {
    assertBlobKey(key);
    const root = path.resolve(this.root);
    const file = path.resolve(root, ...key.split('/'));
    if (!file.startsWith(root + path.sep)) throw new Error(`Invalid blob key ${JSON.stringify(key)}.`);
    return file;
  }
}
