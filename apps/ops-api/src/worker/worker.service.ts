import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { DiscoveryService, Reflector } from '@nestjs/core';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { QUEUES, canTransition, isOmtError, jobPayloadSchemas, parseOrThrow, type JobName } from '@omt/contracts';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { LOGGER } from '../common/logger.module';
import { closeBullmq, redisOptions } from '../redis/redis';
import { EventsService } from '../events/events.gateway';
import { TicketStateService } from '../ticket-state/ticket-state.service';
import { TicketsRepository } from '../ticket-state/tickets.repository';
import { JOB_PROCESSOR, indexHandlers, type JobHandler } from '../queues/job-handler';

export const WORKER_CONCURRENCY = 4;

/** BullMQ's own test: by class, or by name for errors that crossed a process boundary. */
function isUnrecoverable(error: Error): boolean {
  return error instanceof UnrecoverableError || error.name === 'UnrecoverableError';
}

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
    private readonly events: EventsService,
    private readonly tickets: TicketsRepository,
    private readonly state: TicketStateService,
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
    for (const queue of Object.values(QUEUES)) {
      const worker = new Worker(queue, (job) => this.process(job), {
        connection: redisOptions(this.config, 'queue', `worker:${queue}`),
        prefix: this.config.redisPrefix,
        concurrency: WORKER_CONCURRENCY,
      });
      worker.on('failed', (job, error) => {
        this.logger.warn(
          { queue, jobId: job?.id, jobName: job?.name, attempts: job?.attemptsMade, err: error },
          'job failed',
        );
        if (job) {
          this.onFailed(queue, job, error).catch((err: unknown) =>
            this.logger.error({ queue, jobId: job.id, err }, 'could not report a job failure'),
          );
        }
      });
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

  /**
   * Every failure goes to ops (`job.failed`); a final one (unrecoverable, or
   * its attempts spent) also fails the job's ticket, when its state allows,
   * with a reason naming the job. Generic: any job whose payload has a
   * ticketId.
   */
  private async onFailed(queue: string, job: Job, error: Error): Promise<void> {
    const ticketId = (job.data as { ticketId?: unknown } | undefined)?.ticketId;
    if (typeof ticketId !== 'string') return;
    const final = isUnrecoverable(error) || job.attemptsMade >= (job.opts.attempts ?? 1);
    if (final) {
      await this.failTicket(ticketId, `${job.name} failed: ${error.message}`).catch((err: unknown) =>
        this.logger.error({ ticketId, jobId: job.id, err }, 'could not move the ticket of a failed job to failed'),
      );
    }
    this.events.toOps('job.failed', {
      ticketId,
      queue,
      jobId: String(job.id),
      jobName: job.name,
      error: error.message,
      attemptsMade: job.attemptsMade,
      final,
    });
  }

  private async failTicket(ticketId: string, reason: string): Promise<void> {
    const ticket = await this.tickets.findById(ticketId);
    if (!ticket || !canTransition(ticket.state, 'failed', ticket.kind)) return;
    // A race lost to another failure or state change is fine: the ticket has moved on already.
    await this.state.transition(ticketId, 'failed', 'system', reason).catch((err: unknown) => {
      if (!isOmtError(err) || err.code !== 'STATE_TRANSITION_FORBIDDEN') throw err;
    });
  }

  /** Lets running jobs finish; each worker ends both its connections. */
  async onModuleDestroy(): Promise<void> {
    await Promise.all(this.workers.map(closeBullmq));
  }
}
