import { renamedColumns, tenantIdentifier } from '@omt/copy-text';
import type { PlannedTable } from '../upload/upload-tables';

/**
 * Which names the tenant holds shortened (past PostgreSQL's 63 bytes, with
 * a hash suffix), said before the upload so the migrator is not surprised
 * to find them so in the cloud; null when every name fits.
 */
export function describeRenamed(tables: readonly Pick<PlannedTable, 'schema'>[]): string | null {
  const lines = tables.flatMap(({ schema }) => {
    const tenant = tenantIdentifier(schema.name);
    const table = tenant === schema.name ? [] : [`table "${schema.name}" is stored as "${tenant}"`];
    const columns = renamedColumns(schema.columns).map(
      (c) => `column "${c.source}" of "${schema.name}" as "${c.tenant}"`,
    );
    return [...table, ...columns];
  });
  if (lines.length === 0) return null;
  return `Names longer than PostgreSQL's 63 bytes are stored shortened with a hash suffix: ${lines.join('; ')}.`;
}
