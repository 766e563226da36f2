import { createReadStream } from 'node:fs';
import { access, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { InvalidBlobKey, TUS_FOLDER, isTicketBlobPrefix, parseBlobKey, parseUploadId } from './blob-store-keys';
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
  /** Bytes held under the key; null when there is no such blob. */
  size(key: string): Promise<number | null>;
  delete(key: string): Promise<void>;
  /**
   * Deletes every blob whose key starts with `prefix`, as an S3 prefix
   * would; only the prefixes of ticketBlobPrefixes() are accepted.
   */
  deletePrefix(prefix: string): Promise<void>;
  /**
   * The document uploads (tus keys), each with its size and its last write
   * (of the file or of the metadata tus keeps beside it).
   */
  listUploads(): Promise<StoredBlob[]>;
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
/** tus keeps an upload's metadata beside it as `<upload id>.json`. */
const TUS_INFO_SUFFIX = '.json';

export const BLOB_STORE = Symbol('BLOB_STORE');

const READ_CHUNK_BYTES = 1024 * 1024;

/** Throws InvalidBlobKey unless the key is exactly a batch key, a batch part key or a tus upload key. */
export function assertBlobKey(key: string): void {
  if (!parseBlobKey(key)) throw new InvalidBlobKey(key);
}

export class DirectoryBlobStore implements BlobStore {
  constructor(private readonly root: string) {}

  async put(key: string, data: Buffer | Readable | AsyncIterable<Buffer>): Promise<void> {
    const target = this.pathOf(key);
    await makePrivateFolder(path.dirname(target));
    // Written beside the target and renamed: atomic on one file system.
    const temp = `${target}.${randomBytes(6).toString('hex')}${PARTIAL_SUFFIX}`;
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

  async size(key: string): Promise<number | null> {
    const stats = await stat(this.pathOf(key)).catch(() => null);
    return stats?.isFile() ? stats.size : null;
  }

  async delete(key: string): Promise<void> {
    const file = this.pathOf(key);
    await rm(file, { force: true });
    // An upload goes with the metadata tus keeps beside it.
    if (parseBlobKey(key)?.kind === 'upload') await rm(`${file}${TUS_INFO_SUFFIX}`, { force: true });
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

  async listUploads(): Promise<StoredBlob[]> {
    const directory = path.join(path.resolve(this.root), TUS_FOLDER);
    const entries = await readdir(directory, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [];
      throw error;
    });
    const uploads = new Map<string, StoredBlob>();
    for (const entry of entries) {
      const uploadId = entry.name.endsWith(TUS_INFO_SUFFIX) ? entry.name.slice(0, -TUS_INFO_SUFFIX.length) : entry.name;
      // Only names of the grammar: a stray file here is nobody's upload and not ours to judge.
      if (!entry.isFile() || !parseUploadId(uploadId)) continue;
      const stats = await stat(path.join(directory, entry.name)).catch(() => null);
      if (!stats) continue;
      const key = `${TUS_FOLDER}/${uploadId}`;
      const seen = uploads.get(key) ?? { key, bytes: 0, modifiedAt: new Date(0) };
      uploads.set(key, {
        key,
        bytes: seen.bytes + (entry.name === uploadId ? stats.size : 0),
        modifiedAt: stats.mtime > seen.modifiedAt ? stats.mtime : seen.modifiedAt,
      });
    }
    return [...uploads.values()];
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
    // The grammar admits no '..' or separator in a segment; this is the second lock on the same door.
    if (!file.startsWith(root + path.sep)) throw new InvalidBlobKey(key);
    return file;
  }
}
