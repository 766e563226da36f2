import { createReadStream } from 'node:fs';
import path from 'node:path';
import { DetailedError, Upload } from 'tus-js-client';
import { AGENT_API, OmtError, type ArchiveDocument, type MissingDocument, type UploadManifest } from '@omt/contracts';
import { DEFAULT_RETRY_POLICY, retryDelayMs } from '../../api/retry-policy';
import { missingDocumentOf } from '../document-phase';
import { DirectoryUrlStorage } from './directory-url-storage';
import { hashFile, type HashedFile } from './file-sha256';

export interface DocumentUploadOptions {
  /** The API's base URL (no `/api`). */
  apiUrl: string;
  agentToken: string;
  /** Further headers of every tus request: the ticket lease's id while the agent holds it. */
  headers?: Record<string, string>;
  archiveRoot: string;
  /** Archive scan entries with status `ok`; any other is reported as failed with its status. */
  documents: ArchiveDocument[];
  /** What has landed: a document that landed with the same sha256 is skipped (recovery re-sends changed ones). */
  manifest: UploadManifest;
  /** tus upload URLs persist here, so a restarted agent resumes at the byte offset. */
  stateDir: string;
  /** Documents in flight at once (default DEFAULT_CONCURRENCY). */
  concurrency?: number;
  onProgress?(p: DocumentUploadProgress): void;
  signal?: AbortSignal;
}

export interface DocumentUploadProgress {
  documents: { done: number; total: number };
  bytes: { done: number; total: number };
}

export interface DocumentUploadResult {
  uploaded: number;
  skipped: number;
  /** Bytes sent in this run (a resumed document counts from its offset). */
  bytesSent: number;
  /** Documents that could not be sent, with the reason (a vanished or unreadable file is `missing-file`). */
  failed: MissingDocument[];
}

/**
 * Documents in flight at once. 8 rather than 4: on the 2-core bench machine
 * (300 × 768 KiB) the documents phase took 3.3 / 5.2 s against 5.7 / 5.7 s
 * with 4, CPU seconds no higher; with buffered small files (file-sha256.ts)
 * at most 8 × 4 MiB are held.
 */
const DEFAULT_CONCURRENCY = 8;

/** tus retries: exponential backoff with jitter, long enough to ride out an API restart. */
const RETRIES = 12;
const retryDelays = () =>
  Array.from({ length: RETRIES }, (_, i) => retryDelayMs(i + 1, { ...DEFAULT_RETRY_POLICY, baseDelayMs: 500 }));

/**
 * Sends every document of the archive scan over tus, `concurrency` at a
 * time: each file is hashed (small ones read once, into memory), skipped if it landed with that hash,
 * else uploaded with its sha256 for the API to check. Upload URLs live in
 * `stateDir` under documentId + sha256, so a restart resumes at the offset
 * the API holds. A file that vanished, cannot be read or keeps changing is
 * reported in `failed`; a failure of the API or the network (after the
 * retries) rejects, and the next run resumes.
 */
export async function uploadDocuments(options: DocumentUploadOptions): Promise<DocumentUploadResult> {
  const landed = new Map(options.manifest.documents.map((d) => [d.documentId, d.sha256]));
  const storage = new DirectoryUrlStorage(options.stateDir);
  const result: DocumentUploadResult = { uploaded: 0, skipped: 0, bytesSent: 0, failed: [] };
  const sendable = options.documents.filter((d) => {
    if (d.status === 'ok' && d.relativePath !== null && fileInArchive(options.archiveRoot, d.relativePath)) return true;
    result.failed.push(missingDocumentOf(d, d.status === 'ok' ? 'missing-file' : d.status));
    return false;
  });
  const progress = {
    documents: { done: 0, total: sendable.length },
    bytes: { done: 0, total: sendable.reduce((n, d) => n + d.bytes, 0) },
  };
  const inFlight = new Map<number, number>();
  const report = () => {
    const sending = [...inFlight.values()].reduce((n, b) => n + b, 0);
    options.onProgress?.({
      documents: { ...progress.documents },
      bytes: { done: progress.bytes.done + sending, total: progress.bytes.total },
    });
  };
  const stop = new AbortController();
  const onAbort = () => stop.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onAbort, { once: true });

  const sendOne = async (doc: ArchiveDocument & { relativePath: string }): Promise<void> => {
    const file = fileInArchive(options.archiveRoot, doc.relativePath)!;
    for (let attempt = 1; ; attempt++) {
      const hashed = await hashFile(file);
      if (!hashed) return void result.failed.push(missingDocumentOf(doc, 'missing-file'));
      if (landed.get(doc.documentId) === hashed.sha256) {
        result.skipped++;
        progress.bytes.done += hashed.bytes;
        return;
      }
      try {
        const sent = await sendFile(file, doc, hashed, options, storage, stop.signal, (bytes) => {
          inFlight.set(doc.documentId, bytes);
          report();
        });
        inFlight.delete(doc.documentId);
        result.uploaded++;
        result.bytesSent += sent;
        progress.bytes.done += hashed.bytes;
        return;
      } catch (error) {
        inFlight.delete(doc.documentId);
        // The file changed between hashing and sending (or while sending): hash again, once.
        if (isChecksumMismatch(error) && attempt < 2) continue;
        if (isChecksumMismatch(error)) return void result.failed.push(missingDocumentOf(doc, 'missing-file'));
        throw error;
      }
    }
  };

  const queue = sendable as (ArchiveDocument & { relativePath: string })[];
  let next = 0;
  const worker = async () => {
    while (next < queue.length && !stop.signal.aborted) {
      const doc = queue[next++]!;
      await sendOne(doc);
      progress.documents.done++;
      report();
    }
  };
  try {
    const workers = Array.from(
      { length: Math.max(1, Math.min(options.concurrency ?? DEFAULT_CONCURRENCY, queue.length)) },
      () =>
        worker().catch((error: unknown) => {
          stop.abort(error);
          throw error;
        }),
    );
    await Promise.all(workers);
    if (stop.signal.aborted) throw stop.signal.reason;
    return result;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
}

/** One file over tus, resuming a stored upload URL when there is one; resolves with the bytes sent in this run. */
function sendFile(
  file: string,
  doc: ArchiveDocument & { relativePath: string },
  hashed: HashedFile,
  options: DocumentUploadOptions,
  storage: DirectoryUrlStorage,
  signal: AbortSignal,
  onBytes: (done: number) => void,
): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    // Where this run started: the offset the API answered to the first HEAD of a resumed upload, else 0.
    let startOffset: number | null = null;
    // A small file goes from the bytes that were hashed; a large one is read again from disk.
    const upload = new Upload(hashed.data ?? createReadStream(file), {
      endpoint: `${options.apiUrl.replace(/\/+$/, '')}${AGENT_API}/documents`,
      headers: { ...options.headers, authorization: `Bearer ${options.agentToken}` },
      metadata: {
        documentId: String(doc.documentId),
        relativePath: doc.relativePath,
        sha256: hashed.sha256,
        bytes: String(hashed.bytes),
      },
      uploadSize: hashed.bytes,
      fingerprint: async () => `omt-document:${doc.documentId}:${hashed.sha256}`,
      urlStorage: storage,
      storeFingerprintForResuming: true,
      removeFingerprintOnSuccess: true,
      retryDelays: retryDelays(),
      onShouldRetry: (error) => {
        const status = error.originalResponse?.getStatus() ?? 0;
        return status === 0 || status >= 500 || status === 409 || status === 423 || status === 429;
      },
      onAfterResponse: (request, response) => {
        if (startOffset !== null) return;
        startOffset = request.getMethod() === 'HEAD' ? Number(response.getHeader('Upload-Offset') ?? 0) : 0;
      },
      onProgress: (sent) => onBytes(sent),
      onSuccess: () => {
        signal.removeEventListener('abort', onAbort);
        resolve(hashed.bytes - (startOffset ?? 0));
      },
      onError: (error) => {
        signal.removeEventListener('abort', onAbort);
        reject(asOmtError(error, doc));
      },
    });
    const onAbort = () => {
      void upload.abort(false);
      reject(signal.reason as Error);
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    upload
      .findPreviousUploads()
      .then((previous) => {
        if (previous[0]) upload.resumeFromPreviousUpload(previous[0]);
        upload.start();
      })
      .catch(reject);
  });
}

/**
 * The file of a document inside the archive, or null when its path leaves
 * the archive (a row's name with `..` or, on Windows, `\\..`): names are
 * data, and the agent sends nothing from outside the archive it was given.
 */
export function fileInArchive(archiveRoot: string, relativePath: string): string | null {
  const root = path.resolve(archiveRoot);
  const file = path.resolve(root, ...relativePath.split('/'));
  return file.startsWith(root + path.sep) ? file : null;
}

function isChecksumMismatch(error: unknown): boolean {
  return error instanceof OmtError && error.code === 'CHECKSUM_MISMATCH';
}

/** tus errors as OmtError with the API's code when its answer carried one. */
function asOmtError(error: Error, doc: ArchiveDocument): Error {
  if (!(error instanceof DetailedError) || !error.originalResponse) return error;
  const status = error.originalResponse.getStatus();
  let envelope: { code?: string; message?: string } = {};
  try {
    envelope = JSON.parse(error.originalResponse.getBody()) as typeof envelope;
  } catch {
    // tus' own answers are plain text.
  }
  const code =
    envelope.code === 'CHECKSUM_MISMATCH' || status === 422
      ? 'CHECKSUM_MISMATCH'
      : status === 403
        ? 'FORBIDDEN'
        : status === 409
          ? 'CONFLICT'
          : 'SERVICE_UNAVAILABLE';
  return new OmtError(
    code,
    `Document ${doc.documentId} (${doc.relativePath}): ${envelope.message ?? `the API answered ${status}`}.`,
  );
}
