import { SetMetadata } from '@nestjs/common';
import type { Job } from 'bullmq';
import type { JobName, JobPayload } from '@omt/contracts';

/**
 * A processor for one job name: a provider marked with @JobProcessor(name)
 * in any module the worker imports. They are found at boot; the worker
 * refuses to start on a duplicate. A failure that retrying cannot fix throws
 * BullMQ's UnrecoverableError.
 */
export interface JobHandler<N extends JobName = JobName> {
  handle(payload: JobPayload<N>, job: Job): Promise<void>;
}

export const JOB_PROCESSOR = Symbol('JOB_PROCESSOR');
export const JobProcessor = (name: JobName) => SetMetadata(JOB_PROCESSOR, name);

/** Indexes handlers by job name; a duplicate is a programming error that must stop the worker. */
export function indexHandlers(handlers: readonly { name: JobName; handler: JobHandler }[]): Map<JobName, JobHandler> {
  const byName = new Map<JobName, JobHandler>();
  for (const { name, handler } of handlers) {
    if (byName.has(name)) throw new Error(`Two handlers for job '${name}'.`);
    byName.set(name, handler);
  }
  return byName;
}
