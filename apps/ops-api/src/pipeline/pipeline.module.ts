import { Module } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { DocumentArchiveModule } from '../documents/documents.module';
import { ImportsModule } from '../imports/imports.module';
import { QueuesModule } from '../queues/queues.module';
import { TicketStateModule } from '../tickets/ticket-state.module';
import { ProgressModule } from '../uploads/progress.module';
import { ConfigureTicketProcessor } from './configure-ticket.processor';
import { JobReconciler } from './job-reconciler';
import { PipelineCoreModule } from './pipeline-core.module';
import { PipelineRepository } from './pipeline.repository';
import { DocumentVerificationStep, TableVerificationStep, VERIFICATION_STEPS, type VerificationStep } from './verification-steps';
import { VerifyTicketProcessor } from './verify-ticket.processor';

/**
 * The worker's side of a migration after the upload: the imports (tenant
 * databases named after the ticket's tenant), verification and
 * configuration. Processors are found by the WorkerService at boot.
 */
@Module({
  imports: [
    DocumentArchiveModule,
    PipelineCoreModule,
    ProgressModule,
    QueuesModule,
    TicketStateModule,
    ImportsModule.register({
      imports: [PipelineCoreModule],
      inject: [APP_CONFIG, PipelineRepository],
      useFactory: (config: AppConfig, repository: PipelineRepository) => ({
        tenantAdminUrl: config.tenantDatabaseUrl,
        tenantDatabaseName: (ticketId: string) => repository.tenantDatabaseName(ticketId),
        storedTableSchema: (ticketId: string, table: string) => repository.tableSchema(ticketId, table),
        tenantSchema: config.tenantSchema,
      }),
    }),
  ],
  providers: [
    TableVerificationStep,
    DocumentVerificationStep,
    // The verification steps, in order: each adds its problems to the reason.
    {
      provide: VERIFICATION_STEPS,
      useFactory: (...steps: VerificationStep[]) => steps,
      inject: [TableVerificationStep, DocumentVerificationStep],
    },
    VerifyTicketProcessor,
    ConfigureTicketProcessor,
    JobReconciler,
  ],
})
export class PipelineModule {}
