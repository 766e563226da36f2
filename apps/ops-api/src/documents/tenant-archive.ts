import { createHash, randomBytes } from 'node:crypto';
import { link, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { makePrivateFile, makePrivateFolder, openPrivateFile } from '../storage/blob-store-modes';
import { resolveInArchive } from './safe-archive-path';
import { sha256OfFile } from './file-hash';

/** A tenant's folder name is its database name, which omt derives from a customer id; anything else is refused. */
const TENANT_FOLDER = /^[a-z_][a-z0-9_]{0,62}$/;

/** Half-written documents wait beside the tenants' folders (same file system, so the rename is atomic), never inside one. */
const PARTIAL_FOLDER = '.partial';

/** link(2) refusals that mean "copy instead": another file system, or one without hard links. */
const CANNOT_LINK = new Set(['EXDEV', 'EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EMLINK']);

/** Folders known to exist, at most this many (then forgotten, and made again as needed). */
const REMEMBERED_FOLDERS = 10_000;

export class ArchiveHashMismatch extends Error {}

/**
 * The tenants' document archives: `<root>/<tenant database>/<safe path>`.
 * A document appears whole or not at all, and only with the bytes it was
 * announced with; it is 0600 in folders omt made 0700 (customer data).
 */
@Injectable()
export class TenantArchive {
  private readonly root: string;
  private readonly folders = new Set<string>();

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.root = config.tenantArchiveDir;
  }

  /** The file a document of a tenant lives in, provably inside that tenant's archive. */
  fileOf(tenantDatabase: string, relativePath: string): string {
    if (!TENANT_FOLDER.test(tenantDatabase))
      throw new Error(`Invalid tenant folder ${JSON.stringify(tenantDatabase)}.`);
    return resolveInArchive(path.join(this.root, tenantDatabase), relativePath);
  }

  /**
   * Writes the document through a temporary file, hashing what is written;
   * only if that is the expected sha256 does it replace the target (rename).
   * Throws ArchiveHashMismatch otherwise, leaving the target as it was.
   */
  async place(tenantDatabase: string, relativePath: string, data: Readable, sha256: string): Promise<string> {
    const target = this.fileOf(tenantDatabase, relativePath);
    const partial = path.join(this.root, PARTIAL_FOLDER, randomBytes(12).toString('hex'));
    await makePrivateFolder(path.dirname(partial));
    await makePrivateFolder(path.dirname(target));
    const hash = createHash('sha256');
    const hashing = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        done(null, chunk);
      },
    });
    try {
      const file = await openPrivateFile(partial);
      await pipeline(data, hashing, file.createWriteStream());
      const written = hash.digest('hex');
      if (written !== sha256) {
        throw new ArchiveHashMismatch(
          `The bytes written for ${JSON.stringify(relativePath)} hash to ${written}, not ${sha256}.`,
        );
      }
      await rename(partial, target);
      return target;
    } finally {
      await rm(partial, { force: true });
    }
  }

  /**
   * Places a document that lies in a local file without copying its bytes:
   * a hard link to it becomes the temporary file, which is hashed and only
   * then renamed over the target, as `place` does. Resolves false, having
   * done nothing, when the file system cannot link there (another device,
   * no hard links): the caller then copies with `place`. The source must
   * never be written again (a finished upload is not).
   */
  async placeByLink(tenantDatabase: string, relativePath: string, source: string, sha256: string): Promise<boolean> {
    const target = this.fileOf(tenantDatabase, relativePath);
    const partial = path.join(this.root, PARTIAL_FOLDER, randomBytes(12).toString('hex'));
    try {
      try {
        await this.inFolder(path.dirname(partial), () => link(source, partial));
      } catch (error) {
        if (CANNOT_LINK.has((error as NodeJS.ErrnoException).code ?? '')) return false;
        throw error;
      }
      // The link shares the upload's inode and mode; an upload from before 0600 uploads is made private here.
      await makePrivateFile(partial);
      const written = await sha256OfFile(partial);
      if (written !== sha256) {
        throw new ArchiveHashMismatch(
          `The bytes placed for ${JSON.stringify(relativePath)} hash to ${written}, not ${sha256}.`,
        );
      }
      // A retried job links the file already in place: rename then changes nothing, and the partial goes below.
      await this.inFolder(path.dirname(target), () => rename(partial, target));
      return true;
    } finally {
      await rm(partial, { force: true });
    }
  }

  /**
   * Runs a file operation in a folder, making the folder first only when
   * this process has not made it before; one removed since (a tenant's
   * archive cleared) shows as ENOENT and is made again, once. Saves two
   * mkdir per placed document.
   */
  private async inFolder<T>(folder: string, operation: () => Promise<T>): Promise<T> {
    if (!this.folders.has(folder)) {
      await makePrivateFolder(folder);
      if (this.folders.size >= REMEMBERED_FOLDERS) this.folders.clear();
      this.folders.add(folder);
      return operation();
    }
    try {
      return await operation();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      await makePrivateFolder(folder);
      return operation();
    }
  }

  /** sha256 of a document as it now lies in the archive; null when it is not there. */
  async hashOf(tenantDatabase: string, relativePath: string): Promise<string | null> {
    try {
      return await sha256OfFile(this.fileOf(tenantDatabase, relativePath));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'EISDIR')
        return null;
      throw error;
    }
  }
}
