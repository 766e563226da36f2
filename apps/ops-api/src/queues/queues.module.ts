import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { QueuesService } from './queues.service';
import { TicketStateModule } from '../tickets/ticket-state.module';
import { EventsModule } from '../events/events.module';
import { WorkerService } from './worker.service';

/** Producers: every process that enqueues jobs. */
@Module({ providers: [QueuesService], exports: [QueuesService] })
export class QueuesModule {}

/** Consumers: only the worker process (or the combined development process). */
@Module({ imports: [DiscoveryModule, QueuesModule, EventsModule, TicketStateModule], providers: [WorkerService] })
export class WorkersModule {}
