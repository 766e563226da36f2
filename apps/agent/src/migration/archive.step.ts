import type { ArchiveScan } from '@omt/contracts';
import { scanArchive } from '../archive/archive-scan';
import type { CrmCatalog } from '../catalog/crm-catalog';
import type { MigrateOptions, MigrateUi } from './migrate-options';

/** Scans the document archive against the catalog; null when no archive was given (tables only). */
export async function scan(catalog: CrmCatalog, options: MigrateOptions, ui: MigrateUi): Promise<ArchiveScan | null> {
  if (!options.archive) {
    ui.say('No archive given (--archive): documents are not migrated.');
    return null;
  }
  const result = await scanArchive(catalog, options.archive);
  const ok = result.totals.ok;
  ui.say(
    `Archive ${result.root}: ${ok.documents} document(s) to migrate, ${result.documents.length - ok.documents} that cannot be.`,
  );
  return result;
}
