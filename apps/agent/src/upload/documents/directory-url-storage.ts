import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { PreviousUpload, UrlStorage } from 'tus-js-client';

/**
 * Where tus upload URLs survive an agent restart: one small JSON file per
 * fingerprint in the state folder, each written through a temporary file
 * and a rename. (tus-js-client's own FileUrlStorage keeps every URL in one
 * file guarded by a lock file, which a SIGKILLed agent leaves behind and
 * which a half-written write corrupts for all uploads at once.)
 */
export class DirectoryUrlStorage implements UrlStorage {
  /** The folder is made once per run, not once per document. */
  private made: Promise<unknown> | null = null;
  /**
   * The entries' file names, listed once and kept up to date by this
   * instance (one agent run owns the folder): most documents were never
   * sent before, and looking for their entry would cost a failed open each.
   */
  private entries: Promise<Set<string>> | null = null;

  constructor(private readonly directory: string) {}

  async findAllUploads(): Promise<PreviousUpload[]> {
    const names = await readdir(this.directory).catch(() => [] as string[]);
    const all = await Promise.all(
      names.filter((n) => n.endsWith('.json')).map((n) => this.read(path.join(this.directory, n))),
    );
    return all.flatMap((u) => (u ? [u] : []));
  }

  async findUploadsByFingerprint(fingerprint: string): Promise<PreviousUpload[]> {
    const file = this.fileOf(fingerprint);
    if (!(await this.listed()).has(path.basename(file))) return [];
    const upload = await this.read(file);
    return upload ? [upload] : [];
  }

  async removeUpload(urlStorageKey: string): Promise<void> {
    const file = this.fileOf(urlStorageKey);
    (await this.listed()).delete(path.basename(file));
    // unlink, not rm: rm looks at the file first (lstat) and is called once per document.
    await unlink(file).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
  }

  /** One entry per fingerprint: a newer upload of the same document replaces the older one. */
  async addUpload(fingerprint: string, upload: PreviousUpload): Promise<string> {
    this.made ??= mkdir(this.directory, { recursive: true }).catch((error: unknown) => {
      this.made = null;
      throw error;
    });
    await this.made;
    const file = this.fileOf(fingerprint);
    const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    await writeFile(temp, JSON.stringify({ ...upload, urlStorageKey: fingerprint }), { mode: 0o600 });
    await rename(temp, file);
    (await this.listed()).add(path.basename(file));
    return fingerprint;
  }

  private listed(): Promise<Set<string>> {
    this.entries ??= readdir(this.directory).then(
      (names) => new Set(names),
      () => new Set<string>(),
    );
    return this.entries;
  }

  private fileOf(fingerprint: string): string {
    return path.join(this.directory, `${createHash('sha256').update(fingerprint).digest('hex').slice(0, 40)}.json`);
  }

  /** An unreadable entry (cut short by a crash) is dropped: the upload then simply starts again. */
  private async read(file: string): Promise<PreviousUpload | null> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      // No entry is the usual case (a document not sent before): nothing to drop.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      await rm(file, { force: true });
      return null;
    }
    try {
      return JSON.parse(text) as PreviousUpload;
    } catch {
      await rm(file, { force: true });
      return null;
    }
  }
}
