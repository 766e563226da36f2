import type { ArchiveDocument, ArchiveScan, MissingDocument, UploadManifest } from '@omt/contracts';
import type { AgentApiClient } from '../api/agent-api-client';
import type { UploadProgress } from './upload-progress';

/** What the document phase gets: the archive scan, what has landed, and the means to send and report. */
export interface DocumentPhaseInput {
  api: AgentApiClient;
  baseUrl: string;
  agentToken: string;
  /** Further headers of every document request (the lease id while the agent holds the ticket's lease). */
  headers?: Record<string, string>;
  /** The agent's state folder (e.g. for resumable-upload URLs that survive a restart). */
  stateDir: string;
  scan: ArchiveScan;
  manifest: UploadManifest;
  progress: UploadProgress;
  signal: AbortSignal;
}

export interface DocumentPhaseResult {
  uploaded: number;
  /** Documents that had landed before with the same hash. */
  skipped: number;
  bytes: number;
  /** Everything that could not be uploaded, with the reason; sent to the API as the missing documents. */
  missing: MissingDocument[];
}

/**
 * The documents half of an upload. The migrate flow calls it after the
 * tables and before upload/complete (a recovery: instead of the tables);
 * `archiveDocumentPhase` (documents/archive-document-phase.ts) is the one
 * it uses unless told otherwise.
 */
export interface DocumentPhase {
  /** What StartUpload announces: the documents this phase will send. */
  planned(scan: ArchiveScan | null): { count: number; bytes: number };
  run(input: DocumentPhaseInput): Promise<DocumentPhaseResult>;
}

export function missingDocumentOf(doc: ArchiveDocument, reason: MissingDocument['reason']): MissingDocument {
  return { documentId: doc.documentId, name: doc.name, relativePath: doc.relativePath, reason };
}

/** Documents the scan already knows cannot be uploaded (missing file, blank name, no appointment, owner missing). */
export function unmigratableDocuments(scan: ArchiveScan | null): MissingDocument[] {
  return (scan?.documents ?? []).flatMap((d) => (d.status === 'ok' ? [] : [missingDocumentOf(d, d.status)]));
}
