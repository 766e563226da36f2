import { Module } from '@nestjs/common';
import { QueuesModule } from '../queues/queues.module';
import { VerificationTrigger } from './verification-trigger';

/** What both roles need of the pipeline: the verification trigger. */
@Module({ imports: [QueuesModule], providers: [VerificationTrigger], exports: [VerificationTrigger] })
export class PipelineCoreModule {}
