import type { TableSchema } from '@omt/contracts';
import type { QueuesService } from './queues.service';
import { jobIdOf } from './job-ids';

/**
 * The import jobs of a ticket's pieces, each under the id derived from the
 * piece: the API queues them when a piece arrives, the reconciler queues
 * them again when Redis lost them. One place, so both queue the same job.
 */
export function enqueueTableJob(queues: QueuesService, ticketId: string, table: TableSchema): Promise<void> {
  return queues.enqueue(
    'import.tableCreated',
    { ticketId, table },
    { jobId: jobIdOf({ name: 'import.tableCreated', ticketId, table: table.name }) },
  );
}

export interface StoredBatch {
  table: string;
  sequence: number;
  blobKey: string;
  sha256: string;
  rows: number;
  bytes: number;
  /** 0 (or absent): one blob; otherwise parts under the folder `blobKey`. */
  parts?: number;
}

export function enqueueBatchJob(queues: QueuesService, ticketId: string, batch: StoredBatch): Promise<void> {
  const { table, sequence, blobKey, sha256, rows, bytes } = batch;
  const parts = batch.parts ? { parts: batch.parts } : {};
  return queues.enqueue(
    'import.batchReceived',
    { ticketId, table, sequence, blobKey, sha256, rows, bytes, ...parts },
    { jobId: jobIdOf({ name: 'import.batchReceived', ticketId, table, sequence }) },
  );
}

export interface StoredDocument {
  ticketId: string;
  documentId: number;
  relativePath: string;
  blobKey: string;
  sha256: string;
  bytes: number;
}

export function enqueueDocumentJob(queues: QueuesService, document: StoredDocument): Promise<void> {
  const { ticketId, documentId, relativePath, blobKey, sha256, bytes } = document;
  return queues.enqueue(
    'import.documentReceived',
    { ticketId, documentId: String(documentId), relativePath, blobKey, sha256, bytes },
    // a re-finish of the same version queues nothing new, a changed file does
    { jobId: jobIdOf({ name: 'import.documentReceived', ticketId, documentId, sha256 }) },
  );
}
