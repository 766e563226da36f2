import { createHash } from 'node:crypto';
import type { ReadStream } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import path from 'node:path';
import { Transform, pipeline, type Readable } from 'node:stream';
import { FileConfigstore, FileStore, type Configstore } from '@tus/file-store';
import { ERRORS, type Upload } from '@tus/server';
import { parseUploadId } from '../storage/blob-store-keys';
import { makePrivateFolder, writePrivateFile } from '../storage/blob-store-modes';

/** How many uploads' hashes and metadata are kept at once; more in flight than this only costs a re-read. */
const REMEMBERED_UPLOADS = 1000;

/** The sha256 of an upload's bytes as they arrived, and how many there were. */
export interface ArrivedHash {
  sha256: string;
  bytes: number;
}

/**
 * tus' file store, plus the sha256 of an upload computed while its bytes are
 * written: the finish hook then need not read the whole file again. Only a
 * PATCH that starts at offset 0 yields a hash (it saw every byte); a resumed
 * upload, or one that finished before a restart, has none, and the caller
 * hashes the file as before. The hash of a write that failed is dropped.
 *
 * Every id is parsed as an upload id before it is joined into a path (tus'
 * own check only keeps a path inside the folder, where another ticket's
 * upload also lies); anything else is tus' 404. Files and info files are
 * 0600, the folder 0700.
 */
export class HashingFileStore extends FileStore {
  private readonly hashes: Remembered<ArrivedHash>;
  private readonly metadata: CachedConfigstore;

  constructor(directory: string) {
    const metadata = new CachedConfigstore(new FileConfigstore(directory), directory);
    super({ directory, configstore: metadata });
    this.metadata = metadata;
    this.hashes = new Remembered<ArrivedHash>(REMEMBERED_UPLOADS);
  }

  /**
   * tus' own create runs mkdir -p on every upload; here the empty file is
   * written straight away and the folder made only when that meets ENOENT.
   */
  override async create(file: Upload): Promise<Upload> {
    const filePath = path.join(this.directory, uploadId(file.id));
    await writePrivateFile(filePath, '', 'wx').catch(async (error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
      await makePrivateFolder(this.directory);
      await writePrivateFile(filePath, '', 'wx');
    });
    await this.configstore.set(file.id, file);
    file.storage = { type: 'file', path: filePath };
    return file;
  }

  override async write(readable: IncomingMessage | Readable, id: string, offset: number): Promise<number> {
    uploadId(id);
    this.hashes.delete(id);
    if (offset !== 0) return super.write(readable, id, offset);
    const hash = createHash('sha256');
    let bytes = 0;
    const hashing = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        bytes += chunk.length;
        done(null, chunk);
      },
    });
    // pipeline (not pipe) so that a dropped request fails the write instead of leaving it waiting.
    const end = await super.write(
      pipeline(readable, hashing, () => {}),
      id,
      offset,
    );
    if (end === bytes) this.hashes.set(id, { sha256: hash.digest('hex'), bytes });
    return end;
  }

  override read(id: string): ReadStream {
    return super.read(uploadId(id));
  }

  override getUpload(id: string): Promise<Upload> {
    return super.getUpload(uploadId(id));
  }

  override remove(id: string): Promise<void> {
    return super.remove(uploadId(id));
  }

  override declareUploadLength(id: string, length: number): Promise<void> {
    return super.declareUploadLength(uploadId(id), length);
  }

  /** The hash of the upload's bytes if one PATCH wrote all of them in this process; once (it is forgotten here). */
  takeHash(id: string): ArrivedHash | null {
    const arrived = this.hashes.get(id) ?? null;
    this.hashes.delete(id);
    return arrived;
  }

  /** Forgets what is held of an upload whose files were removed behind tus' back. */
  forget(id: string): void {
    this.hashes.delete(id);
    this.metadata.forget(id);
  }
}

/**
 * The `.json` beside each upload stays the truth (it survives a restart);
 * what was written or read is also kept here, so a PATCH does not open and
 * parse the file again. An upload's metadata never changes after creation
 * (deferred lengths are refused), so a kept copy cannot go stale.
 */
class CachedConfigstore implements Configstore {
  private readonly kept = new Remembered<Upload>(REMEMBERED_UPLOADS);

  constructor(
    private readonly files: FileConfigstore,
    private readonly directory: string,
  ) {}

  async get(key: string): Promise<Upload | undefined> {
    uploadId(key);
    const kept = this.kept.get(key);
    if (kept) return kept;
    const read = await this.files.get(key);
    if (read) this.kept.set(key, read);
    return read;
  }

  /** As FileConfigstore writes it (`<id>.json`), but 0600. */
  async set(key: string, value: Upload): Promise<void> {
    await writePrivateFile(path.join(this.directory, `${uploadId(key)}.json`), JSON.stringify(value));
    this.kept.set(key, value);
  }

  async delete(key: string): Promise<void> {
    uploadId(key);
    this.kept.delete(key);
    await this.files.delete(key);
  }

  list(): Promise<string[]> {
    return this.files.list();
  }

  forget(key: string): void {
    this.kept.delete(key);
  }
}

/** The id itself if it is an upload id; tus' "not found" (404, nothing touched) for anything else. */
function uploadId(id: string): string {
  if (!parseUploadId(id)) throw ERRORS.FILE_NOT_FOUND;
  return id;
}

/** A Map bounded to `limit` entries, the oldest dropped first. */
class Remembered<T> {
  private readonly entries = new Map<string, T>();

  constructor(private readonly limit: number) {}

  get(key: string): T | undefined {
    return this.entries.get(key);
  }

  set(key: string, value: T): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.limit) this.entries.delete(this.entries.keys().next().value!);
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}
