import path from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { UnrecoverableError } from 'bullmq';
import type { JobPayload } from '@omt/contracts';
import { JobProcessor, type JobHandler } from '../queues/job-handler';
import { BLOB_STORE, type BlobStore } from '../storage/blob-store';
import { parseBlobKey } from '../storage/blob-store-keys';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { VerificationTrigger } from '../ledger/verification-trigger';
import { ProgressService } from '../ledger/progress.service';
import { DocumentsRepository, type DocumentRecord } from '../ledger/documents.repository';
import { ArchiveHashMismatch, TenantArchive } from './tenant-archive';

/**
 * `import.documentReceived`: puts the uploaded document from the blob
 * store into the tenant's archive (checked by hash), records it as stored,
 * and lets verification start if this was the last piece.
 */
@Injectable()
@JobProcessor('import.documentReceived')
export class DocumentPlacementProcessor implements JobHandler<'import.documentReceived'> {
  constructor(
    private readonly documents: DocumentsRepository,
    private readonly archive: TenantArchive,
    @Inject(BLOB_STORE) private readonly blobs: BlobStore,
    private readonly verification: VerificationTrigger,
    private readonly progress: ProgressService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async handle(payload: JobPayload<'import.documentReceived'>): Promise<void> {
    const documentId = Number(payload.documentId);
    const current = await this.documents.findForPlacement(payload.ticketId, documentId);
    // A newer version arrived since (recovery re-sent a changed file): its own job places it.
    if (!current || current.sha256 !== payload.sha256) return;
    if (!current.storedAt) {
      try {
        await this.place(current);
      } catch (error) {
        if (error instanceof ArchiveHashMismatch)
          throw new UnrecoverableError(`Document ${documentId}: ${error.message}`);
        if ((error as NodeJS.ErrnoException).code === 'ENOENT')
          throw new UnrecoverableError(
            `The upload of document ${documentId} is gone from the blob store; the agent must send it again.`,
          );
        throw error;
      }
      await this.documents.markStored(payload.ticketId, documentId, current.sha256);
      this.progress.publish(payload.ticketId);
    }
    await this.verification.checkTicket(payload.ticketId);
  }

  /**
   * A hard link when the upload's file and the archive share a file system
   * (no bytes copied; the link is hashed before it is renamed in), else a
   * copy through the blob store.
   */
  private async place(document: DocumentRecord & { tenantDatabase: string }): Promise<void> {
    const { tenantDatabase, relativePath, sha256, blobKey } = document;
    const upload = parseBlobKey(blobKey);
    // Only this ticket's own upload is ever read into its tenant's archive.
    if (upload?.kind !== 'upload' || upload.ticketId !== document.ticketId) {
      throw new UnrecoverableError(
        `Document ${document.documentId} points at no upload of its ticket; the agent must send it again.`,
      );
    }
    if (await this.archive.placeByLink(tenantDatabase, relativePath, this.uploadFileOf(blobKey), sha256)) return;
    await this.archive.place(tenantDatabase, relativePath, await this.blobs.get(blobKey), sha256);
  }

  /** tus writes uploads as files under the blob directory (DocumentTusServer): the local file of a blob key. */
  private uploadFileOf(blobKey: string): string {
    return path.join(this.config.blobDir, ...blobKey.split('/'));
  }
}
