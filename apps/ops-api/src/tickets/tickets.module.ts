import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { AuthModule } from '../auth/auth.module';
import { EventsModule } from '../events/events.module';
import { TenantsModule } from '../tenants/tenants.module';
import { AgentEnrollmentController } from './agent-enrollment.controller';
import { EnrollmentService } from './enrollment.service';
import { TicketActionsService } from './ticket-actions.service';
import { TicketStateModule } from './ticket-state.module';
import { TicketsController } from './tickets.controller';
import { TicketsService } from './tickets.service';

@Module({
  imports: [AuditModule, AuthModule, EventsModule, TenantsModule, TicketStateModule],
  controllers: [TicketsController, AgentEnrollmentController],
  providers: [TicketsService, TicketActionsService, EnrollmentService],
  exports: [TicketStateModule],
})
export class TicketsModule {}
