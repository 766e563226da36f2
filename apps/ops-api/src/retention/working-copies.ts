import type { BlobStore } from '../storage/blob-store';
import { ticketBlobPrefixes } from '../storage/blob-store-keys';

/** Deletes every working copy of the ticket; deleting what is already gone is fine. */
export async function deleteWorkingCopies(blobs: BlobStore, ticketId: string): Promise<void> {
  // The ticket's batches and its document uploads; the tenant's database and archive are elsewhere.
  for (const prefix of ticketBlobPrefixes(ticketId)) await blobs.deletePrefix(prefix);
}
