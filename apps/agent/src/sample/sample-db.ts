import { buildSample } from './sample-generator';
import { writeSampleArchive } from './sample-archive';
import { loadSampleIntoPostgres } from './sample-postgres';
import type { SampleOptions } from './sample-options';

export interface CreateSampleOptions extends SampleOptions {
  /** PostgreSQL URL of an existing database; the sample's schema in it is replaced. */
  target: string;
  /** Folder for the SO_ARC archive; created, or replaced when a previous sample wrote it. */
  archive: string;
}

export interface SampleSummary {
  schema: string;
  seed: number;
  size: SampleOptions['size'];
  problems: string[];
  tables: Record<string, number>;
  rows: number;
  documents: number;
  archiveFiles: number;
  archiveBytes: number;
}

/** Builds the sample onsite CRM: database (via COPY) and archive. Same options, same content. */
export async function createSampleDatabase(options: CreateSampleOptions): Promise<SampleSummary> {
  const sample = buildSample(options);
  const tables = await loadSampleIntoPostgres(sample, options.target);
  const archive = await writeSampleArchive(sample, options.archive, options.seed);
  return {
    schema: sample.schema,
    seed: options.seed,
    size: options.size,
    problems: [...options.problems],
    tables,
    rows: Object.values(tables).reduce((a, b) => a + b, 0),
    documents: sample.documents.length,
    archiveFiles: archive.files,
    archiveBytes: archive.bytes,
  };
}
