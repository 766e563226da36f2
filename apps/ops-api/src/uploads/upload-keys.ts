import { createHash } from 'node:crypto';
import { batchBlobKey as batchBlobKeyOf } from '../storage/blob-store-keys';

/**
 * Table names are customer data: they never become part of a path or a job
 * id. Both use the first 16 hex digits of the name's sha256 instead (BullMQ
 * custom ids must not contain ':' either).
 */
export function tableKey(table: string): string {
  return createHash('sha256').update(table, 'utf8').digest('hex').slice(0, 16);
}

/** The `import.tableCreated` job of a table: one per table, so a re-sent schema queues nothing new. */
export function tableJobId(ticketId: string, table: string): string {
  return `table-${ticketId}-${tableKey(table)}`;
}

/** The `import.batchReceived` job of a batch: derived from ticket, table and sequence, so a re-send is a no-op. */
export function batchJobId(ticketId: string, table: string, sequence: number): string {
  return `batch-${ticketId}-${tableKey(table)}-${sequence}`;
}

/**
 * Where one arrival of a batch is stored (gzip as received), in the blob
 * store's one key grammar. Each arrival gets its own key, so a conflicting
 * or duplicate upload never overwrites the blob the ledger points at; the
 * loser's blob is deleted.
 */
export function batchBlobKey(ticketId: string, table: string, sequence: number): string {
  return batchBlobKeyOf(ticketId, tableKey(table), sequence);
}
