import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { Queue, type JobsOptions } from 'bullmq';
import {
  QUEUES,
  jobPayloadSchemas,
  parseOrThrow,
  queueOfJob,
  type JobName,
  type JobPayload,
  type QueueName,
} from '@omt/contracts';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { closeBullmq, redisOptions } from '../redis/redis';
import { DEFAULT_JOB_OPTIONS } from './retry-policy';

/** The producer side: one BullMQ queue per queue name, payloads checked against their contract. */
@Injectable()
export class QueuesService implements OnModuleDestroy {
  private readonly queues = new Map<QueueName, Queue>();

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    for (const name of Object.values(QUEUES)) {
      const connection = redisOptions(config, 'queue', `queue:${name}`);
      this.queues.set(
        name,
        new Queue(name, { connection, prefix: config.redisPrefix, defaultJobOptions: DEFAULT_JOB_OPTIONS }),
      );
    }
  }

  /** Adds a job; a `jobId` derived from the piece of work makes a re-send a no-op. */
  async enqueue<N extends JobName>(name: N, payload: JobPayload<N>, options: JobsOptions = {}): Promise<void> {
    const data = parseOrThrow(jobPayloadSchemas[name], payload, `${name} job`);
    await this.queue(queueOfJob(name)).add(name, data, options);
  }

  queue(name: QueueName): Queue {
    const queue = this.queues.get(name);
    if (!queue) throw new Error(`Unknown queue ${name}`);
    return queue;
  }

  all(): Queue[] {
    return [...this.queues.values()];
  }

  /** Each queue ends its own connection. */
  async onModuleDestroy(): Promise<void> {
    await Promise.all(this.all().map(closeBullmq));
  }
}
