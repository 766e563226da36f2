import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { QUEUES } from '@omt/contracts';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { jobIdOf } from '../queues/job-ids';
import { QueuesService } from '../queues/queues.service';

/** The one job scheduler of the sweep: every worker upserts the same id, so Redis holds one schedule however many run. */
export const RETENTION_SCHEDULER_ID = jobIdOf({ name: 'maintenance.retentionSweep' });

/** A sweep that fails is not worth many retries: the next one comes within OMT_RETENTION_SWEEP_SECONDS. */
export const SWEEP_JOB_OPTIONS = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 1_000 },
  removeOnComplete: { count: 100 },
  removeOnFail: { age: 14 * 24 * 3600 },
};

/** Runs `maintenance.retentionSweep` every OMT_RETENTION_SWEEP_SECONDS through a BullMQ job scheduler. */
@Injectable()
export class RetentionSchedule implements OnApplicationBootstrap {
  constructor(
    private readonly queues: QueuesService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.queues
      .queue(QUEUES.maintenance)
      .upsertJobScheduler(
        RETENTION_SCHEDULER_ID,
        { every: Math.round(this.config.retentionSweepSeconds * 1000) },
        { name: 'maintenance.retentionSweep', data: {}, opts: SWEEP_JOB_OPTIONS },
      );
  }
}
