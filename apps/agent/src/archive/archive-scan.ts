import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DOCUMENT_STATUSES, type ArchiveDocument, type ArchiveScan, type DocumentStatus } from '@omt/contracts';
import type { CrmCatalog } from '../catalog/crm-catalog';
import { assertArchiveFolder, assertArchiveHoldsDocuments } from './archive-folder';
import { archiveRelativePath } from './archive-path';

/** Where a document row's file should be, or why it cannot be found; no disk access. */
export function locateDocument(
  catalog: Pick<CrmCatalog, 'users' | 'documentAppointments'>,
  doc: CrmCatalog['documents'][number],
  index: DocumentIndex,
): { status: Exclude<DocumentStatus, 'ok' | 'missing-file'> } | { relativePath: string } {
  if (doc.name.trim() === '') return { status: 'blank-name' };
  // The appointment that carries the document, else the one the document row points to.
  const appointment = index.appointmentByDocument.get(doc.documentId) ?? index.appointmentById.get(doc.appointmentId);
  if (!appointment) return { status: 'no-appointment' };
  const owner = index.loginByAssociate.get(appointment.associateId);
  if (!owner) return { status: 'owner-missing' };
  return { relativePath: archiveRelativePath(owner, doc.registered ?? '1970-01-01', doc.name) };
}

export interface DocumentIndex {
  appointmentByDocument: Map<number, { associateId: number }>;
  appointmentById: Map<number, { associateId: number }>;
  loginByAssociate: Map<number, string>;
}

export function indexDocuments(catalog: Pick<CrmCatalog, 'users' | 'documentAppointments'>): DocumentIndex {
  return {
    appointmentByDocument: new Map(catalog.documentAppointments.map((a) => [a.documentId, a])),
    appointmentById: new Map(catalog.documentAppointments.map((a) => [a.appointmentId, a])),
    loginByAssociate: new Map(catalog.users.map((u) => [u.associateId, u.login])),
  };
}

const STAT_CONCURRENCY = 32;

/**
 * Maps every document row to its file in the archive and reports each one
 * with its status and the byte totals. A folder that is not there, cannot be
 * read, or holds none of the documents is an error (ARCHIVE_UNUSABLE), not a
 * scan with every document missing.
 */
export async function scanArchive(catalog: CrmCatalog, root: string): Promise<ArchiveScan> {
  await assertArchiveFolder(root);
  const index = indexDocuments(catalog);
  const documents: ArchiveDocument[] = new Array(catalog.documents.length);
  let next = 0;
  const worker = async () => {
    while (next < catalog.documents.length) {
      const i = next++;
      const doc = catalog.documents[i]!;
      const located = locateDocument(catalog, doc, index);
      if ('status' in located) {
        documents[i] = { documentId: doc.documentId, name: doc.name, relativePath: null, status: located.status, bytes: 0 };
        continue;
      }
      const size = await fileSize(join(root, ...located.relativePath.split('/')));
      documents[i] = {
        documentId: doc.documentId,
        name: doc.name,
        relativePath: located.relativePath,
        status: size === null ? 'missing-file' : 'ok',
        bytes: size ?? 0,
      };
    }
  };
  await Promise.all(Array.from({ length: STAT_CONCURRENCY }, worker));
  documents.sort((a, b) => a.documentId - b.documentId);
  const totals = Object.fromEntries(DOCUMENT_STATUSES.map((s) => [s, { documents: 0, bytes: 0 }])) as ArchiveScan['totals'];
  for (const d of documents) {
    totals[d.status].documents++;
    totals[d.status].bytes += d.bytes;
  }
  const scan = { root, documents, totals };
  assertArchiveHoldsDocuments(scan);
  return scan;
}

async function fileSize(path: string): Promise<number | null> {
  try {
    const s = await stat(path);
    return s.isFile() ? s.size : null;
  } catch {
    return null;
  }
}
