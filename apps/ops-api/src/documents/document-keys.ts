import { randomBytes } from 'node:crypto';

/**
 * A tus upload's id is `<ticket id>.<random>`: the ticket in front lets every
 * request on it be checked against the agent token's ticket. The upload's
 * file lives in the blob store's `tus/` folder (the tus file store's
 * directory), so the worker reads it through the BlobStore like a batch.
 */
export function newUploadId(ticketId: string): string {
  return `${ticketId}.${randomBytes(16).toString('hex')}`;
}

export function uploadBelongsTo(uploadId: string, ticketId: string): boolean {
  return uploadId.startsWith(`${ticketId}.`);
}

export const TUS_FOLDER = 'tus';

export function uploadBlobKey(uploadId: string): string {
  return `${TUS_FOLDER}/${uploadId}`;
}

export function uploadIdOfBlobKey(blobKey: string): string {
  return blobKey.slice(TUS_FOLDER.length + 1);
}

/** The `import.documentReceived` job of one version of a document: a re-finish queues nothing new, a changed file does. */
export function documentJobId(ticketId: string, documentId: number, sha256: string): string {
  return `document-${ticketId}-${documentId}-${sha256.slice(0, 16)}`;
}
