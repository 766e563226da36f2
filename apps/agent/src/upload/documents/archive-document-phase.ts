import path from 'node:path';
import type { ArchiveScan } from '@omt/contracts';
import { unmigratableDocuments, type DocumentPhase } from '../document-phase';
import { uploadDocuments } from './upload-documents';

/**
 * The documents half of migrate: every document the archive scan found
 * (`ok`) goes over tus, resumable (upload URLs in `<state dir>/documents`);
 * what cannot go is reported with its reason: what the scan found
 * unmigratable, and what vanished or kept changing while it was sent.
 * Documents that landed before with the same sha256 are skipped, so a
 * resume sends only the rest and a recovery only what is missing or changed.
 */
export const archiveDocumentPhase: DocumentPhase = {
  planned: (scan: ArchiveScan | null) => {
    const ok = scan?.totals.ok ?? { documents: 0, bytes: 0 };
    return { count: ok.documents, bytes: ok.bytes };
  },
  run: async (input) => {
    const result = await uploadDocuments({
      apiUrl: input.baseUrl,
      agentToken: input.agentToken,
      headers: input.headers,
      archiveRoot: input.scan.root,
      documents: input.scan.documents.filter((d) => d.status === 'ok'),
      manifest: input.manifest,
      stateDir: path.join(input.stateDir, 'documents'),
      onProgress: (p) => input.progress.documentsProgressed(p),
      signal: input.signal,
    });
    return {
      uploaded: result.uploaded,
      skipped: result.skipped,
      bytes: result.bytesSent,
      missing: [...unmigratableDocuments(input.scan), ...result.failed].sort((a, b) => a.documentId - b.documentId),
    };
  },
};
