import { Inject, Injectable } from '@nestjs/common';
import { UnrecoverableError } from 'bullmq';
import type { JobPayload } from '@omt/contracts';
import { JobProcessor, type JobHandler } from '../queues/job-handler';
import { BLOB_STORE, type BlobStore } from '../imports/blob-store';
import { VerificationTrigger } from '../pipeline/verification-trigger';
import { ProgressService } from '../uploads/progress.service';
import { DocumentsRepository } from './documents.repository';
import { ArchiveHashMismatch, TenantArchive } from './tenant-archive';

/**
 * `import.documentReceived`: copies the uploaded document from the blob
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
  ) {}

  async handle(payload: JobPayload<'import.documentReceived'>): Promise<void> {
    const documentId = Number(payload.documentId);
    const current = await this.documents.find(payload.ticketId, documentId);
    // A newer version arrived since (recovery re-sent a changed file): its own job places it.
    if (!current || current.sha256 !== payload.sha256) return;
    if (!current.storedAt) {
      const ticket = await this.documents.ticketOf(payload.ticketId);
      if (!ticket) throw new UnrecoverableError(`Ticket ${payload.ticketId} no longer exists.`);
      const data = await this.blobs.get(current.blobKey).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT')
          throw new UnrecoverableError(
            `The upload of document ${documentId} is gone from the blob store; the agent must send it again.`,
          );
        throw error;
      });
      try {
        await this.archive.place(ticket.tenantDatabase, current.relativePath, data, current.sha256);
      } catch (error) {
        if (error instanceof ArchiveHashMismatch)
          throw new UnrecoverableError(`Document ${documentId}: ${error.message}`);
        throw error;
      }
      await this.documents.markStored(payload.ticketId, documentId, current.sha256);
      this.progress.publish(payload.ticketId);
    }
    await this.verification.checkTicket(payload.ticketId);
  }
}
