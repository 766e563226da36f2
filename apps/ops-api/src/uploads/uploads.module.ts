import { Module } from '@nestjs/common';
import { LeaseController } from '../leases/lease.controller';
import { LeasesModule } from '../leases/leases.module';
import { PipelineCoreModule } from '../pipeline/pipeline-core.module';
import { QueuesModule } from '../queues/queues.module';
import { TicketsModule } from '../tickets/tickets.module';
import { AgentSessionService } from './agent-session.service';
import { AgentUploadController } from './agent-upload.controller';
import { ProgressModule } from './progress.module';
import { TableUploadsService } from './table-uploads.service';
import { UploadRunService } from './upload-run.service';
import { UploadsRepository } from './uploads.repository';

/** The agent's upload API (api role): session, lease, checks, plan, upload runs, tables and batches. */
@Module({
  imports: [TicketsModule, QueuesModule, PipelineCoreModule, ProgressModule, LeasesModule],
  controllers: [AgentUploadController, LeaseController],
  providers: [UploadsRepository, AgentSessionService, UploadRunService, TableUploadsService],
})
export class UploadsModule {}
