import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { EventsModule } from '../events/events.module';
import { LedgerModule } from '../ledger/ledger.module';
import { QueuesModule } from '../queues/queues.module';
import { TicketStateModule } from '../ticket-state/ticket-state.module';
import { JobReconciler } from './job-reconciler';
import { WorkerService } from './worker.service';

/**
 * Consumers: only the worker process (or the combined development process).
 * One BullMQ worker per queue dispatching to the @JobProcessor handlers of
 * the worker-side rooms, and the reconciler that queues lost jobs again.
 */
@Module({
  imports: [DiscoveryModule, QueuesModule, EventsModule, TicketStateModule, LedgerModule],
  providers: [WorkerService, JobReconciler],
})
export class WorkersModule {}
