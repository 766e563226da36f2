import { DEFAULT_BATCH_LIMITS, type AgentSession, type ArchiveScan } from '@omt/contracts';
import { structureCounts, untranslatedWarning } from '@omt/copy-text';
import type { AgentApiClient } from '../api/agent-api-client';
import type { SourceConnector } from '../source/source-connector';
import type { DocumentPhaseResult } from '../upload/document-phase';
import type { TableUploadResult } from '../upload/table-uploader';
import { UploadProgress } from '../upload/upload-progress';
import { uploadTables, type PlannedTable } from '../upload/upload-tables';
import { sayDocuments, sendDocuments } from './documents.step';
import { describeLeftToSend, type LeftToSend } from './left-to-send';
import type { MigrateOptions, MigrateUi } from './migrate-options';
import { describeRenamed } from './renamed-names';
import { withProgressView } from './watch-progress';

/** What the tables phase of this run read and sent (a resume counts only its own work). */
export interface TablesSummary {
  tables: number;
  rows: number;
  /** Uncompressed COPY text read at the source in this run. */
  bytes: number;
  /** Compressed bytes sent in this run. */
  sentBytes: number;
  sentBatches: number;
  skippedBatches: number;
  /** Tables complete at the API before this run (resume). */
  alreadyComplete: number;
  /** Indexes and unique constraints the tables declare besides their primary keys. */
  indexes: number;
  /** Primary keys and UNIQUE constraints. */
  constraints: number;
  /** What the tables declare that the tenant cannot be given as it is (the source's untranslated items), worded. */
  untranslated: string[];
}

/** From upload start to upload/complete: tables, then documents. */
export async function transfer(
  api: AgentApiClient,
  agentToken: string,
  session: AgentSession,
  source: SourceConnector,
  planned: {
    tables: PlannedTable[];
    archive: ArchiveScan | null;
    documentsPlanned: { count: number; bytes: number };
    left: LeftToSend;
  },
  options: MigrateOptions,
  ui: MigrateUi,
): Promise<{ tables: TablesSummary; documents: DocumentPhaseResult | null }> {
  const { tables, archive, documentsPlanned, left } = planned;
  const rows = tables.reduce((n, t) => n + t.rows, 0);
  const manifest = await api.startUpload({
    limits: options.batchLimits ?? session.manifest.limits ?? DEFAULT_BATCH_LIMITS,
    tables: tables.map((t) => ({ name: t.schema.name, rows: t.rows })),
    documents: documentsPlanned,
  });
  ui.say(describeLeftToSend(left, tables, options.parallel));
  const renamed = describeRenamed(tables);
  if (renamed) ui.say(renamed);

  const progress = new UploadProgress();
  progress.expectTables(tables.length, rows);
  progress.expectDocuments(documentsPlanned.count, documentsPlanned.bytes);
  const { results, documents } = await withProgressView(progress, session, agentToken, options, ui, async () => {
    const results = await uploadTables({
      api,
      source,
      tables,
      limits: manifest.limits ?? DEFAULT_BATCH_LIMITS,
      manifest,
      parallel: options.parallel,
      progress,
      signal: options.signal,
    });
    // The documents phase: after the tables, before upload/complete.
    const documents = await sendDocuments(api, agentToken, { ...session, manifest }, archive, options, progress);
    return { results, documents };
  });
  sayDocuments(documents, ui);
  await api.completeUpload();
  ui.say('Upload complete: the cloud side imports, verifies and configures now.');
  return { tables: summariseTables(results, tables), documents };
}

/** What the tables phase did in this run, over every table's upload result. */
function summariseTables(results: TableUploadResult[], planned: PlannedTable[]): TablesSummary {
  return {
    tables: planned.length,
    rows: planned.reduce((n, t) => n + t.rows, 0),
    bytes: results.reduce((n, r) => n + r.bytes, 0),
    sentBytes: results.reduce((n, r) => n + r.sentBytes, 0),
    sentBatches: results.reduce((n, r) => n + r.sentBatches, 0),
    skippedBatches: results.reduce((n, r) => n + r.skippedBatches, 0),
    alreadyComplete: results.filter((r) => r.alreadyComplete).length,
    ...structureCounts(planned.map((t) => t.schema)),
    untranslated: planned.flatMap((t) => (t.schema.untranslated ?? []).map((u) => untranslatedWarning(t.schema.name, u))),
  };
}
