import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { AuthModule } from '../auth/auth.module';
import { EventsModule } from '../events/events.module';
import { QueuesModule } from '../queues/queues.module';
import { RetentionCoreModule } from '../retention/retention.module';
import { TenantsModule } from '../tenants/tenants.module';
import { UploadsRepository } from '../uploads/uploads.repository';
import { AgentEnrollmentController } from './agent-enrollment.controller';
import { EnrollmentService } from './enrollment.service';
import { TicketActionsService } from './ticket-actions.service';
import { TicketDetailRepository } from './ticket-detail.repository';
import { TicketDetailService } from './ticket-detail.service';
import { TicketFailuresService } from './ticket-failures.service';
import { TicketRunCleanup } from './ticket-run-cleanup';
import { TicketRunRepository } from './ticket-run.repository';
import { TicketStateModule } from './ticket-state.module';
import { TicketsController } from './tickets.controller';
import { TicketsService } from './tickets.service';

@Module({
  imports: [AuditModule, AuthModule, EventsModule, QueuesModule, RetentionCoreModule, TenantsModule, TicketStateModule],
  controllers: [TicketsController, AgentEnrollmentController],
  providers: [
    TicketsService,
    TicketActionsService,
    EnrollmentService,
    TicketDetailRepository,
    TicketDetailService,
    TicketFailuresService,
    TicketRunRepository,
    TicketRunCleanup,
    // The upload manifest, read for the agent's mode on the ticket page (a plain repository).
    UploadsRepository,
  ],
  exports: [TicketStateModule],
})
export class TicketsModule {}
