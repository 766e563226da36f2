import { rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { Server, type Upload } from '@tus/server';
import type { Logger } from 'pino';
import { OmtError, isOmtError, type ErrorCode } from '@omt/contracts';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { LOGGER } from '../common/logger.module';
import type { AuthenticatedRequest } from '../auth/auth.guard';
import type { Principal } from '../auth/principal';
import { InvalidBlobKey, TUS_FOLDER, isUploadOf, newUploadId, parseUploadId } from '../storage/blob-store-keys';
import { makePrivateFolderSync } from '../storage/blob-store-modes';
import { noSuchUpload } from './document-keys';
import { DocumentReceiver, type UploadFiles } from './document-receiver.service';
import { HashingFileStore } from './hashing-file-store';

/** Where the tus endpoint lives, the global `/api` prefix included (tus builds its upload URLs from it). */
export const DOCUMENTS_PATH = '/api/agent/documents';

/**
 * The resumable document upload (tus 1.0 through @tus/server, files in the
 * blob directory's `tus/` folder). The controller authenticates first and
 * hands over the raw request; here every request is scoped to the agent's
 * ticket and the hooks call the DocumentReceiver. Every refusal answers
 * with the usual `{ code, message, details }` body (tus clients read only
 * the status, which stays tus').
 */
@Injectable()
export class DocumentTusServer implements UploadFiles {
  private readonly directory: string;
  private readonly store: HashingFileStore;
  private readonly server: Server;

  constructor(
    private readonly receiver: DocumentReceiver,
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.directory = path.join(config.blobDir, TUS_FOLDER);
    // Before the file store exists: its constructor would make the folder with mode 0777 (less the umask).
    makePrivateFolderSync(this.directory);
    this.store = new HashingFileStore(this.directory);
    this.server = new EnvelopeTusServer({
      path: DOCUMENTS_PATH,
      datastore: this.store,
      // Relative, so an upload URL is right behind any proxy the agent goes through.
      relativeLocation: true,
      maxSize: config.maxDocumentBytes,
      disableTerminationForFinishedUploads: true,
      namingFunction: (req) => newUploadId(principalOf(req).ticketId),
      // The id is read from the URL's path only (never its query), decoded once, and must be an upload id whole.
      getFileIdFromRequest: (req) => uploadIdOfUrl(req.url),
      onIncomingRequest: async (req, uploadId) => {
        // Another ticket's upload is "no such upload": nothing tells the caller it exists.
        if (!isUploadOf(uploadId, principalOf(req).ticketId)) throw noSuchUpload();
      },
      onUploadCreate: async (req, upload) => {
        await this.receiver.accept(principalOf(req).ticketId, upload.metadata, upload.size);
        return {};
      },
      onUploadFinish: async (req, upload) => {
        await this.receiver.finish(principalOf(req).ticketId, upload.id, upload.metadata, this);
        return {};
      },
      onResponseError: (req, error) => this.answer(req, error),
    });
  }

  handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    return this.server.handle(req, res);
  }

  /**
   * A finished upload whose ledger row never got written (the process died
   * between the last byte and the hook) is finished again when the agent
   * asks for its offset: tus would otherwise tell it "done" with nothing
   * recorded. Throws like the hook (CHECKSUM_MISMATCH removes the upload).
   */
  async finishIfComplete(ticketId: string, uploadId: string): Promise<void> {
    if (!isUploadOf(uploadId, ticketId)) throw noSuchUpload();
    const upload: Upload | null = await this.store.getUpload(uploadId).catch(() => null);
    if (!upload || upload.size === undefined || upload.offset !== upload.size) return;
    await this.receiver.finish(ticketId, uploadId, upload.metadata, this);
  }

  pathOf(uploadId: string): string {
    if (!parseUploadId(uploadId)) throw new InvalidBlobKey(uploadId);
    return path.join(this.directory, uploadId);
  }

  arrivedHash(uploadId: string): { sha256: string; bytes: number } | null {
    return this.store.takeHash(uploadId);
  }

  async remove(uploadId: string): Promise<void> {
    const file = this.pathOf(uploadId);
    this.store.forget(uploadId);
    await rm(file, { force: true });
    await rm(`${file}.json`, { force: true });
  }

  private answer(
    req: unknown,
    error: Error | { status_code: number; body: string },
  ): { status_code: number; body: string } | undefined {
    if (isOmtError(error)) return { status_code: error.status, body: JSON.stringify(error.toEnvelope()) };
    if ('status_code' in error) return undefined; // tus' own protocol answers (409 offset, 404 upload ...): see EnvelopeTusServer
    this.logger.error({ err: error, url: (req as { url?: string }).url }, 'document upload failed');
    return {
      status_code: 500,
      body: JSON.stringify({
        code: 'INTERNAL',
        message: 'Something went wrong on our side; it has been logged.',
        details: [],
      }),
    };
  }
}

/** The upload id a tus URL names: the one segment after DOCUMENTS_PATH, decoded, if it is an upload id; else undefined (tus: 404). */
function uploadIdOfUrl(url: string): string | undefined {
  const pathname = new URL(url, 'http://omt.invalid').pathname;
  if (!pathname.startsWith(`${DOCUMENTS_PATH}/`)) return undefined;
  let id: string;
  try {
    id = decodeURIComponent(pathname.slice(DOCUMENTS_PATH.length + 1));
  } catch {
    return undefined;
  }
  return parseUploadId(id)?.uploadId;
}

/** The codes of tus' own refusals by status (it answers 403 only for a missing header). */
const TUS_STATUS_CODES: Record<number, ErrorCode> = {
  400: 'VALIDATION_FAILED',
  403: 'VALIDATION_FAILED',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  410: 'NOT_FOUND',
  412: 'VALIDATION_FAILED',
  413: 'PAYLOAD_TOO_LARGE',
};

/** What the agent can do about each of tus' refusals, after tus' own words. */
const TUS_HINTS: Record<number, string> = {
  404: 'No such upload of this ticket (any more): start a new one.',
  409: "The offset is not the upload's current one: ask for it (HEAD) and resume from there.",
  410: 'The upload is gone: start a new one.',
  412: 'This is a tus 1.0 endpoint: send Tus-Resumable: 1.0.0.',
};

/**
 * @tus/server answers some refusals (412 without Tus-Resumable, 400 for a
 * malformed header, 404 for an unknown upload) with plain text and without
 * calling `onResponseError`; all of them pass through `write`, where a body
 * that is not our envelope yet becomes one, the status left as tus chose it.
 */
class EnvelopeTusServer extends Server {
  override write(...[context, headers, status, body = '']: Parameters<Server['write']>) {
    return super.write(context, headers, status, status >= 400 ? asEnvelope(status, body) : body);
  }
}

function asEnvelope(status: number, body: string): string {
  if (isEnvelope(body)) return body;
  const said = body.trim();
  const code = TUS_STATUS_CODES[status] ?? (status >= 500 ? 'INTERNAL' : 'VALIDATION_FAILED');
  const hint = TUS_HINTS[status];
  const message = [said.replace(/\.?$/, '.'), hint].filter((part) => part && part !== '.').join(' ');
  return JSON.stringify({ code, message: message || `Refused (${status}).`, details: [] });
}

function isEnvelope(body: string): boolean {
  try {
    const parsed = JSON.parse(body) as { code?: unknown };
    return typeof parsed.code === 'string';
  } catch {
    return false;
  }
}

/** The agent the auth guard established on the Node request tus wraps. */
function principalOf(req: unknown): Principal & { kind: 'agent' } {
  const node = (req as { runtime?: { node?: { req?: AuthenticatedRequest } } }).runtime?.node?.req;
  const principal = node?.principal;
  if (principal?.kind !== 'agent') throw new OmtError('FORBIDDEN', 'Documents are uploaded with an agent token.');
  return principal;
}
