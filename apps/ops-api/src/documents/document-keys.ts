/**
 * A tus upload's id is `<ticket id>.<random>`: the ticket in front lets every
 * request on it be checked against the agent token's ticket. The upload's
 * file lives in the blob store's `tus/` folder (the tus file store's
 * directory), so the worker reads it through the BlobStore like a batch.
 * The grammar of ids and keys is blob-store-keys.ts'; nothing here parses one.
 */
import { OmtError } from '@omt/contracts';

export { TUS_FOLDER, isUploadOf, newUploadId, uploadBlobKey } from '../storage/blob-store-keys';

/**
 * The answer to an upload id that is malformed or another ticket's: the
 * same 404 as for one that never existed, so nothing tells the caller
 * whether it does.
 */
export function noSuchUpload(): OmtError {
  return new OmtError('NOT_FOUND', 'No upload of this ticket has this id (any more): start a new one.', [
    { path: 'id', message: 'not an upload of this agent token' },
  ]);
}
