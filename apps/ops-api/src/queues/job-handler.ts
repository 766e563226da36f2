import { SetMetadata } from '@nestjs/common';
import type { Job } from 'bullmq';
import { JOB_NAMES, type JobName, type JobPayload } from '@omt/contracts';

/**
 * A processor for one job name: a provider marked with @JobProcessor(name)
 * in any module the worker imports. They are found at boot; the worker
 * refuses to start on a duplicate or a
 * declared job without one. A failure that retrying cannot fix throws
 * BullMQ's UnrecoverableError.
 */
export interface JobHandler<N extends JobName = JobName> {
  handle(payload: JobPayload<N>, job: Job): Promise<void>;
}

export const JOB_PROCESSOR = Symbol('JOB_PROCESSOR');
export const JobProcessor = (name: JobName) => SetMetadata(JOB_PROCESSOR, name);

/**
 * Indexes handlers by job name. A duplicate, or a declared job without a
 * handler, is a programming error that must stop the worker: otherwise such
 * jobs would be taken from Redis and fail one by one.
 */
export function indexHandlers(
  handlers: readonly { name: JobName; handler: JobHandler }[],
  declared: readonly JobName[] = JOB_NAMES,
): Map<JobName, JobHandler> {
  const byName = new Map<JobName, JobHandler>();
  for (const { name, handler } of handlers) {
    if (byName.has(name)) throw new Error(`Two handlers for job '${name}'.`);
    byName.set(name, handler);
  }
  const unhandled = declared.filter((name) => !byName.has(name));
  if (unhandled.length > 0) {
    throw new Error(
      `No handler for job ${unhandled.map((n) => `'${n}'`).join(', ')}: the worker does not start. Mark a provider of a module the worker loads with @JobProcessor(name).`,
    );
  }
  return byName;
}
