import type { JobsOptions } from 'bullmq';

/** Transient failures (a busy database, a restart) are retried with exponential backoff. */
export const JOB_ATTEMPTS = 8;
export const JOB_BACKOFF_MS = 500;
/** Keep finished jobs long enough to inspect, bounded so Redis does not grow without end. */
export const KEEP_COMPLETED = { age: 24 * 3600, count: 10_000 };
export const KEEP_FAILED = { age: 14 * 24 * 3600 };

export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: JOB_ATTEMPTS,
  backoff: { type: 'exponential', delay: JOB_BACKOFF_MS },
  removeOnComplete: KEEP_COMPLETED,
  removeOnFail: KEEP_FAILED,
};
