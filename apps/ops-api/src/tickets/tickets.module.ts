import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { AuthModule } from '../auth/auth.module';
import { EventsModule } from '../events/events.module';
import { TenantsModule } from '../tenants/tenants.module';
import { AgentEnrollmentController } from './agent-enrollment.controller';
import { EnrollmentService } from './enrollment.service';
import { TicketActionsService } from './ticket-actions.service';
import { TicketStateService } from './ticket-state.service';
import { TicketsController } from './tickets.controller';
import { TicketsRepository } from './tickets.repository';
import { TicketsService } from './tickets.service';

@Module({
  imports: [AuditModule, AuthModule, EventsModule, TenantsModule],
  controllers: [TicketsController, AgentEnrollmentController],
  providers: [TicketsRepository, TicketStateService, TicketsService, TicketActionsService, EnrollmentService],
  exports: [TicketStateService, TicketsRepository],
})
export class TicketsModule {}
