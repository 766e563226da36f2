import { Module } from '@nestjs/common';
import { QueuesService } from './queues.service';

/** Producers: every process that enqueues jobs. The consumers are in worker/. */
@Module({ providers: [QueuesService], exports: [QueuesService] })
export class QueuesModule {}
