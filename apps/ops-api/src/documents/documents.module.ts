import { Module } from '@nestjs/common';
import { LeasesModule } from '../leases/leases.module';
import { QueuesModule } from '../queues/queues.module';
import { PipelineCoreModule } from '../pipeline/pipeline-core.module';
import { ProgressModule } from '../uploads/progress.module';
import { DocumentPlacementProcessor } from './document-placement.processor';
import { DocumentReceiver } from './document-receiver.service';
import { DocumentTusServer } from './document-tus.server';
import { DocumentVerifier } from './document-verifier.service';
import { DocumentsController } from './documents.controller';
import { DocumentsRepository } from './documents.repository';
import { TenantArchive } from './tenant-archive';

/** The tenants' archives and the documents' ledger; the verify step imports this for DocumentVerifier. */
@Module({
  providers: [DocumentsRepository, TenantArchive, DocumentVerifier],
  exports: [DocumentsRepository, TenantArchive, DocumentVerifier],
})
export class DocumentArchiveModule {}

/** api role: the tus endpoint `/api/agent/documents`. */
@Module({
  imports: [QueuesModule, ProgressModule, DocumentArchiveModule, LeasesModule],
  controllers: [DocumentsController],
  providers: [DocumentReceiver, DocumentTusServer],
})
export class DocumentsApiModule {}

/** worker role: places arrived documents in the tenant's archive. */
@Module({
  imports: [PipelineCoreModule, ProgressModule, DocumentArchiveModule],
  providers: [DocumentPlacementProcessor],
})
export class DocumentsWorkerModule {}
