import { Module } from '@nestjs/common';
import { LeasesModule } from '../leases/leases.module';
import { QueuesModule } from '../queues/queues.module';
import { LedgerModule } from '../ledger/ledger.module';
import { DocumentPlacementProcessor } from './document-placement.processor';
import { DocumentReceiver } from './document-receiver.service';
import { DocumentTusServer } from './document-tus.server';
import { DocumentVerifier } from './document-verifier.service';
import { DocumentsController } from './documents.controller';
import { TenantArchive } from './tenant-archive';

/** The tenants' archives and the documents' ledger; the verify step imports this for DocumentVerifier. */
@Module({
  imports: [LedgerModule],
  providers: [TenantArchive, DocumentVerifier],
  exports: [TenantArchive, DocumentVerifier],
})
export class DocumentArchiveModule {}

/** api role: the tus endpoint `/api/agent/documents`. */
@Module({
  imports: [QueuesModule, LedgerModule, DocumentArchiveModule, LeasesModule],
  controllers: [DocumentsController],
  providers: [DocumentReceiver, DocumentTusServer],
})
export class DocumentsApiModule {}

/** worker role: places arrived documents in the tenant's archive. */
@Module({
  imports: [LedgerModule, DocumentArchiveModule],
  providers: [DocumentPlacementProcessor],
})
export class DocumentsWorkerModule {}
