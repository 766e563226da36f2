import { Inject, Injectable } from '@nestjs/common';
import { z } from 'zod';
import {
  OmtError,
  documentUploadMetadataSchema,
  parseOrThrow,
  type DocumentUploadMetadata,
  type MigrationState,
} from '@omt/contracts';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { QueuesService } from '../queues/queues.service';
import { ProgressService } from '../ledger/progress.service';
import { enqueueDocumentJob } from '../queues/import-jobs';
import { parseBlobKey } from '../storage/blob-store-keys';
import { isUploadOf, noSuchUpload, uploadBlobKey } from './document-keys';
import { DocumentsRepository, type DocumentRecord } from '../ledger/documents.repository';
import { sha256OfFile } from './file-hash';

/** States in which a ticket takes documents: the upload run, and recovery of missing ones. */
const RECEIVING: readonly MigrationState[] = ['uploading', 'recovering'];

/** What the receiver needs of the store that holds uploads while they arrive. */
export interface UploadFiles {
  /** The local file of an upload, whole once it finished. */
  pathOf(uploadId: string): string;
  remove(uploadId: string): Promise<void>;
  /** The sha256 computed while the upload's bytes were written, if that saw all of them; asked once per finish. */
  arrivedHash(uploadId: string): { sha256: string; bytes: number } | null;
}

/**
 * The rules of a document upload, called from the tus hooks: what may start
 * (metadata, ticket state, size) and what happens when the last byte is in
 * (sha256 checked, ledger row, import job). The bytes themselves are tus'.
 */
@Injectable()
export class DocumentReceiver {
  constructor(
    private readonly documents: DocumentsRepository,
    private readonly queues: QueuesService,
    private readonly progress: ProgressService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Before an upload is created: throws VALIDATION_FAILED, PAYLOAD_TOO_LARGE or STATE_TRANSITION_FORBIDDEN. */
  async accept(
    ticketId: string,
    metadata: Record<string, string | null> | undefined,
    size: number | undefined,
  ): Promise<void> {
    const document = parseMetadata(metadata);
    if (size === undefined) {
      throw new OmtError(
        'VALIDATION_FAILED',
        'A document upload needs its length (Upload-Length); a deferred length is not accepted.',
      );
    }
    if (size !== document.bytes) {
      throw new OmtError(
        'VALIDATION_FAILED',
        `Upload-Length ${size} differs from the document's bytes ${document.bytes}.`,
        [{ path: 'bytes', message: 'must equal Upload-Length' }],
      );
    }
    if (size > this.config.maxDocumentBytes) {
      throw new OmtError(
        'PAYLOAD_TOO_LARGE',
        `Document ${document.documentId} has ${size} bytes; the API accepts at most ${this.config.maxDocumentBytes} (OMT_MAX_DOCUMENT_BYTES).`,
      );
    }
    await this.assertTicketReceiving(ticketId);
  }

  /**
   * After the last byte: the file's sha256 must be the one announced (else
   * the upload is deleted and CHECKSUM_MISMATCH, which a client does not
   * retry as it is); then the ledger row and the import job. Safe to call
   * again for the same upload.
   *
   * The sha256 is the one computed while the bytes were written when the
   * store has it (one PATCH from offset 0 in this process); otherwise (a
   * resumed upload, a finish after a restart, a re-finish) the file is read
   * again, after a look at the ledger so that a re-finish costs no read.
   */
  async finish(
    ticketId: string,
    uploadId: string,
    metadata: Record<string, string | null> | undefined,
    files: UploadFiles,
  ): Promise<void> {
    // Read, hashed, recorded and removed only as an upload of this very ticket.
    if (!isUploadOf(uploadId, ticketId)) throw noSuchUpload();
    const document = parseMetadata(metadata);
    const blobKey = uploadBlobKey(uploadId);
    const arrived = files.arrivedHash(uploadId);
    let actual: string;
    if (arrived && arrived.bytes === document.bytes) {
      actual = arrived.sha256;
    } else {
      const recorded = await this.documents.find(ticketId, document.documentId);
      if (recorded?.blobKey === blobKey) return this.refinish(recorded);
      actual = await sha256OfFile(files.pathOf(uploadId));
    }
    if (actual !== document.sha256) {
      await files.remove(uploadId);
      throw new OmtError(
        'CHECKSUM_MISMATCH',
        `Document ${document.documentId} arrived with sha256 ${actual}, not the announced ${document.sha256}; it was discarded, send it again.`,
        [{ path: 'sha256', message: 'does not match the bytes received' }],
      );
    }
    const { state, before, written } = await this.documents.recordArrival(
      {
        ticketId,
        documentId: document.documentId,
        relativePath: document.relativePath,
        sha256: document.sha256,
        bytes: document.bytes,
        blobKey,
      },
      RECEIVING,
    );
    if (before?.blobKey === blobKey) return this.refinish(before);
    assertReceiving(ticketId, state);
    let current: DocumentRecord;
    if (written) {
      // New, or a changed file replacing the earlier version (whose blob is then not needed).
      current = written;
      const earlier = before && parseBlobKey(before.blobKey);
      // A key outside the grammar (a row from before it) is left alone: never a path to remove.
      if (earlier?.kind === 'upload' && earlier.ticketId === ticketId) await files.remove(earlier.uploadId);
    } else {
      // The same bytes arrived in another upload (or a concurrent finish of this document recorded it first).
      current = before ?? (await this.documents.find(ticketId, document.documentId))!;
      if (current.blobKey !== blobKey) await files.remove(uploadId);
    }
    await this.enqueuePlacement(current);
    this.progress.publish(ticketId);
  }

  /** Finished before; its job may be what went missing if the process died right after the ledger row. */
  private async refinish(recorded: DocumentRecord): Promise<void> {
    if (!recorded.storedAt) await this.enqueuePlacement(recorded);
  }

  private async enqueuePlacement(document: DocumentRecord): Promise<void> {
    await enqueueDocumentJob(this.queues, document);
  }

  private async assertTicketReceiving(ticketId: string): Promise<void> {
    assertReceiving(ticketId, await this.documents.ticketState(ticketId));
  }
}

/** Throws NOT_FOUND for no ticket, STATE_TRANSITION_FORBIDDEN unless it takes documents now. */
function assertReceiving(ticketId: string, state: MigrationState | null): void {
  if (!state) throw new OmtError('NOT_FOUND', `No ticket has the id ${ticketId}.`);
  if (!RECEIVING.includes(state)) {
    throw new OmtError(
      'STATE_TRANSITION_FORBIDDEN',
      `Ticket ${ticketId} is '${state}'; documents are taken only while it is ${RECEIVING.join(' or ')}.`,
    );
  }
}

/**
 * The contract's metadata, plus what the ledger can hold: an int4 document
 * id, and no NUL in the path (PostgreSQL text cannot store it, and no file
 * name on any system contains one, so such a row never has a file to send).
 */
const receivableMetadataSchema = documentUploadMetadataSchema.extend({
  documentId: documentUploadMetadataSchema.shape.documentId.pipe(
    z
      .number()
      .min(-(2 ** 31))
      .max(2 ** 31 - 1),
  ),
  relativePath: documentUploadMetadataSchema.shape.relativePath.refine(
    (p) => !p.includes('\u0000'),
    'must not contain NUL',
  ),
});

function parseMetadata(metadata: Record<string, string | null> | undefined): DocumentUploadMetadata {
  return parseOrThrow(receivableMetadataSchema, metadata ?? {}, 'document upload metadata (Upload-Metadata)');
}
