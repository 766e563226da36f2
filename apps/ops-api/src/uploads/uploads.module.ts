import { Module } from '@nestjs/common';
import { LeaseController } from '../leases/lease.controller';
import { LeasesModule } from '../leases/leases.module';
import { QueuesModule } from '../queues/queues.module';
import { TicketStateModule } from '../ticket-state/ticket-state.module';
import { AgentSessionService } from './agent-session.service';
import { AgentUploadController } from './agent-upload.controller';
import { LedgerModule } from '../ledger/ledger.module';
import { TableUploadsService } from './table-uploads.service';
import { UploadRunService } from './upload-run.service';

/** The agent's upload API (api role): session, lease, checks, plan, upload runs, tables and batches. */
@Module({
  imports: [TicketStateModule, QueuesModule, LedgerModule, LeasesModule],
  controllers: [AgentUploadController, LeaseController],
  providers: [AgentSessionService, UploadRunService, TableUploadsService],
})
export class UploadsModule {}
