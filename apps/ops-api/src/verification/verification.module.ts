import { Module } from '@nestjs/common';
import { DocumentArchiveModule } from '../documents/documents.module';
import { LedgerModule } from '../ledger/ledger.module';
import { QueuesModule } from '../queues/queues.module';
import { TenantDatabasesModule } from '../tenants/tenant-databases.module';
import { TicketStateModule } from '../ticket-state/ticket-state.module';
import {
  DocumentVerificationStep,
  TableVerificationStep,
  VERIFICATION_STEPS,
  type VerificationStep,
} from './verification-steps';
import { StructureVerificationStep } from './structure-verification.step';
import { VerifyTicketProcessor } from './verify-ticket.processor';

/**
 * The worker's `verify` queue: compares what landed in the tenant database
 * and archive with the source's figures, then queues the configuration.
 */
@Module({
  imports: [DocumentArchiveModule, LedgerModule, QueuesModule, TicketStateModule, TenantDatabasesModule],
  providers: [
    TableVerificationStep,
    StructureVerificationStep,
    DocumentVerificationStep,
    // The verification steps, in order: each adds its problems to the reason.
    {
      provide: VERIFICATION_STEPS,
      useFactory: (...steps: VerificationStep[]) => steps,
      inject: [TableVerificationStep, StructureVerificationStep, DocumentVerificationStep],
    },
    VerifyTicketProcessor,
  ],
})
export class VerificationModule {}
