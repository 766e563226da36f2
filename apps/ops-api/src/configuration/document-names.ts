import type { Column } from '@omt/contracts';
import { toJobError } from '../queues/job-errors';
import type { TenantDatabase } from '../tenants/tenant-database';
import { safeArchivePath } from '../documents/safe-archive-path';
import { CRM_DOCUMENT_TABLE, resolveCrmTable } from './crm-tables';

/**
 * The tenant's `document.name` of a document whose file the archive stored
 * under another name than its row gave (`safeArchivePath` changed it), so
 * the CRM finds the file again.
 *
 * The CRM looks for a document at `<owner login>/<period>/<name>` (the
 * relative path the agent sent, `archiveRelativePath`). When the stored path
 * still starts with the same `<owner login>/<period>/`, the new name is the
 * rest of the stored path: exact, folders inside the name included (a name
 * `..\..\x.doc` becomes `x~<hash>.doc`, since the `..` were dropped). When
 * that prefix changed as well (an owner login with characters the archive
 * cannot hold, or a path cut to length), no name can point there from the
 * owner's folder: the name becomes the stored file's last segment, the
 * closest the row can express, and the document counts as moved (the ledger
 * and ops keep the stored path). The same when the column cannot hold the
 * longer form. Null when the path was stored as it is.
 */
export function storedDocumentName(
  relativePath: string,
  maxLength: number | null = null,
): { name: string; moved: boolean } | null {
  const stored = safeArchivePath(relativePath);
  if (stored === relativePath) return null;
  const prefix = relativePath.split('/').slice(0, 2).join('/') + '/';
  const lastSegment = stored.slice(stored.lastIndexOf('/') + 1);
  if (stored.startsWith(prefix) && fits(stored.slice(prefix.length), maxLength))
    return { name: stored.slice(prefix.length), moved: false };
  return { name: lastSegment, moved: true };
}

function fits(name: string, maxLength: number | null): boolean {
  // varchar(n) counts characters (code points).
  return maxLength === null || [...name].length <= maxLength;
}

function maxLengthOf(column: Column | undefined): number | null {
  return column?.type.kind === 'text' ? column.type.maxLength : null;
}

export interface DocumentsRenamed {
  /** Rows whose name now points at the stored file. */
  renamed: number;
  /** Of those, documents stored outside their owner's folder (see `storedDocumentName`). */
  moved: number;
}

/**
 * Sets `document.name` of every arrived document whose file was stored
 * under a changed name (one statement; a name already right is left, so it
 * is idempotent). A tenant without a `document` table has no rows to fix.
 */
export async function renameStoredDocuments(
  tenant: TenantDatabase,
  documents: readonly { documentId: number; relativePath: string }[],
): Promise<DocumentsRenamed> {
  const { table } = resolveCrmTable(tenant.schema, await tenant.tables(), CRM_DOCUMENT_TABLE);
  if (!table) return { renamed: 0, moved: 0 };
  const nameColumn = CRM_DOCUMENT_TABLE.columns.name.toLowerCase();
  const maxLength = maxLengthOf(table.schema.columns.find((c) => c.name.toLowerCase() === nameColumn));
  const changes = documents.flatMap((d) => {
    const stored = storedDocumentName(d.relativePath, maxLength);
    return stored ? [{ id: d.documentId, ...stored }] : [];
  });
  if (changes.length === 0) return { renamed: 0, moved: 0 };
  try {
    const updated = await tenant.pool.query<{ id: number }>(
      `UPDATE ${table.sql} AS d SET ${table.col.name} = c.name
         FROM unnest($1::int[], $2::text[]) AS c(id, name)
        WHERE d.${table.col.id} = c.id AND d.${table.col.name} IS DISTINCT FROM c.name
        RETURNING d.${table.col.id} AS id`,
      [changes.map((c) => c.id), changes.map((c) => c.name)],
    );
    const renamed = new Set(updated.rows.map((r) => Number(r.id)));
    return { renamed: renamed.size, moved: changes.filter((c) => c.moved && renamed.has(c.id)).length };
  } catch (error) {
    throw toJobError(error, 'Renaming the tenant document rows to their stored files');
  }
}
