import type { JobName } from '@omt/contracts';
import { tableKey } from '../common/table-key';

/** The piece of work that identifies a job, per job name: the same piece always gets the same id. */
export type JobKey =
  | { name: 'import.tableCreated'; ticketId: string; table: string }
  | { name: 'import.batchReceived'; ticketId: string; table: string; sequence: number }
  | { name: 'import.documentReceived'; ticketId: string; documentId: number | string; sha256: string }
  /** The run is the ticket's upload/complete time, so racing callers and retries queue one verification per run. */
  | { name: 'verify.ticketUploaded'; ticketId: string; uploadCompletedAt: Date }
  /** One configuration per verification run, whatever its retries. */
  | { name: 'configure.ticketVerified'; verifyJobId: string }
  /** The repeatable sweep: the id of its job scheduler. */
  | { name: 'maintenance.retentionSweep' };

/**
 * Every job id, derived from the piece of work, so a re-send, a retry or the
 * reconciler queueing it again is a no-op while the job is known to BullMQ.
 * Table names are customer data and never appear (tableKey); BullMQ custom
 * ids must not contain ':'.
 */
export function jobIdOf(key: JobKey): string {
  switch (key.name) {
    case 'import.tableCreated':
      return `table-${key.ticketId}-${tableKey(key.table)}`;
    case 'import.batchReceived':
      return `batch-${key.ticketId}-${tableKey(key.table)}-${key.sequence}`;
    case 'import.documentReceived':
      return `document-${key.ticketId}-${key.documentId}-${key.sha256.slice(0, 16)}`;
    case 'verify.ticketUploaded':
      return `verify-${key.ticketId}-${key.uploadCompletedAt.getTime()}`;
    case 'configure.ticketVerified':
      return `configure-${key.verifyJobId}`;
    case 'maintenance.retentionSweep':
      return 'retention-sweep';
    default:
      return unknownJob(key);
  }
}

function unknownJob(key: never): never {
  throw new Error(`No job id is defined for job '${(key as { name: JobName }).name}'.`);
}

/** The `import.tableCreated` job of a table: one per table, so a re-sent schema queues nothing new. */
export const tableJobId = (ticketId: string, table: string): string =>
  jobIdOf({ name: 'import.tableCreated', ticketId, table });

/** The `import.batchReceived` job of a batch: a re-send of the same sequence is a no-op. */
export const batchJobId = (ticketId: string, table: string, sequence: number): string =>
  jobIdOf({ name: 'import.batchReceived', ticketId, table, sequence });
