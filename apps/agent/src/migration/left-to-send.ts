import type { ArchiveScan, UploadManifest } from '@omt/contracts';
import type { PlannedTable } from '../upload/upload-tables';

export interface LeftToSend {
  tables: PlannedTable[];
  rows: number;
  /** Documents of the scan that have not landed (a landed one whose file changed is found only by its hash, later). */
  documents: number;
}

/**
 * What a run still has to send, from what the API says has landed: tables
 * not complete there, documents it does not hold. A resume says this rather
 * than "Uploading 30 tables" when only a few, or none, are left.
 */
export function leftToSend(
  manifest: UploadManifest,
  tables: readonly PlannedTable[],
  archive: ArchiveScan | null,
): LeftToSend {
  const complete = new Set(manifest.tables.filter((t) => t.complete).map((t) => t.name));
  const left = tables.filter((t) => !complete.has(t.schema.name));
  const landed = new Map(manifest.documents.map((d) => [d.documentId, d]));
  const documents = (archive?.documents ?? []).filter((d) => {
    if (d.status !== 'ok') return false;
    const there = landed.get(d.documentId);
    return !there || there.bytes !== d.bytes || there.relativePath !== d.relativePath;
  }).length;
  return { tables: left, rows: left.reduce((n, t) => n + t.rows, 0), documents };
}

/** The line a person reads as the upload starts. */
export function describeLeftToSend(left: LeftToSend, planned: readonly PlannedTable[], parallel: number): string {
  if (left.tables.length === 0 && left.documents === 0)
    return `Nothing is left to upload: all ${planned.length} tables and every document landed in an earlier run. Finishing the upload; the cloud side takes over.`;
  if (left.tables.length === 0)
    return `All ${planned.length} tables landed in an earlier run; uploading the ${left.documents} document(s) left…`;
  const of = left.tables.length < planned.length ? ` of ${planned.length}` : '';
  const documents = left.documents === 0 ? '' : `, then ${left.documents} document(s)`;
  return `Uploading ${left.tables.length}${of} tables (${left.rows} rows), ${parallel} at a time${documents}…`;
}
