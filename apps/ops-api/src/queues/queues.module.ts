import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { QueuesService } from './queues.service';
import { WorkerService } from './worker.service';

/** Producers: every process that enqueues jobs. */
@Module({ providers: [QueuesService], exports: [QueuesService] })
export class QueuesModule {}

/** Consumers: only the worker process (or the combined development process). */
@Module({ imports: [DiscoveryModule, QueuesModule], providers: [WorkerService] })
export class WorkersModule {}
