import { Module } from '@nestjs/common';
import { QueuesModule } from '../queues/queues.module';
import { PipelineRepository } from './pipeline.repository';
import { VerificationTrigger } from './verification-trigger';

/** What both roles need of the pipeline: the verification trigger and the ledgers' reads and writes. */
@Module({ imports: [QueuesModule], providers: [VerificationTrigger, PipelineRepository], exports: [VerificationTrigger, PipelineRepository] })
export class PipelineCoreModule {}
