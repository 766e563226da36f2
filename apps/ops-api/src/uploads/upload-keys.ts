import { tableKey } from '../common/table-key';
import { batchBlobKey as batchBlobKeyOf, batchPartKey, batchPartsFolder } from '../storage/blob-store-keys';

/**
 * Where one arrival of a batch is stored (gzip as received), in the blob
 * store's one key grammar, under the table's key (never its name). Each
 * arrival gets its own key, so a conflicting or duplicate upload never
 * overwrites the blob the ledger points at; the loser's blob is deleted.
 */
export function batchBlobKey(ticketId: string, table: string, sequence: number): string {
  return batchBlobKeyOf(ticketId, tableKey(table), sequence);
}

/** The folder of a batch sent in parts (what its ledger row records), under the table's key. */
export function batchPartsKey(ticketId: string, table: string, sequence: number): string {
  return batchPartsFolder(ticketId, tableKey(table), sequence);
}

/** One part of a batch sent in parts. */
export function batchPartBlobKey(ticketId: string, table: string, sequence: number, part: number): string {
  return batchPartKey(batchPartsKey(ticketId, table, sequence), part);
}
