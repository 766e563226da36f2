import { Module } from '@nestjs/common';
import { EventsModule } from '../events/events.module';
import { QueuesModule } from '../queues/queues.module';
import { BatchImports } from './batch-imports';
import { DocumentsRepository } from './documents.repository';
import { LedgerRepository } from './ledger.repository';
import { ProgressRepository } from './progress.repository';
import { ProgressService } from './progress.service';
import { UploadsRepository } from './uploads.repository';
import { VerificationTrigger } from './verification-trigger';

/**
 * What has been received, imported and verified, for both roles: the API
 * writes what arrives, the worker what it imported; progress goes to ops and
 * whichever side completes a run last starts its verification.
 */
@Module({
  imports: [EventsModule, QueuesModule],
  providers: [
    LedgerRepository,
    UploadsRepository,
    DocumentsRepository,
    ProgressRepository,
    ProgressService,
    VerificationTrigger,
    BatchImports,
  ],
  exports: [
    LedgerRepository,
    UploadsRepository,
    DocumentsRepository,
    ProgressService,
    VerificationTrigger,
    BatchImports,
  ],
})
export class LedgerModule {}
