import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { AuthModule } from '../auth/auth.module';
import { EventsModule } from '../events/events.module';
import { QueuesModule } from '../queues/queues.module';
import { RetentionCoreModule } from '../retention/retention.module';
import { TenantsModule } from '../tenants/tenants.module';
import { LedgerModule } from '../ledger/ledger.module';
import { AgentEnrollmentController } from './agent-enrollment.controller';
import { EnrollmentService } from './enrollment.service';
import { TicketActionsService } from './ticket-actions.service';
import { TicketDetailRepository } from './ticket-detail.repository';
import { TicketDetailService } from './ticket-detail.service';
import { TicketFailuresService } from './ticket-failures.service';
import { TicketRunCleanup } from './ticket-run-cleanup';
import { TicketRunRepository } from './ticket-run.repository';
import { TicketStateModule } from '../ticket-state/ticket-state.module';
import { TicketsController } from './tickets.controller';
import { TicketsService } from './tickets.service';

@Module({
  imports: [AuditModule, AuthModule, EventsModule, LedgerModule, QueuesModule, RetentionCoreModule, TenantsModule, TicketStateModule],
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
  ],
  exports: [TicketStateModule],
})
export class TicketsModule {}
