import { scanArchive } from '../archive/archive-scan';
import { readCrmCatalog } from '../catalog/crm-catalog';
import { openSource } from '../source/open-source';
import { describeSource } from '../source/source-url';
import { OmtError } from '@omt/contracts';
import type { CommandResult } from './command-result';
import { formatScanTotals, summariseScan } from './check.command';
import { resolveSource, type SourceFlags } from './resolve-source';

export async function introspectCommand(flags: SourceFlags): Promise<CommandResult> {
  const { location } = await resolveSource(flags);
  const source = openSource(location);
  try {
    const tables = await source.introspect();
    const withCounts = [];
    for (const table of tables) withCounts.push({ ...table, rows: await source.countRows(table.name) });
    const human = [
      `${describeSource(location)}: ${tables.length} tables`,
      ...withCounts.map((t) => {
        const unsupported = t.columns.filter((c) => c.type === null).map((c) => `${c.name} (${c.nativeType})`);
        return `  ${t.name}: ${t.columns.length} columns, ${t.rows} rows, key (${t.primaryKey.join(', ') || 'none'})${unsupported.length ? `, unsupported: ${unsupported.join(', ')}` : ''}`;
      }),
    ].join('\n');
    return { data: { source: describeSource(location), tables: withCounts }, human };
  } finally {
    await source.close();
  }
}

export async function scanArchiveCommand(flags: SourceFlags): Promise<CommandResult> {
  const { location, archive } = await resolveSource(flags);
  if (!archive) throw new OmtError('VALIDATION_FAILED', 'scan-archive needs --archive <dir> (or an ArchivePath in --config).');
  const source = openSource(location);
  try {
    const scan = await scanArchive(await readCrmCatalog(source), archive);
    const problems = scan.documents.filter((d) => d.status !== 'ok');
    const human = [
      formatScanTotals(scan).trim(),
      ...problems.map((d) => `  document ${d.documentId} ${JSON.stringify(d.name)}: ${d.status}${d.relativePath ? ` (${d.relativePath})` : ''}`),
    ].join('\n');
    return { data: { ...summariseScan(scan), documents: scan.documents }, human };
  } finally {
    await source.close();
  }
}
