import type { BlobStore } from '../imports/blob-store';
import { TUS_FOLDER } from '../documents/document-keys';

/**
 * Where a ticket's run keeps its working copies in the blob store: its
 * batches under `tickets/<id>/`, its document uploads (tus files and their
 * metadata) named `tus/<id>.<random>`. The tenant's database and document
 * archive are elsewhere and never touched here.
 */
export function workingCopyPrefixes(ticketId: string): string[] {
  return [`tickets/${ticketId}/`, `${TUS_FOLDER}/${ticketId}.`];
}

/** Deletes every working copy of the ticket; deleting what is already gone is fine. */
export async function deleteWorkingCopies(blobs: BlobStore, ticketId: string): Promise<void> {
  for (const prefix of workingCopyPrefixes(ticketId)) await blobs.deletePrefix(prefix);
}
