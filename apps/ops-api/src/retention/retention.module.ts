import { Module } from '@nestjs/common';
import { QueuesModule } from '../queues/queues.module';
import { RetentionRepository } from './retention.repository';
import { RetentionSchedule } from './retention.schedule';
import { RetentionService } from './retention.service';
import { RetentionSweepProcessor } from './retention-sweep.processor';

/** What the ticket page asks: what is held and when it goes. Both roles. */
@Module({ providers: [RetentionRepository, RetentionService], exports: [RetentionService] })
export class RetentionCoreModule {}

/** The worker's side: the schedule and the sweep's processor. */
@Module({ imports: [RetentionCoreModule, QueuesModule], providers: [RetentionSchedule, RetentionSweepProcessor] })
export class RetentionWorkerModule {}
