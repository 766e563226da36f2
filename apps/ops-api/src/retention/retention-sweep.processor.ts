import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { LOGGER } from '../common/logger.module';
import { JobProcessor, type JobHandler } from '../queues/job-handler';
import { RetentionService } from './retention.service';

/** `maintenance.retentionSweep`: one sweep; a failure is retried by BullMQ and the schedule runs the next anyway. */
@Injectable()
@JobProcessor('maintenance.retentionSweep')
export class RetentionSweepProcessor implements JobHandler<'maintenance.retentionSweep'> {
  constructor(
    private readonly retention: RetentionService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async handle(): Promise<void> {
    const result = await this.retention.sweep();
    if (result.tickets > 0 || result.partialFiles > 0) this.logger.info(result, 'retention sweep');
  }
}
