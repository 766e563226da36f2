import type { BatchLimits, TableSchema, UploadManifest } from '@omt/contracts';
import type { SourceConnector } from '../source/source-connector';
import { uploadTable, type TableApi, type TableUploadResult } from './table-uploader';
import type { UploadProgress } from './upload-progress';

export const DEFAULT_PARALLEL_TABLES = 3;

export interface PlannedTable {
  schema: TableSchema;
  /** Row count at the source when the upload started. */
  rows: number;
}

export interface UploadTablesOptions {
  api: TableApi;
  source: Pick<SourceConnector, 'streamBatches'>;
  tables: readonly PlannedTable[];
  limits: BatchLimits;
  manifest: UploadManifest;
  parallel?: number;
  batchesInFlight?: number;
  progress: UploadProgress;
  signal?: AbortSignal;
}

/**
 * Uploads every table, `parallel` at a time: all but one of the slots take
 * the largest tables first (so the longest one does not start last and
 * stretch the tail), the last slot the smallest first. A small table is all
 * round trips (schema, one batch, figures), so a slot of their own lets them
 * finish while the large ones stream instead of queueing up behind them at
 * the end. The first failure stops the others between two batches and is
 * raised once they have stopped; what was sent stays sent, and the next run
 * resumes from the manifest.
 */
export async function uploadTables(options: UploadTablesOptions): Promise<TableUploadResult[]> {
  const queue = [...options.tables].sort((a, b) => b.rows - a.rows || a.schema.name.localeCompare(b.schema.name));
  const landed = new Map(options.manifest.tables.map((t) => [t.name, t]));
  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
  const results: TableUploadResult[] = [];
  let failure: { error: unknown } | null = null;

  const worker = async (take: () => PlannedTable | undefined) => {
    for (let next = take(); next && !failure; next = take()) {
      const planned = next;
      try {
        const result = await uploadTable({
          api: options.api,
          source: options.source,
          table: planned.schema,
          limits: options.limits,
          landed: landed.get(planned.schema.name),
          batchesInFlight: options.batchesInFlight,
          signal,
          onBatch: (b) => options.progress.addRows(b.rows, b.bytes, b.sentBytes, b.skipped),
        });
        if (result.alreadyComplete) options.progress.tableAlreadyDone(planned.rows);
        else options.progress.tableDone();
        results.push(result);
      } catch (error) {
        failure ??= { error };
        stop.abort(error);
      }
    }
  };
  const slots = Math.max(1, Math.min(options.parallel ?? DEFAULT_PARALLEL_TABLES, queue.length));
  const largestFirst = () => queue.shift();
  const smallestFirst = () => queue.pop();
  await Promise.all(
    Array.from({ length: slots }, (_, slot) => worker(slots > 1 && slot === slots - 1 ? smallestFirst : largestFirst)),
  );
  if (failure) throw (failure as { error: unknown }).error;
  return results;
}
