import { createReadStream } from 'node:fs';
import { access, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { InvalidBlobKey, isTicketBlobPrefix, parseBlobKey } from './blob-store-keys';
import { makePrivateFolder, openPrivateFile } from './blob-store-modes';

/**
 * Where uploaded pieces wait for their import job. Every key must be one of
 * the forms blob-store-keys.ts defines (a batch of a ticket, a tus upload);
 * any other is refused before it becomes a path. A directory here, folders
 * 0700 and files 0600; S3-compatible storage behind the same interface past
 * one machine.
 */
export interface BlobStore {
  /** Stores the whole piece or nothing: readers never see a half-written blob. */
  put(key: string, data: Buffer | Readable | AsyncIterable<Buffer>): Promise<void>;
  get(key: string): Promise<Readable>;
  has(key: string): Promise<boolean>;
  delete(key: string): Promise<void>;
  /**
   * Deletes every blob whose key starts with `prefix`, as an S3 prefix
   * would; only the prefixes of ticketBlobPrefixes() are accepted.
   */
  deletePrefix(prefix: string): Promise<void>;
}

export const BLOB_STORE = Symbol('BLOB_STORE');

const READ_CHUNK_BYTES = 1024 * 1024;

/** Throws InvalidBlobKey unless the key is exactly a batch key or a tus upload key. */
export function assertBlobKey(key: string): void {
  if (!parseBlobKey(key)) throw new InvalidBlobKey(key);
}

export class DirectoryBlobStore implements BlobStore {
  constructor(private readonly root: string) {}

  async put(key: string, data: Buffer | Readable | AsyncIterable<Buffer>): Promise<void> {
    const target = this.pathOf(key);
    await makePrivateFolder(path.dirname(target));
    // Written beside the target and renamed: atomic on one file system.
    const temp = `${target}.${randomBytes(6).toString('hex')}.part`;
    try {
      const file = await openPrivateFile(temp);
      await pipeline(Buffer.isBuffer(data) ? Readable.from([data]) : data, file.createWriteStream());
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
    if (!isTicketBlobPrefix(prefix)) throw new InvalidBlobKey(prefix);
    const slash = prefix.lastIndexOf('/');
    const directory = path.join(path.resolve(this.root), ...prefix.slice(0, slash).split('/'));
    const start = prefix.slice(slash + 1);
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
    // The grammar admits no '..' or separator in a segment; this is the second lock on the same door.
    if (!file.startsWith(root + path.sep)) throw new InvalidBlobKey(key);
    return file;
  }
}
