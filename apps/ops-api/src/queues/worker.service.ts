import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { DiscoveryService, Reflector } from '@nestjs/core';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { JOB_NAMES, QUEUES, jobPayloadSchemas, parseOrThrow, type JobName } from '@omt/contracts';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { LOGGER } from '../common/logger.module';
import { createRedis } from '../redis/redis';
import { JOB_PROCESSOR, indexHandlers, type JobHandler } from './job-handler';

export const WORKER_CONCURRENCY = 4;

/** The consumer side: one BullMQ worker per queue, dispatching each job to its handler. */
@Injectable()
export class WorkerService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly workers: Worker[] = [];
  private handlers = new Map<JobName, JobHandler>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly discovery: DiscoveryService,
    private readonly reflector: Reflector,
  ) {}

  onApplicationBootstrap(): void {
    this.handlers = indexHandlers(
      this.discovery
        .getProviders()
        .filter((wrapper) => wrapper.metatype && wrapper.instance)
        .flatMap((wrapper) => {
          const name = this.reflector.get<JobName | undefined>(JOB_PROCESSOR, wrapper.metatype as never);
          return name ? [{ name, handler: wrapper.instance as JobHandler }] : [];
        }),
    );
    const unhandled = JOB_NAMES.filter((name) => !this.handlers.has(name));
    if (unhandled.length > 0) this.logger.warn({ unhandled }, 'jobs without a handler fail permanently');
    for (const queue of Object.values(QUEUES)) {
      const worker = new Worker(queue, (job) => this.process(job), {
        connection: createRedis(this.config.redisUrl, 'queue'),
        prefix: this.config.redisPrefix,
        concurrency: WORKER_CONCURRENCY,
      });
      worker.on('failed', (job, error) =>
        this.logger.warn({ queue, jobId: job?.id, jobName: job?.name, attempts: job?.attemptsMade, err: error }, 'job failed'),
      );
      worker.on('error', (error) => this.logger.error({ queue, err: error }, 'worker error'));
      this.workers.push(worker);
    }
    this.logger.info({ queues: Object.values(QUEUES), concurrency: WORKER_CONCURRENCY }, 'workers started');
  }

  private async process(job: Job): Promise<void> {
    const name = job.name as JobName;
    const handler = this.handlers.get(name);
    if (!handler) throw new UnrecoverableError(`No handler for job '${job.name}'.`);
    let payload;
    try {
      payload = parseOrThrow(jobPayloadSchemas[name], job.data, `${name} job`);
    } catch (error) {
      throw new UnrecoverableError((error as Error).message);
    }
    await handler.handle(payload as never, job);
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.close()));
  }
}
