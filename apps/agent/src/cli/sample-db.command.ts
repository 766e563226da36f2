import { OmtError } from '@omt/contracts';
import { createSampleDatabase, type SampleSummary } from '../sample/sample-db';
import { parseSampleProblems, parseSampleSize, scaledVolumes, type SampleVolumes } from '../sample/sample-options';
import { writeSampleTsql } from '../sample/sample-tsql';
import { buildSample } from '../sample/sample-generator';
import { SAMPLE_ADMIN_LOGIN, SAMPLE_ADMIN_PASSWORD } from '../sample/sample-users';
import type { CommandResult } from './command-result';
import { formatBytes } from '../text/format';

export interface SampleDbFlags {
  target?: string;
  archive?: string;
  seed: string;
  size: string;
  problems?: string;
  schema: string;
  tsql?: string;
  rows?: string;
  documents?: string;
  docKb?: string;
  blobMb?: string;
}

function wholeNumber(flag: string, text: string, min: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) throw new OmtError('VALIDATION_FAILED', `${flag} must be a whole number ≥ ${min}, not "${text}".`);
  return value;
}

/** The volume flags as overrides of the size's volumes. */
function volumeOverrides(flags: SampleDbFlags): Partial<SampleVolumes> {
  return {
    ...(flags.rows !== undefined ? scaledVolumes(wholeNumber('--rows', flags.rows, 100)) : {}),
    ...(flags.documents !== undefined ? { documents: wholeNumber('--documents', flags.documents, 0) } : {}),
    ...(flags.docKb !== undefined ? { fileBytes: wholeNumber('--doc-kb', flags.docKb, 0) * 1024 } : {}),
    ...(flags.blobMb !== undefined ? { maxBlobBytes: wholeNumber('--blob-mb', flags.blobMb, 1) * 1024 * 1024 } : {}),
  };
}

export async function sampleDbCommand(flags: SampleDbFlags): Promise<CommandResult> {
  const seed = wholeNumber('--seed', flags.seed, 0);
  const options = {
    seed,
    size: parseSampleSize(flags.size),
    problems: parseSampleProblems(flags.problems),
    schema: flags.schema,
    volumes: volumeOverrides(flags),
  };
  if (!flags.tsql && (!flags.target || !flags.archive)) {
    throw new OmtError('VALIDATION_FAILED', 'sample-db needs --target <postgres url> and --archive <dir> (or --tsql <file> for a script only).');
  }
  let summary: SampleSummary | null = null;
  if (flags.target) {
    if (!flags.archive) throw new OmtError('VALIDATION_FAILED', 'sample-db --target also needs --archive <dir>.');
    summary = await createSampleDatabase({ ...options, target: flags.target, archive: flags.archive });
  }
  let tsqlRows: number | null = null;
  if (flags.tsql) tsqlRows = await writeSampleTsql(buildSample(options), flags.tsql);
  const lines = [
    `Sample onsite CRM (seed ${seed}, ${options.size}${options.problems.length ? `, problems: ${options.problems.join(', ')}` : ''})`,
  ];
  if (summary) {
    lines.push(
      `  database: schema ${summary.schema}, ${Object.keys(summary.tables).length} tables, ${summary.rows} rows`,
      `  archive:  ${summary.archiveFiles} files, ${formatBytes(summary.archiveBytes)} in ${flags.archive}`,
    );
  }
  if (tsqlRows !== null) lines.push(`  T-SQL:    ${tsqlRows} rows written to ${flags.tsql}`);
  lines.push(`  log on as ${SAMPLE_ADMIN_LOGIN} / ${SAMPLE_ADMIN_PASSWORD}`);
  return { data: { ...summary, tsql: flags.tsql ?? null, tsqlRows, admin: { login: SAMPLE_ADMIN_LOGIN } }, human: lines.join('\n') };
}
