import { OmtError } from '@omt/contracts';
import { readSuperOfficeConfig } from '../source/superoffice-config';
import { parseSourceUrl, type SourceLocation } from '../source/source-url';

export interface SourceFlags {
  source?: string;
  config?: string;
  archive?: string;
}

/** The source from `--source`, else discovered from `--config`; the archive from `--archive`, else the config. */
export async function resolveSource(flags: SourceFlags): Promise<{ location: SourceLocation; archive: string | null }> {
  const discovered = flags.config ? await readSuperOfficeConfig(flags.config) : null;
  const archive = flags.archive ?? discovered?.archivePath ?? null;
  if (flags.source) return { location: parseSourceUrl(flags.source), archive };
  if (!discovered) {
    throw new OmtError('CONFIG_INVALID', 'No source given: use --source <url> (or OMT_SOURCE) or --config <SuperOffice.config>.');
  }
  if (discovered.missing.length > 0) {
    throw new OmtError(
      'CONFIG_INVALID',
      `${flags.config} does not say ${discovered.missing.join(', ')} of the database; give --source <url> instead.`,
    );
  }
  return { location: { params: {}, port: discovered.source.dialect === 'postgres' ? 5432 : 1433, ...discovered.source } as SourceLocation, archive };
}
