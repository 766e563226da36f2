import { z } from 'zod';
import { tableSchemaSchema } from './source-schema';

const sha256Schema = z.string().regex(/^[0-9a-f]{64}$/, 'must be a lowercase hex sha256');

/**
 * Queues and the jobs each one carries, named once. A processor is found at
 * boot for every job name; a missing or duplicate handler stops the worker.
 */
export const QUEUES = {
  import: 'omt-import',
  verify: 'omt-verify',
  configure: 'omt-configure',
  /** Housekeeping on a schedule (retention of working copies), never tied to one ticket. */
  maintenance: 'omt-maintenance',
} as const;
export type QueueKey = keyof typeof QUEUES;
export type QueueName = (typeof QUEUES)[QueueKey];

export const jobPayloadSchemas = {
  'import.tableCreated': z.object({
    ticketId: z.string(),
    table: tableSchemaSchema,
  }),
  'import.batchReceived': z.object({
    ticketId: z.string(),
    table: z.string(),
    sequence: z.number().int().nonnegative(),
    blobKey: z.string(),
    sha256: sha256Schema,
    rows: z.number().int().nonnegative(),
    bytes: z.number().int().nonnegative(),
    /** A batch sent in parts: how many, stored under `blobKey` as a folder (absent or 0: one blob). */
    parts: z.number().int().nonnegative().optional(),
  }),
  'import.documentReceived': z.object({
    ticketId: z.string(),
    documentId: z.string(),
    relativePath: z.string(),
    blobKey: z.string(),
    sha256: sha256Schema,
    bytes: z.number().int().nonnegative(),
  }),
  'verify.ticketUploaded': z.object({ ticketId: z.string() }),
  'configure.ticketVerified': z.object({ ticketId: z.string() }),
  /** Deletes the working copies of tickets past their grace period and stale partial files. */
  'maintenance.retentionSweep': z.object({}),
} as const;

export type JobName = keyof typeof jobPayloadSchemas;
export type JobPayload<N extends JobName> = z.infer<(typeof jobPayloadSchemas)[N]>;

/** Which queue carries which job: the prefix of the job name. */
export function queueOfJob(name: JobName): QueueName {
  return QUEUES[name.split('.')[0] as QueueKey];
}

export const JOB_NAMES = Object.keys(jobPayloadSchemas) as JobName[];
